"""What the constraint trackers read, and a lost constraint's stop reason (_constraint_state.py)."""

from __future__ import annotations

import pytest

from harness.platform import NetCapability, NetworkRequest
from harness.workmanager import Constraints, ConstraintState, NetworkType, StopReason

REASON_7 = StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY


@pytest.mark.parametrize(
    ("network_type", "conditions", "met"),
    [
        (NetworkType.NOT_REQUIRED, {"network_connected": False}, True),
        (NetworkType.CONNECTED, {}, True),
        (NetworkType.CONNECTED, {"network_validated": False}, False),
        (NetworkType.UNMETERED, {"network_validated": False}, True),
        (NetworkType.UNMETERED, {"network_metered": True}, False),
        (NetworkType.TEMPORARILY_UNMETERED, {"network_metered": True}, False),
        (NetworkType.NOT_ROAMING, {"network_roaming": True}, False),
        (NetworkType.NOT_ROAMING, {"network_validated": False}, True),
        (NetworkType.METERED, {}, False),
        (NetworkType.METERED, {"network_metered": True}, True),
        (NetworkType.METERED, {"network_metered": True, "network_connected": False}, False),
    ],
)
def test_network_controllers(
    network_type: NetworkType, conditions: dict[str, bool], met: bool
) -> None:
    """Only CONNECTED needs validation; TEMP. UNMETERED = UNMETERED (ContraintControllers.kt)."""
    state = ConstraintState(**conditions)
    constraints = Constraints(required_network_type=network_type)
    assert state.are_met(constraints) is met
    assert state.unmet_reason(constraints) == (None if met else REASON_7)


def test_stop_reasons_follow_the_controller_order() -> None:
    """charging (6), battery not low (5), storage not low (9), network (7), then device idle (8)."""
    everything = Constraints(
        required_network_type=NetworkType.CONNECTED,
        requires_charging=True,
        requires_battery_not_low=True,
        requires_storage_not_low=True,
        requires_device_idle=True,
    )
    state = ConstraintState.none_met()
    order = []
    for condition in ("charging", "battery_not_low", "storage_not_low", "network_connected"):
        order.append(state.unmet_reason(everything))
        state.update(**{condition: True})
        if condition == "network_connected":
            state.update(network_validated=True)
    order.append(state.unmet_reason(everything))
    state.update(device_idle=True)
    assert order == [
        StopReason.STOP_REASON_CONSTRAINT_CHARGING,
        StopReason.STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW,
        StopReason.STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW,
        REASON_7,
        StopReason.STOP_REASON_CONSTRAINT_DEVICE_IDLE,
    ]
    assert state.are_met(everything)


def test_constraints_builder() -> None:
    """Constraints.Builder sets each requirement; NONE has none (Constraints.kt)."""
    built = (
        Constraints.builder()
        .set_required_network_type(NetworkType.UNMETERED)
        .set_requires_charging(True)
        .set_requires_device_idle(True)
        .set_requires_battery_not_low(True)
        .set_requires_storage_not_low(True)
        .build()
    )
    assert built == Constraints(NetworkType.UNMETERED, True, True, True, True)
    assert Constraints() == Constraints.NONE
    assert not built.has_content_uri_triggers()


def test_a_network_request_needs_its_capabilities_in_process() -> None:
    """NetworkRequestConstraintController (2.10): connected, with the request's NOT_METERED /
    NOT_ROAMING / VALIDATED capabilities; the connectivity stop reason otherwise."""
    request = (
        NetworkRequest.builder().add_capability(NetCapability.NET_CAPABILITY_NOT_METERED).build()
    )
    constraints = (
        Constraints.builder().set_required_network_request(request, NetworkType.UNMETERED).build()
    )
    state = ConstraintState()
    assert state.are_met(constraints)
    state.update(network_metered=True)
    assert state.unmet_reason(constraints) is StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
    state.update(network_metered=False, network_connected=False)
    assert not state.are_met(constraints)
