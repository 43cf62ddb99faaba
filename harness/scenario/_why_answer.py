"""One answer of ``harness why``: a work (Android) or a background task (iOS) at an instant."""

from __future__ import annotations

from dataclasses import dataclass

from harness.scenario._record import WhyEntry


@dataclass(frozen=True, slots=True)
class WorkWhy:
    """One work at one instant: whether it runs, the phone's reason, the system's verdict.

    On Android a work is a WorkManager work (``work`` its id, ``state`` its ``WorkInfo.State``,
    ``blocker`` JobScheduler's ``Blocker`` value); on iOS it is a background task of an app
    (``work`` its ``BGTaskScheduler`` identifier, ``state`` ``PENDING``, ``RUNNING`` or
    ``NOT_PENDING``, ``blocker`` the ``harness.ios.WaitCause`` value).
    """

    #: the virtual instant asked about
    t_ms: int
    package: str
    work: str
    label: str
    state: str
    running: bool
    finished: bool
    reason: str
    #: JobScheduler's verdict in words, when the work is handed to it (else ``None``)
    verdict: str | None
    #: the verdict's ``Blocker`` value (``"constraint"``, ``"doze"``...), or ``None``
    blocker: str | None
    #: the work's tags and unique names (what ``harness why ... WORK`` matches besides its id)
    names: tuple[str, ...]
    #: where the rule behind ``reason`` comes from (an Apple page, docs/ios.md), or ``None``
    source: str | None = None
    #: ``android`` or ``ios``
    platform: str = "android"

    @property
    def short_id(self) -> str:
        """How the command line names the work: an id's first 8 characters (Android), the
        whole identifier (iOS)."""
        return self.work[:8] if self.platform == "android" else self.work

    def entry(self, t_ms: int, at: str) -> WhyEntry:
        """The report's form of this answer."""
        return WhyEntry(
            t_ms=t_ms,
            at=at,
            package=self.package,
            work=self.work,
            label=self.label,
            state=self.state,
            reason=self.reason,
            blocker=self.blocker,
            source=self.source,
        )
