"""DeviceMachine: a hypothesis state machine over a scenario's phone, app and servers
(harness/property/_machine.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from harness.property import DEFAULT_SERVER_EVENTS, DeviceMachine
from harness.scenario import load, loads

OUTBOX = """\
name: outbox machine
app: examples.outbox
duration: 3h
backend:
  resources:
    - url: https://api.example.com/notes
timeline:
  - at: 0s
    do: open app
checks:
  - no_crashes
  - no_data_lost
  - no_duplicate_uploads
"""
FORGETFUL = "tests.scenario.apps.forgetful_outbox"
SETTINGS = settings(
    max_examples=20,
    stateful_step_count=10,
    report_multiple_bugs=False,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


class OutboxMachine(DeviceMachine):
    """The outbox app under drawn device events, edits and server faults."""

    scenario = loads(OUTBOX, file="outbox_machine.yaml")
    edits = ("app edit note",)
    # a 200 with a truncated body: the example outbox deletes the batch unread (not this test's
    # subject; the fuzzing of the examples judges it)
    server_events = tuple(e for e in DEFAULT_SERVER_EVENTS if "malformed" not in e)
    settle = "1h"
    max_wait = "30m"
    settle_actions = ("wifi in range", "cellular in range")

    @invariant()
    def every_edit_is_kept_or_sent(self) -> None:
        """Every note the user wrote is in the outbox on disk or at the server."""
        storage = self.storage()
        rows = (
            storage.query("outbox.db", "SELECT id FROM outbox")
            if storage.tables("outbox.db")
            else []
        )
        kept = {row[0] for row in rows}
        sent = set(self.server("https://api.example.com").resources["/notes"].received_ids())
        lost = set(self.edits_made()) - kept - sent
        assert not lost, f"lost {sorted(lost)}"


def test_a_correct_app_passes(tmp_path: Path) -> None:
    """The outbox keeps every edit on disk until the server has it: the machine finds nothing."""

    class Machine(OutboxMachine):
        failures_dir = tmp_path

    run_state_machine_as_test(Machine, settings=SETTINGS)
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_a_mid_run_invariant_catches_a_buggy_app(tmp_path: Path) -> None:
    """An edit kept only in memory breaks the invariant as soon as it is made; the failure
    prints the drawn timeline and a replay command for the scenario file it wrote."""

    class Machine(OutboxMachine):
        scenario = OutboxMachine.scenario.replace(checks=[]).with_app(FORGETFUL)
        failures_dir = tmp_path

    with pytest.raises(AssertionError, match=r"lost \['note-") as failure:
        run_state_machine_as_test(Machine, settings=SETTINGS)
    (written,) = tmp_path.iterdir()
    notes = "\n".join(getattr(failure.value, "__notes__", []))
    assert f"replay: harness replay {written} --seed 0" in notes
    assert "do: app edit note" in notes
    replayed = load(written)
    assert [event.do for event in replayed.spec.timeline] == ["open app", "app edit note"]


class ForgetfulEnd(OutboxMachine):
    """The buggy outbox, judged only by the scenario's checks at the end of the run."""

    scenario = OutboxMachine.scenario.with_app(FORGETFUL)

    @invariant()
    def every_edit_is_kept_or_sent(self) -> None:
        """No mid-run invariant here."""


def test_an_end_of_run_failure_replays_to_the_same_digest(tmp_path: Path) -> None:
    """A failure of the scenario's checks writes a scenario file whose replay gives the same
    trace digest and the same failing check."""

    class Machine(ForgetfulEnd):
        failures_dir = tmp_path

    # the first failing example is reported as found (no shrinking: this test is about replay)
    found = settings(SETTINGS, phases=[Phase.explicit, Phase.generate])
    with pytest.raises(AssertionError, match=r"no_data_lost: ") as failure:
        run_state_machine_as_test(Machine, settings=found)
    (written,) = tmp_path.iterdir()
    digest = str(failure.value).rsplit("trace digest ", 1)[1].split()[0]
    result = load(written).run(0)
    assert result.record.digest == digest
    assert "no_data_lost" in [c.name for c in result.record.failed_checks]


def test_a_mistake_check_is_an_invariant(tmp_path: Path) -> None:
    """invariant_checks evaluate scenario checks between steps, the mistake checks included: the
    forgetful outbox uploads from work with no network constraint."""

    class Machine(OutboxMachine):
        scenario = OutboxMachine.scenario.replace(checks=[]).with_app(FORGETFUL)
        invariant_checks = ("network_needs_constraint",)
        failures_dir = tmp_path

        @invariant()
        def every_edit_is_kept_or_sent(self) -> None:
            """Only the mistake check here."""

    found = settings(SETTINGS, max_examples=60, phases=[Phase.explicit, Phase.generate])
    with pytest.raises(
        AssertionError, match=r"^network_needs_constraint broke at t=\S+: \d+ request"
    ):
        run_state_machine_as_test(Machine, settings=found)
