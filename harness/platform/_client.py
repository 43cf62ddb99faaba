"""Who runs a job: the app's ``JobService`` and the starter of its process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from harness.platform._job_info import JobInfo
from harness.platform._job_parameters import JobStopReason


class JobClient(Protocol):
    """An app process's ``JobService`` (``onStartJob``/``onStopJob``)."""

    def on_start_job(self, job: JobInfo) -> bool:
        """Start the job's work; ``False`` if there is nothing to run (finish it at once)."""
        ...

    def on_stop_job(self, job: JobInfo, reason: JobStopReason) -> bool:
        """Stop the job's work; ``True`` asks to keep the job scheduled (reschedule)."""
        ...


#: Starts (or finds running) ``package``'s process for a job (``reason``); ``False`` if it cannot
#: start (the app is force-stopped, the device is off). A started process registers its
#: JobService with ``JobSchedulerService.register_client`` when it is up.
ProcessStarter = Callable[[str, str], bool]
