"""run_scenario(stop_when=): a run stops right after the record the predicate picks."""

from __future__ import annotations

from harness.scenario import load_data, run_scenario
from harness.sim import TraceRecord

_DATA = {
    "name": "stop early",
    "app": "examples.hourly_sync",
    "backend": {"routes": ['GET https://api.example.com/data -> 200 {"items": 3}']},
    "duration": "2d",
    "timeline": [{"at": "0s", "do": "open app"}, {"at": "3h", "do": "reboot"}],
}


def test_the_run_stops_after_the_chosen_record_and_is_judged_on_what_ran() -> None:
    """The clock rests where the record was written; without stop_when the run is unchanged."""
    scenario = load_data(_DATA)

    def at_reboot(record: TraceRecord) -> bool:
        return record.kind == "scenario.action" and record.get("action") == "reboot"

    stopped = run_scenario(scenario, 0, stop_when=at_reboot)
    assert stopped.world.sim.now_ms == 3 * 3_600_000
    assert stopped.trace.of_kind("device.boot")[-1].get("event") != "boot_completed"
    full = run_scenario(scenario, 0)
    assert full.world.sim.now_ms == 2 * 86_400_000
    assert full.record.digest == run_scenario(scenario, 0, stop_when=lambda _: False).record.digest
