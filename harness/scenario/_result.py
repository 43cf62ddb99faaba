"""What a run done in this process returns: :class:`RunResult`, its record plus the live world
(the servers, the app's storage, what the app did) for assertions in tests."""

from __future__ import annotations

from dataclasses import dataclass

from harness.app import AppStorage
from harness.backends import Backend, Internet
from harness.scenario._life import DrawnLife
from harness.scenario._record import RunRecord
from harness.scenario._world import World
from harness.sim import Trace


@dataclass
class RunResult:
    """A run done in this process: its record, plus the live world for assertions."""

    record: RunRecord
    world: World
    trace: Trace
    #: The life the seed drew (``None`` for a scenario without ``life:``).
    life: DrawnLife | None = None

    @property
    def passed(self) -> bool:
        """Every check held."""
        return self.record.passed

    @property
    def internet(self) -> Internet:
        """The servers after the run."""
        return self.world.internet

    def storage(self, package: str | None = None) -> AppStorage:
        """The app's storage at the end of the run (:meth:`World.storage`)."""
        return self.world.storage(package)

    def server(self, origin: str) -> Backend:
        """The fake server at ``origin`` after the run (:meth:`World.server`)."""
        return self.world.server(origin)

    @property
    def backend(self) -> _BackendView:
        """What the servers received (across all of them)."""
        return _BackendView(self.world.internet)

    @property
    def app(self) -> _AppView:
        """What the app did that the harness saw (user actions, notifications)."""
        return _AppView(self.trace, self.world)


class _BackendView:
    def __init__(self, internet: Internet) -> None:
        self._internet = internet

    def received_ids(self) -> list[str]:
        """Every item id uploads applied, repeats included, in order."""
        return [
            item_id
            for backend in self._internet.backends
            for resource in backend.resources.values()
            for item_id in resource.received_ids()
        ]

    def duplicate_ids(self) -> list[str]:
        """Item ids applied by more than one upload."""
        return sorted(
            item_id
            for backend in self._internet.backends
            for resource in backend.resources.values()
            for item_id in resource.duplicate_ids()
        )

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests the servers got (optionally by method and path)."""
        return sum(b.requests.count(method, path) for b in self._internet.backends)


class _AppView:
    def __init__(self, trace: Trace, world: World) -> None:
        self._trace = trace
        self._world = world

    def created_ids(self) -> list[str]:
        """Item ids the user created through ``app`` actions, in order."""
        return [
            str(item_id)
            for record in self._trace.of_kind("app.action")
            for item_id in record.get("created_ids") or ()
        ]

    edits_made = created_ids

    def notifications(self) -> list[str]:
        """Titles of the notifications the app showed."""
        return [n.title for n in self._world.runtime.notifications]
