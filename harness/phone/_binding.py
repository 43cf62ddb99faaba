"""Joining the device, the system job scheduler and the app runtime of one run.

The device decides when processes start and die; the job scheduler decides when jobs run; the app
runtime holds app instances and WorkManagers. :class:`DeviceBinding` wires them the way Android
does:

* a job starting binds the app's JobService (the process starts if needed, and stays SERVICE),
  holds the job's wake lock, counts as a wake-up, and keeps a doze maintenance window open;
* a process start creates the app instance and its WorkManager (``ForceStopRunnable`` runs, and
  knows whether the app was force-stopped); a user launch runs ``main()``;
* a process death drops the instance and WorkManager; JobScheduler keeps its jobs;
* the cached-app freezer (``binding.freezer``) freezes a process cached for
  its debounce timeout and thaws it when it leaves the cached state: the process's code (a
  greedy run in progress, its tasks and timers) is held back by the loop and its
  ``GreedyScheduler`` runs nothing while it is frozen; a kill ends a frozen process as any other;
* a force-stop or ``pm clear`` cancels every job of the app (``ACTION_PACKAGE_RESTARTED``);
* a shutdown drops every job (WorkManager's jobs are not persisted); at BOOT_COMPLETED every app
  whose ``RescheduleReceiver`` is enabled (``harness.workmanager.reschedule_on_boot``) is started
  so WorkManager reschedules its work;
* ``cmd jobscheduler`` and ``dumpsys jobscheduler`` join the device's adb shell
  (``harness.platform.register_jobscheduler_shell``).

Each app's HTTP goes through :class:`~harness.phone.AppNetworkPort`: the device's default
network, unless a firewall chain blocks the app (``harness.platform.app_firewall``). The rules
live in their layers; this module only wires them.
"""

from __future__ import annotations

from harness.app import AppRuntime
from harness.background_fetch import AndroidBackgroundFetch
from harness.device import (
    BootCompleted,
    Device,
    ProcessDied,
    ProcessStarted,
    Shutdown,
    StartResult,
)
from harness.phone._freezer import CachedAppFreezer
from harness.phone._why import why_not_running
from harness.platform import (
    Alarm,
    AlarmManagerService,
    DeviceAdapter,
    JobInfo,
    JobSchedulerService,
    register_jobscheduler_shell,
)
from harness.workmanager import GreedyScheduler, SystemJobScheduler, reschedule_on_boot


class DeviceBinding:
    """Wires one run's device, job scheduler and app runtime together."""

    def __init__(
        self,
        device: Device,
        service: JobSchedulerService,
        runtime: AppRuntime,
        view: DeviceAdapter,
        *,
        alarms: AlarmManagerService | None = None,
        background_fetch: AndroidBackgroundFetch | None = None,
    ) -> None:
        self.device = device
        self.service = service
        self.runtime = runtime
        self.view = view
        #: The device's AlarmManager: its alarms start the app's process and wake the device.
        self.alarms = alarms if alarms is not None else AlarmManagerService(device.sim, view)
        self.alarms.process_starter = self._start_for_broadcast
        self.alarms.fired.connect(self._on_alarm_fired)
        #: The ``background_fetch`` plugin's Android side (its service, receivers and boot).
        self.background_fetch = background_fetch
        self._boot_pending: set[str] = set()
        self._running: dict[str, list[JobInfo]] = {}
        self._force_stopped: set[str] = set()
        self._launch_pending: set[str] = set()
        service.set_process_starter(self._start_for_job)
        service.run_changed.connect(self._on_run_changed)
        apps = device.apps
        apps.process_started.connect(self._on_process_started)
        apps.process_died.connect(self._on_process_died)
        apps.launched.connect(self._on_launched)
        apps.force_stopped.connect(self._on_force_stopped)
        apps.data_cleared.connect(self._on_data_cleared)
        device.shutting_down.connect(self._on_shutdown)
        device.boot_completed.connect(self._on_boot_completed)
        register_jobscheduler_shell(device.shell_commands, service, device.apps.is_installed)
        #: The cached-app freezer: it stops (and resumes) each process's GreedyScheduler.
        self.freezer = CachedAppFreezer(
            device.sim, device, self._on_frozen, exempt=self._runs_foreground_service
        )
        device.power.cpu_woke.connect(self._on_cpu_woke)

    def running_jobs(self, package: str) -> list[JobInfo]:
        """Jobs of ``package`` running now."""
        return list(self._running.get(package, ()))

    # --- jobs <-> device ------------------------------------------------------------------

    def _start_for_job(self, package: str, reason: str) -> bool:
        return self.device.apps.start_process(package, reason) is not StartResult.REFUSED

    def _start_for_broadcast(self, package: str, reason: str) -> bool:
        """An alarm's broadcast: the process starts if needed; a cached one is let out of the
        freezer for the receiver (BroadcastQueue: ``unfreezeTemporarily``)."""
        if not self._start_for_job(package, reason):
            return False
        self.freezer.unfreeze_temporarily(package, "a broadcast reached its receiver")
        return True

    def _on_run_changed(self, change: tuple[JobInfo, bool]) -> None:
        job, running = change
        tag = job.wakelock_tag
        jobs = self._running.setdefault(job.package, [])
        if running:
            jobs.append(job)
            self.device.power.note_wakeup(f"job:{job.package}")
            self.device.power.acquire_wakelock(tag)
            self.device.apps.bind_service(job.package, tag)
        else:
            if job in jobs:
                jobs.remove(job)
            self.device.power.release_wakelock(tag)
            self.device.apps.unbind_service(job.package, tag)
        self.device.doze.set_jobs_active(any(self._running.values()))

    def _on_alarm_fired(self, alarm: Alarm) -> None:
        self.device.power.note_wakeup(f"alarm:{alarm.package}")

    # --- processes ------------------------------------------------------------------------

    def _greedy(self, package: str) -> list[GreedyScheduler]:
        process = self.runtime.process(package)
        if process is None:
            return []
        return [s for s in process.work_manager.schedulers if isinstance(s, GreedyScheduler)]

    def _runs_foreground_service(self, package: str) -> bool:
        process = self.runtime.process(package)
        return process is not None and any(
            isinstance(scheduler, SystemJobScheduler) and scheduler.foreground_service_running
            for scheduler in process.work_manager.schedulers
        )

    def _on_frozen(self, package: str, frozen: bool, reason: str) -> None:
        # the process's own code first (a run in progress, its timers), then GreedyScheduler,
        # whose deferred schedule calls and timeouts run at the thaw
        if frozen:
            self.runtime.freeze_process(package)
        else:
            self.runtime.thaw_process(package, reason=reason)
        for scheduler in self._greedy(package):
            scheduler.set_frozen(frozen)

    def _on_cpu_woke(self, _reason: str) -> None:
        for package in self.runtime.packages:
            for scheduler in self._greedy(package):
                scheduler.cpu_woke()

    def _on_process_started(self, started: ProcessStarted) -> None:
        package = started.package
        force_stopped = package in self._force_stopped
        self._force_stopped.discard(package)
        self.runtime.start_process(package, reason=started.reason, force_stopped=force_stopped)
        # the app's declared services and receivers can run now (background_fetch's)
        self.service.process_up(package)
        if self.background_fetch is not None:
            self.background_fetch.process_started(package)
            if package in self._boot_pending:
                self._boot_pending.discard(package)
                self.background_fetch.on_boot(package)
        if started.for_launch or package in self._launch_pending:
            self._launch_pending.discard(package)
            self.runtime.launch(package)

    def _on_launched(self, package: str) -> None:
        if self.runtime.process(package) is not None:
            self.runtime.launch(package)
        else:
            self._launch_pending.add(package)

    def _on_process_died(self, died: ProcessDied) -> None:
        process = self.runtime.process(died.package)
        if process is not None:
            for scheduler in process.work_manager.schedulers:
                if isinstance(scheduler, SystemJobScheduler):
                    scheduler.detach()
        self.service.process_down(died.package)
        self.runtime.kill_process(died.package, reason=died.detail)
        self._launch_pending.discard(died.package)

    def _on_force_stopped(self, package: str) -> None:
        self.service.cancel_all(package, reason="app force stopped")
        self.alarms.cancel_all(package, reason="app force stopped")
        self._force_stopped.add(package)

    def _on_data_cleared(self, package: str) -> None:
        self.service.cancel_all(package, reason="app data cleared")
        self.alarms.cancel_all(package, reason="app data cleared")
        self.runtime.clear_data(package)
        self._force_stopped.discard(package)

    def _on_shutdown(self, shutdown: Shutdown) -> None:
        self.service.drop_all(reason=f"shutdown: {shutdown.reason}")
        self.alarms.drop_all(reason=f"shutdown: {shutdown.reason}")
        self._running.clear()

    def _on_boot_completed(self, boot: BootCompleted) -> None:
        del boot
        for package in self.runtime.packages:
            fetch_boot = (
                self.background_fetch is not None and package in self.background_fetch.packages
            )
            if fetch_boot:
                # background_fetch's BootReceiver (BOOT_COMPLETED) runs onBoot in the process
                self._boot_pending.add(package)
            if reschedule_on_boot(self.runtime.database(package)) or fetch_boot:
                self.device.apps.start_process(package, "BOOT_COMPLETED")

    def why_not_running(self, package: str, work_spec_id: str) -> str:
        """Why ``package``'s work ``work_spec_id`` is not running now (:func:`why_not_running`)."""
        return why_not_running(self, package, work_spec_id)
