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


#: Exceptions harness raises that are not its own: they imitate the types app code expects from
#: the flutter plugin and Dart (caught by ported app code as it would catch them on a phone), and
#: the pytest item's failure (an AssertionError, as pytest reports failures).
_APP_FACING = {
    "harness.flutter._payload.PayloadTypeError",
    "harness.flutter._plugin.PlatformException",
    "harness.flutter._plugin.UnsupportedError",
    "harness._pytest_items.ScenarioCheckFailed",
    # Android's ForegroundServiceStartNotAllowedException, raised into a worker's
    # set_foreground_async future (app code catches it by that name)
    "harness.workmanager._foreground.ForegroundServiceStartNotAllowedException",
    # ... and startForeground's type checks against the manifest (Android 10+/14+)
    "harness.workmanager._foreground.IllegalArgumentException",
    "harness.workmanager._foreground.InvalidForegroundServiceTypeException",
    "harness.workmanager._foreground.SecurityException",
    # iOS's errors as app code sees them: an NSError of BGTaskSchedulerErrorDomain from submit,
    # and NSInternalInconsistencyException (a handler registered late or twice)
    "harness.ios._errors.BGTaskSchedulerError",
    "harness.ios._errors.InternalInconsistencyError",
}


def test_the_whole_tree_lives_in_one_module_and_is_exported_from_harness() -> None:
    """Every exception class of harness/_exceptions.py derives from HarnessError and is exported
    from ``harness``; no other module defines a public exception outside the documented
    app-facing imitations."""
    import ast
    import importlib
    from pathlib import Path

    import harness
    from harness import _exceptions

    own = {
        name
        for name, value in vars(_exceptions).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    assert own <= set(harness.__all__)
    assert all(issubclass(getattr(_exceptions, name), HarnessError) for name in own)
    root = Path(harness.__file__).parent
    elsewhere = set()
    for path in sorted(root.rglob("*.py")):
        if path.name == "_exceptions.py":
            continue
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                value = getattr(importlib.import_module(module), node.name)
                if isinstance(value, type) and issubclass(value, BaseException):
                    elsewhere.add(f"{module}.{node.name}")
    assert elsewhere == _APP_FACING
