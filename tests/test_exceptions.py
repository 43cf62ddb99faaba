"""The exception tree (harness/_exceptions.py): every error about user input is a
``DefinitionError`` naming the field, the value and the fix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import DefinitionError, HarnessError, HarnessRuntimeError
from harness._exceptions import DefinitionTypeError, _format_t_ms
from harness._units import format_t_ms, to_ms
from harness.device import Device
from harness.sim import Simulation


@given(st.integers(-(10**13), 10**13))
def test_runtime_error_times_read_as_format_t_ms(t_ms: int) -> None:
    """The leaf module's own formatter gives exactly ``format_t_ms``'s text."""
    assert _format_t_ms(t_ms) == format_t_ms(t_ms)
    assert str(HarnessRuntimeError("stuck", t_ms=t_ms)).startswith(f"at t={format_t_ms(t_ms)}")


def test_bad_durations_are_definition_errors_naming_the_value_and_the_fix() -> None:
    with pytest.raises(DefinitionError, match=r"duration '2 hours' is not a duration; write"):
        to_ms("2 hours")
    with pytest.raises(DefinitionTypeError, match=r"duration 1.5 has type float; give int") as info:
        to_ms(1.5)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, HarnessError)


def test_simulation_input_errors_are_in_the_tree() -> None:
    with pytest.raises(DefinitionTypeError, match=r"seed '3' must be an int"):
        Simulation(seed="3")  # type: ignore[arg-type]
    with pytest.raises(DefinitionError, match=r"whole millisecond"):
        Simulation(seed=0, epoch=datetime(2026, 1, 1, 0, 0, 0, 500, tzinfo=UTC))
    with Simulation(seed=0) as sim, pytest.raises(DefinitionError, match=r"negative"):
        sim.call_later(-1, lambda: None)


def test_device_input_errors_name_the_allowed_values() -> None:
    with Simulation(seed=0) as sim:
        device = Device(sim)
        with pytest.raises(DefinitionError, match=r"transport 'bluetooth' is not one of: "):
            device.network.schedule_outage("bluetooth", start="08:00", end="09:00")
        with pytest.raises(DefinitionError, match=r"charger 'solar' is not one of: "):
            device.battery.plug("solar")
