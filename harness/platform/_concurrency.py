"""How many jobs run at once: ``JobConcurrencyManager``'s slots; the rest wait as pending.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/JobConcurrencyManager.java``
(``assignJobsToContextsInternalLocked``/``determineAssignmentsLocked``): ready jobs are the pending
queue; each takes a free ``JobServiceContext`` while fewer than the limit run, and the others stay
pending until a running job ends (``onJobCompletedLocked`` starts the next one). Modelled:

* the steady-state limit (:attr:`ConcurrencyLimits.total`, the device profile's
  ``jobscheduler.concurrency_limit``): ``MAX_JOB_CONTEXTS_COUNT`` 16 on Android 12,
  ``STANDARD_CONCURRENCY_LIMIT`` 16 on 13, ``DEFAULT_CONCURRENCY_LIMIT`` by RAM from 14 on
  (8 low-RAM, 16 up to 6 GB, 20, 32, 40);
* per-app limits from Android 13 (``isPkgConcurrencyLimitedLocked``): while at least the limit of
  jobs are pending or running, one app runs at most ``DEFAULT_PKG_CONCURRENCY_LIMIT_EJ`` (3)
  expedited jobs and ``DEFAULT_PKG_CONCURRENCY_LIMIT_REGULAR`` (half the limit) regular ones;
  the TOP app is not limited ("Don't restrict top apps' concurrency");
* from Android 14, an expedited job of the TOP app starts at once even with every slot taken
  (``hasImmediacyPrivilegeLocked``: a fresh context beyond the limit).

Not modelled: the work-type reservations and caps of ``WorkTypeConfig`` (the screen-on totals of
3/4 of the limit, background jobs at most 50-60 % of it), memory-pressure configs, preemption of
jobs past their minimum guarantee, and the max-wait bypass that adds a slot after 5 or 30 min.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from harness.platform._decision import Blocker, SlotShortage, Verdict
from harness.platform._jobs import JobStatus

#: ``DEFAULT_PKG_CONCURRENCY_LIMIT_EJ`` (Android 13+).
PACKAGE_EXPEDITED_LIMIT: Final = 3


@dataclass(frozen=True, slots=True)
class ConcurrencyLimits:
    """The limits of one release and device: ``total`` jobs at once, and per app (``None``: no
    per-app limit, Android 12) ``package_expedited`` EJs and ``package_regular`` regular jobs."""

    total: int
    package_expedited: int | None
    package_regular: int | None
    top_expedited_bypass: bool  # hasImmediacyPrivilegeLocked (14+)

    @classmethod
    def for_version(cls, platform_version: int, total: int) -> ConcurrencyLimits:
        """The limits of an Android release with the device's steady-state ``total``."""
        if platform_version <= 12:
            return cls(total, None, None, top_expedited_bypass=False)
        # DEFAULT_PKG_CONCURRENCY_LIMIT_REGULAR = DEFAULT_CONCURRENCY_LIMIT / 2 (13: 8 of 16)
        return cls(
            total,
            PACKAGE_EXPEDITED_LIMIT,
            total // 2,
            top_expedited_bypass=platform_version >= 14,
        )


class SlotPass:
    """One assignment pass over the pending queue: the running jobs, counted by app and kind,
    and the jobs staged in this pass (``PackageStats`` running + staged)."""

    def __init__(self, limits: ConcurrencyLimits, running: Iterable[JobStatus], pending: int):
        self.limits = limits
        self._per_app: Counter[tuple[str, bool]] = Counter()
        self._count = 0
        for status in running:
            self._note(status)
        # isPkgConcurrencyLimitedLocked: per-app limits only while the pending queue plus the
        # running jobs fill the slots ("Use < instead of <=")
        self._saturated = pending + self._count >= limits.total

    def blocker(self, status: JobStatus, *, top: bool) -> Verdict | None:
        """Why the ready job gets no slot now (``None``: it may start)."""
        limits = self.limits
        expedited = status.job.expedited
        if top and expedited and limits.top_expedited_bypass:
            return None
        if self._count >= limits.total:
            return Verdict(Blocker.CONCURRENCY, shortage=SlotShortage(limits.total))
        per_app = limits.package_expedited if expedited else limits.package_regular
        if (
            per_app is not None
            and self._saturated
            and not top
            and self._per_app[(status.job.package, expedited)] >= per_app
        ):
            return Verdict(Blocker.CONCURRENCY, shortage=SlotShortage(per_app, expedited))
        return None

    def started(self, status: JobStatus) -> None:
        """The job took a slot."""
        self._note(status)

    def _note(self, status: JobStatus) -> None:
        self._count += 1
        self._per_app[(status.job.package, status.job.expedited)] += 1
