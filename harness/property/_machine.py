"""``DeviceMachine``: a hypothesis ``RuleBasedStateMachine`` over one phone, its app and servers.

Subclass it naming a scenario (a file path or a loaded :class:`~harness.scenario.Scenario`), add
``@invariant()`` methods (your checks), and collect ``MyMachine.TestCase``::

    class OutboxMachine(DeviceMachine):
        scenario = "scenarios/outbox/happy_path.yaml"

        @invariant()
        def every_edit_is_kept_or_sent(self) -> None:
            kept = {row[0] for row in self.storage().query("outbox.db", "SELECT id FROM outbox")}
            sent = set(self.server("https://api.example.com").resources["/notes"].received_ids())
            assert set(self.edits_made()) <= kept | sent

    TestOutbox = OutboxMachine.TestCase

The scenario gives the device, the app, the servers, its written timeline (and life) and its
checks. The rules are what can happen next on that phone: a device event that is legal now
(``plug in`` only when unplugged, ``leave app`` only when the app is on screen, ...), a user edit
(``app NAME`` for each of the app module's ``ACTIONS``), a server event (an outage, a rate
limit, new items) and letting time pass. Each rule advances the same virtual-time loop a scenario
run uses (:class:`~harness.scenario._session.RunSession`); invariants run between rules and see the
live world: the trace so far (:meth:`run`), the app's storage, the servers. When the rules end, the
run goes on to the scenario's end and its checks are evaluated: a failing one fails the example.

Every drawn action is a timeline action at a virtual time: the final (shrunk) failing example is
written as a scenario file, the written timeline with the drawn actions merged in, and the
``harness replay`` command that reproduces it is printed; a failure found by the scenario's checks
replays to the same trace digest. An action happens 1 ms after the step before it (and never at
the instant of a written or life action), so its order among what is due is the order a replay
gives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import yaml
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from harness._units import MS_PER_MINUTE, format_duration_ms, parse_duration
from harness.app import AppStorage
from harness.backends import Backend
from harness.device import PlugType, ProcessState, Transport
from harness.scenario import Check, RunSession, RunView, Scenario, World, load_once

#: Server events drawn by default, mildest first (hypothesis shrinks towards the first).
DEFAULT_SERVER_EVENTS: tuple[str, ...] = (
    "server outage 10m",
    "server outage 10m timeout",
    "server outage 10m slow 5s",
    "server outage 10m reset",
    "server outage 10m malformed",
    "server rate limit 1 per 1m for 30m",
)


class DeviceMachine(RuleBasedStateMachine):
    """A state machine whose rules are device events, user edits, server events and time.

    Class attributes a subclass sets (only ``scenario`` is required):
    """

    #: The scenario: a path to its file, or a loaded :class:`~harness.scenario.Scenario`.
    scenario: ClassVar[str | Path | Scenario | None] = None
    #: The run's seed.
    seed: ClassVar[int] = 0
    #: User edits to draw (``app`` timeline actions); ``None``: ``app NAME`` for each name in the
    #: app module's ``ACTIONS`` (a scenario with one app).
    edits: ClassVar[Sequence[str] | None] = None
    #: Server events to draw (timeline actions), mildest first; ``server add 1 items to URL`` for
    #: each resource is added.
    server_events: ClassVar[Sequence[str]] = DEFAULT_SERVER_EVENTS
    #: The longest single "let time pass" step.
    max_wait: ClassVar[str] = "6h"
    #: Time kept free of drawn actions at the end of the run (the app catches up in it before the
    #: scenario's checks run).
    settle: ClassVar[str] = "0s"
    #: Actions at the start of the settle time (e.g. ``("wifi in range", "cellular in range")``
    #: so the app can catch up before the scenario's checks).
    settle_actions: ClassVar[Sequence[str]] = ()
    #: Scenario checks (``checks:`` entries) also evaluated between every two steps.
    invariant_checks: ClassVar[Sequence[str | Mapping[str, Any]]] = ()
    #: Where the final failing example's scenario file is written.
    failures_dir: ClassVar[str | Path] = "harness-failures"

    def __init__(self) -> None:
        super().__init__()
        self._scenario = self._base_scenario()
        spec = self._scenario.spec
        self._horizon_ms = spec.duration - parse_duration(self.settle)
        if self._horizon_ms <= 0:
            raise InvalidArgument(
                f"{type(self).__name__}.settle {self.settle!r} leaves no time of the "
                f"scenario's {format_duration_ms(spec.duration)} for the rules; shorten it"
            )
        self._max_wait_ms = max(MS_PER_MINUTE, parse_duration(self.max_wait))
        self._invariant_checks: list[Check] = [Check.parse(c) for c in self.invariant_checks]
        # observed: the mistake checks may be invariants
        self._session = RunSession(
            self._scenario, self.seed, isolate=True, observe=True, rest_unpatched=True
        )
        self._busy = self._session.written_instants()
        self._session.advance_to(0)  # what the timeline does at the start has happened
        #: ``(t_ms, action text)`` of every drawn action, in order
        self.steps: list[tuple[int, str]] = []
        self._failed = False

    def _base_scenario(self) -> Scenario:
        named = self.scenario
        if named is None:
            raise InvalidArgument(
                f"{type(self).__name__} names no scenario; set `scenario = 'path/to/file.yaml'` "
                "(or a loaded Scenario) on the class"
            )
        return named if isinstance(named, Scenario) else load_once(str(named))

    # --- what invariants read -------------------------------------------------------------

    @property
    def world(self) -> World:
        """The live world: device, servers, app runtime."""
        return self._session.world

    @property
    def now_ms(self) -> int:
        """Virtual time now."""
        return self._session.now_ms

    def run(self) -> RunView:
        """The run so far as a check sees a run (records, metrics, storage, servers)."""
        return self._session.view()

    def storage(self, package: str | None = None) -> AppStorage:
        """The app's storage now (preferences, hive boxes, sqlite)."""
        return self.world.storage(package)

    def server(self, origin: str) -> Backend:
        """The fake server at ``origin`` now."""
        return self.world.server(origin)

    def edits_made(self) -> list[str]:
        """Item ids the user created through ``app`` actions so far, in order."""
        return [item_id for _, item_id in self._session.fold.created_items]

    # --- the rules ------------------------------------------------------------------------

    def _package(self) -> str | None:
        packages = self.world.runtime.packages
        return packages[0] if len(packages) == 1 else None

    def device_events(self) -> list[str]:
        """The device events legal now (override to add or remove some)."""
        device = self.world.device
        events = ["unplug" if device.battery.plugged is not PlugType.NONE else "plug in"]
        for transport, name in ((Transport.WIFI, "wifi"), (Transport.CELLULAR, "cellular")):
            in_range = device.network.in_range(transport)
            events.append(f"{name} {'out of range' if in_range else 'in range'}")
        if not device.is_on:
            return events
        events += ["use phone for 10m", "reboot"]
        package = self._package()
        if package is not None:
            state = device.apps.state(package)
            if state is ProcessState.TOP:
                events.append("leave app")
            else:
                events.append("open app")
                if state is not ProcessState.NONEXISTENT:
                    events += ["kill app", "swipe away"]
        return events

    def user_edits(self) -> list[str]:
        """The user edits to draw from (see :attr:`edits`)."""
        if self.edits is not None:
            return list(self.edits)
        if len(self._scenario.apps) != 1:
            return []
        actions = getattr(self._scenario.apps[0].load(), "ACTIONS", None)
        return [f"app {name}" for name in actions] if isinstance(actions, dict) else []

    def server_changes(self) -> list[str]:
        """The server events to draw from (see :attr:`server_events`)."""
        urls = [
            f"{backend.origin}{path}"
            for backend in self.world.internet.backends
            for path in backend.resources
        ]
        return [*self.server_events, *(f"server add 1 items to {url}" for url in urls)]

    def _next_instant(self) -> int:
        t_ms = self.now_ms + 1
        while t_ms in self._busy:
            t_ms += 1
        return t_ms

    def _can_act(self) -> bool:
        return not self._session.stopped and self._next_instant() < self._horizon_ms

    def _act(self, text: str) -> None:
        t_ms = self._next_instant()
        self.steps.append((t_ms, text))
        self._session.perform(text, t_ms)

    def _guarded(self, body: Any) -> None:
        try:
            body()
        except BaseException:
            self._failed = True
            raise

    @precondition(lambda self: self._can_act())
    @rule(data=st.data())
    def device_event(self, data: st.DataObject) -> None:
        """A device event legal now happens."""
        text = data.draw(st.sampled_from(self.device_events()), label="device event")
        self._guarded(lambda: self._act(text))

    @precondition(lambda self: self._can_act() and bool(self.user_edits()))
    @rule(data=st.data())
    def user_edit(self, data: st.DataObject) -> None:
        """The user edits something in the app."""
        text = data.draw(st.sampled_from(self.user_edits()), label="user edit")
        self._guarded(lambda: self._act(text))

    @precondition(lambda self: self._can_act() and bool(self.server_changes()))
    @rule(data=st.data())
    def server_event(self, data: st.DataObject) -> None:
        """Something happens at a server: a fault, a rate limit, new items."""
        text = data.draw(st.sampled_from(self.server_changes()), label="server event")
        self._guarded(lambda: self._act(text))

    @precondition(lambda self: self._can_act())
    @rule(data=st.data())
    def let_time_pass(self, data: st.DataObject) -> None:
        """Time passes (in whole minutes; shrinks towards a minute)."""
        room = (self._horizon_ms - 1 - self.now_ms) // MS_PER_MINUTE
        most = max(1, min(self._max_wait_ms // MS_PER_MINUTE, room))
        minutes = data.draw(st.integers(1, most), label="minutes")
        target = min(self.now_ms + minutes * MS_PER_MINUTE, self._horizon_ms - 1)
        self._guarded(lambda: self._session.advance_to(target))

    @invariant()
    def harness_ran(self) -> None:
        """The run has not stopped with a harness error."""
        if self._session.stopped:
            raise AssertionError(f"the run stopped: {self._session.error}")

    @invariant()
    def scenario_invariants(self) -> None:
        """The :attr:`invariant_checks` hold now."""
        if not self._invariant_checks:
            return
        view = self._session.view()
        for check in self._invariant_checks:
            verdict = check.evaluate(view)
            if not verdict.passed:
                raise AssertionError(
                    f"{verdict.spec} broke at t={format_duration_ms(self.now_ms)}: "
                    f"{verdict.message}"
                )

    def check_invariants(self, *args: Any, **kwargs: Any) -> None:
        self._guarded(lambda: super(DeviceMachine, self).check_invariants(*args, **kwargs))

    # --- the end ----------------------------------------------------------------------------

    def teardown(self) -> None:
        """Run on to the scenario's end and evaluate its checks (unless a step already failed);
        on the final failing example, write and print the replayable scenario."""
        session = self._session
        try:
            if self._failed:
                self._report("an invariant or a step failed")
                return
            if self.settle_actions:
                session.advance_to(max(self.now_ms, self._horizon_ms - 1))
                for text in self.settle_actions:
                    self._act(text)
            session.advance_to(self._scenario.spec.duration)
            result = session.finish()
            failed = [check for check in result.record.checks if not check.passed]
            if failed or result.record.error:
                lines = [f"{check.spec}: {check.message}" for check in failed]
                if result.record.error:
                    lines.append(f"run error: {result.record.error}")
                where = self._report("the scenario's checks failed", result.record.digest)
                raise AssertionError("\n".join([*lines, *where]))
        finally:
            session.close()

    def replay_data(self) -> dict[str, Any]:
        """The scenario with the drawn actions merged into its timeline (plain data)."""
        data = dict(self._scenario.data)
        written = list(self._scenario.spec.timeline)
        entries = list(data.get("timeline") or [])
        drawn = iter(self.steps)
        pending = next(drawn, None)
        timeline: list[Any] = []
        for entry, event in zip(entries, written, strict=True):
            while pending is not None and event.at is not None and pending[0] < event.at:
                timeline.append(_entry(pending))
                pending = next(drawn, None)
            timeline.append(entry)
        while pending is not None:
            timeline.append(_entry(pending))
            pending = next(drawn, None)
        data["timeline"] = timeline
        return data

    def _report(self, what: str, digest: str | None = None) -> list[str]:
        """On the final failing example: write the scenario file and note the replay command."""
        try:
            final = current_build_context().is_final
        except InvalidArgument:  # not under hypothesis (a machine driven by hand)
            final = True
        if not final:
            return []
        text = yaml.safe_dump(self.replay_data(), sort_keys=False, allow_unicode=True)
        name = hashlib.sha256(text.encode()).hexdigest()[:12]
        path = Path(self.failures_dir) / f"{type(self).__name__}-{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lines = [
            f"{what} after {len(self.steps)} drawn action(s): {path}",
            f"replay: harness replay {path} --seed {self.seed}",
        ]
        if digest is not None:
            lines.append(f"trace digest {digest}")
        note("\n".join([*lines, "drawn timeline:", *_drawn_lines(self.steps)]))
        return lines


def _entry(step: tuple[int, str]) -> dict[str, str]:
    t_ms, text = step
    return {"at": format_duration_ms(t_ms) if t_ms else "0s", "do": text}


def _drawn_lines(steps: Sequence[tuple[int, str]]) -> Iterator[str]:
    for step in steps:
        entry = _entry(step)
        yield f"  - at: {entry['at']}\n    do: {entry['do']}"
