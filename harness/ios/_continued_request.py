"""``BGContinuedProcessingTaskRequest`` (iOS 26): work the user starts in the foreground that may
go on after the app leaves it, and the rules its identifier follows.

Sources: Apple's ``BGTaskRequest.h`` / ``BGTaskScheduler.h`` (iOS 26 SDK) and the pages
developer.apple.com/documentation/backgroundtasks/bgcontinuedprocessingtaskrequest,
.../init(identifier:title:subtitle:), .../strategy, .../submissionstrategy/{fail,queue},
.../requiredresources and "Performing long-running tasks on iOS and iPadOS".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from harness.ios._enums import TaskKind
from harness.ios._requests import BGTaskRequest

#: The entitlement a request needs for ``requiredResources = .gpu`` (BGTaskRequest.h: "Applications
#: must have the `com.apple.developer.background-tasks.continued-processing.gpu` entitlement").
GPU_ENTITLEMENT = "com.apple.developer.background-tasks.continued-processing.gpu"


class SubmissionStrategy(enum.IntEnum):
    """``BGContinuedProcessingTaskRequest.SubmissionStrategy``, Apple's raw values."""

    #: "Fail the submission if there is no room for the task request, or if the system is under
    #: substantial load": ``submit`` throws ``immediateRunIneligible`` (code 4).
    FAIL = 0
    #: "Add the request to the back of a queue": it starts as soon as there is room; the
    #: default; queued requests are cancelled when the user swipes the app away.
    QUEUE = 1


class ContinuedProcessingResources(enum.IntFlag):
    """``BGContinuedProcessingTaskRequest.Resources``: extra system resources a task needs."""

    #: "No special system resources required": background CPU and network.
    DEFAULT = 0
    #: Background GPU use; needs :data:`GPU_ENTITLEMENT` and a device that supports it
    #: (``BGTaskScheduler.supportedResources``).
    GPU = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BGContinuedProcessingTaskRequest(BGTaskRequest):
    """``BGContinuedProcessingTaskRequest(identifier:title:subtitle:)``.

    ``title`` and ``subtitle`` are what the system's Live Activity shows; ``strategy`` defaults
    to :attr:`SubmissionStrategy.QUEUE` and ``required_resources`` to
    :attr:`ContinuedProcessingResources.DEFAULT` (BGTaskRequest.h). ``earliest_begin_ms`` is
    accepted and ignored: "earliestBeginDate will be outright ignored by the scheduler in favor of
    NSDate.now". The identifier must match a wildcard entry of
    ``BGTaskSchedulerPermittedIdentifiers`` (``<bundle id>[.<context>].*``, see
    :func:`wildcard_for`), e.g. ``com.foo.app.export.HD830D``.
    """

    title: str
    subtitle: str
    strategy: SubmissionStrategy = SubmissionStrategy.QUEUE
    required_resources: ContinuedProcessingResources = ContinuedProcessingResources.DEFAULT

    @property
    def kind(self) -> TaskKind:
        """Always :attr:`TaskKind.CONTINUED_PROCESSING`."""
        return TaskKind.CONTINUED_PROCESSING


def wildcard_for(identifier: str, permitted: tuple[str, ...], bundle_id: str) -> str | None:
    """The ``BGTaskSchedulerPermittedIdentifiers`` entry that permits the continued-processing
    ``identifier``, or ``None``.

    init(identifier:title:subtitle:): "The identifier must leverage a base wildcard notation,
    where the prefix of the identifier must at least contain the bundle ID of the submitting
    application, followed by optional semantic context, and finally ending with `.*`": an entry
    ``com.foo.app.export.*`` permits ``com.foo.app.export.HD830D`` (and, as the flutter
    ``workmanager`` plugin submits it, the entry itself); an entry whose prefix is not the
    bundle id permits nothing.
    """
    for entry in permitted:
        if not entry.endswith(".*"):
            continue
        prefix = entry[:-1]  # "com.foo.app.export."
        if not (prefix == f"{bundle_id}." or prefix.startswith(f"{bundle_id}.")):
            continue
        if identifier.startswith(prefix) and len(identifier) > len(prefix):
            return entry
    return None
