"""``BGContinuedProcessingTask`` (iOS 26) and the ``Progress`` it reports.

BGTask.h: "``BGContinuedProcessingTask``s _must_ report progress via the ``NSProgressReporting``
protocol conformance during runtime and are subject to expiration based on changing system
conditions and user input. Tasks that appear stalled may be forcibly expired by the scheduler to
preserve system resources." The task's ``title`` and ``subtitle`` are what the Live Activity shows;
``update_title`` changes them (bgcontinuedprocessingtask/updatetitle(_:subtitle:)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.ios._enums import TaskKind
from harness.ios._task import BGTask

if TYPE_CHECKING:
    from harness.ios._launches import Activity


class Progress:
    """Foundation's ``Progress`` as a continued-processing task reports it: units done of a
    total. Every change of ``completed_unit_count`` is progress the system sees."""

    __slots__ = ("_completed", "_on_change", "_total")

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._total = 0
        self._completed = 0
        self._on_change = on_change

    @property
    def total_unit_count(self) -> int:
        """``totalUnitCount``: how many units the work has (0: not known yet)."""
        return self._total

    @total_unit_count.setter
    def total_unit_count(self, value: int) -> None:
        self._total = value

    @property
    def completed_unit_count(self) -> int:
        """``completedUnitCount``: how many units are done; setting a new value reports
        progress."""
        return self._completed

    @completed_unit_count.setter
    def completed_unit_count(self, value: int) -> None:
        if value != self._completed:
            self._completed = value
            self._on_change()

    @property
    def fraction_completed(self) -> float:
        """``fractionCompleted``: completed / total (0.0 while the total is 0)."""
        return self._completed / self._total if self._total > 0 else 0.0

    @property
    def is_finished(self) -> bool:
        """``isFinished``: a known total, all of it completed."""
        return self._total > 0 and self._completed >= self._total

    def __repr__(self) -> str:
        return f"Progress({self._completed}/{self._total})"


class BGContinuedProcessingTask(BGTask):
    """``BGContinuedProcessingTask``: launched, in the foreground, for a
    ``BGContinuedProcessingTaskRequest``; it goes on in the background until the app completes
    it, the user cancels it in the Live Activity (its expiration handler runs), the system
    expires it (progress stalled) or the app dies (a force-quit: no expiration handler)."""

    __slots__ = ("_last_progress_ms", "_now", "_subtitle", "_title", "progress")
    kind = TaskKind.CONTINUED_PROCESSING

    def __init__(
        self,
        identifier: str,
        activity: Activity,
        *,
        title: str,
        subtitle: str,
        now: Callable[[], int],
    ) -> None:
        super().__init__(identifier, activity)
        self._title = title
        self._subtitle = subtitle
        self._now = now
        self._last_progress_ms = now()
        #: ``progress`` (``ProgressReporting``): set its units as the work goes on.
        self.progress = Progress(self._progressed)

    @property
    def title(self) -> str:
        """The Live Activity's title."""
        return self._title

    @property
    def subtitle(self) -> str:
        """The Live Activity's subtitle."""
        return self._subtitle

    @property
    def last_progress_ms(self) -> int:
        """When progress last changed (the start, before any)."""
        return self._last_progress_ms

    def update_title(self, title: str, subtitle: str) -> None:
        """``updateTitle(_:subtitle:)``: what the Live Activity shows from now on."""
        self._title = title
        self._subtitle = subtitle

    def _progressed(self) -> None:
        self._last_progress_ms = self._now()

    def __repr__(self) -> str:
        return (
            f"BGContinuedProcessingTask({self.identifier!r}, {self.progress!r}, "
            f"completed={self.completed})"
        )
