"""androidx's closed sets with their names and stored values (workmanager/_enums.py)."""

from __future__ import annotations

from harness.workmanager import State, StopReason, WorkInfo, WorkManager


def test_states_are_stored_as_their_ordinals() -> None:
    """WorkTypeConverters: ENQUEUED 0 .. CANCELLED 5; finished = SUCCEEDED, FAILED, CANCELLED."""
    assert [state.value for state in State] == [0, 1, 2, 3, 4, 5]
    assert [state.name for state in State if state.is_finished] == [
        "SUCCEEDED",
        "FAILED",
        "CANCELLED",
    ]
    assert WorkInfo.State is State


def test_stop_reasons_have_androids_values() -> None:
    """WorkInfo.STOP_REASON_*: -512, -256, -128, 0, 1 .. 15 (WorkInfo.kt)."""
    assert int(StopReason.STOP_REASON_UNKNOWN) == -512
    assert int(StopReason.STOP_REASON_NOT_STOPPED) == -256
    assert int(StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY) == 7
    assert int(StopReason.STOP_REASON_ESTIMATED_APP_LAUNCH_TIME_CHANGED) == 15
    assert [reason.value for reason in StopReason][3:] == list(range(16))


def test_unknown_platform_stop_reasons_map_to_unknown() -> None:
    """SystemJobService.stopReason: values it does not know become STOP_REASON_UNKNOWN."""
    assert StopReason.from_value(99) is StopReason.STOP_REASON_UNKNOWN
    assert StopReason.from_value(3) is StopReason.STOP_REASON_TIMEOUT


def test_update_result_is_reachable_from_workmanager() -> None:
    """WorkManager.UpdateResult, as in androidx."""
    assert WorkManager.UpdateResult.APPLIED_FOR_NEXT_RUN.name == "APPLIED_FOR_NEXT_RUN"
