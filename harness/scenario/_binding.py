"""Joining the device, the system job scheduler and the app runtime of one run.

The device decides when processes start and die; the job scheduler decides when jobs run; the app
runtime holds app instances and WorkManagers. :class:`DeviceBinding` wires them the way Android
does:

* a job starting binds the app's JobService (the process starts if needed, and stays SERVICE),
  holds the job's wake lock, counts as a wake-up, and keeps a doze maintenance window open;
* a process start creates the app instance and its WorkManager (``ForceStopRunnable`` runs, and
  knows whether the app was force-stopped); a user launch runs ``main()``;
* a process death drops the instance and WorkManager; JobScheduler keeps its jobs;
* a force-stop or ``pm clear`` cancels every job of the app (``ACTION_PACKAGE_RESTARTED``);
* a shutdown drops every job (WorkManager's jobs are not persisted); at BOOT_COMPLETED every app
  with unfinished work is started so WorkManager reschedules it (``RescheduleReceiver``);
* ``cmd jobscheduler`` and ``dumpsys jobscheduler`` join the device's adb shell.

Each app's HTTP goes through :class:`AppNetworkPort`: the device's default network, unless the app
is firewalled (doze, battery saver, or a RARE/RESTRICTED standby bucket while it runs no job).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from harness.app import App, AppRuntime, Link
from harness.backends import Internet
from harness.device import (
    BootCompleted,
    Device,
    ProcessDied,
    ProcessStarted,
    Shutdown,
    StartResult,
    Transport,
)
from harness.platform import (
    Bucket,
    DozeState,
    JobIds,
    JobInfo,
    JobSchedulerService,
    JobShellError,
    SystemJobScheduler,
    cmd_jobscheduler,
    dumpsys_jobscheduler,
    system_job_schedulers,
)
from harness.platform._device_adapter import DeviceAdapter
from harness.sim import Signal, Simulation
from harness.workmanager import State


def job_tag(job: JobInfo) -> str:
    """The job's wake lock tag (``*job*/<service>``)."""
    return (
        f"*job*/{job.package}/androidx.work.impl.background.systemjob.SystemJobService#{job.job_id}"
    )


class AppNetworkPort:
    """What one app's HTTP sees: the default network, or none while the app is firewalled."""

    def __init__(self, binding: DeviceBinding, package: str) -> None:
        self._binding = binding
        self._package = package
        self.changed: Signal[object] = Signal(f"app.{package}.network")
        self._seen = self._what_the_app_sees()
        binding.view.changed.connect(self._on_device_changed)

    def _what_the_app_sees(self) -> tuple[int, str | None]:
        """The network generation and the firewall reason: a change of either cuts requests."""
        return self._binding.device.network.generation, self.blocked_reason()

    def _on_device_changed(self, _what: str) -> None:
        # The device view changes on every battery percent or doze step; only a different
        # network (or a firewall going up) may cut an app's requests in flight.
        seen = self._what_the_app_sees()
        if seen != self._seen:
            self._seen = seen
            self.changed.emit(seen)

    def blocked_reason(self) -> str | None:
        """Why the app has no network now (``None``: it has one)."""
        binding = self._binding
        view = binding.view
        package = self._package
        if view.is_top(package):
            return None
        running = binding.running_jobs(package)
        expedited = any(job.expedited for job in running)
        if view.doze is DozeState.IDLE and not expedited:
            return "doze"
        if view.battery_saver and not expedited:
            return "battery saver"
        if view.standby_bucket(package) >= Bucket.RARE and not running:
            return "standby bucket"
        return None

    def link(self) -> Link | None:
        """The link for a new request, or ``None`` (no network, or firewalled)."""
        if self.blocked_reason() is not None:
            return None
        quality = self._binding.device.network.sample_link()
        if quality is None or quality.transport is Transport.NONE:
            return None
        return Link(
            transport=quality.transport.value,
            metered=quality.metered,
            latency_ms=quality.latency_ms,
            up_bytes_per_s=quality.up_bytes_per_s,
            down_bytes_per_s=quality.down_bytes_per_s,
            loss=quality.loss,
        )

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        """Radio energy and activity, charged to the app."""
        self._binding.device.power.note_transfer(
            bytes_up, bytes_down, link.transport, tag=f"network:{self._package}"
        )


class DeviceBinding:
    """Wires one run's device, job scheduler and app runtime together."""

    def __init__(
        self, device: Device, service: JobSchedulerService, runtime: AppRuntime, view: DeviceAdapter
    ) -> None:
        self.device = device
        self.service = service
        self.runtime = runtime
        self.view = view
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
        device.shell_commands.register(
            "cmd jobscheduler",
            self._shell_cmd,
            usage="cmd jobscheduler run [-f] PKG ID | timeout [PKG [ID]] | get-job-state PKG ID",
        )
        device.shell_commands.register(
            "dumpsys jobscheduler", self._shell_dumpsys, usage="dumpsys jobscheduler [PKG]"
        )

    def running_jobs(self, package: str) -> list[JobInfo]:
        """Jobs of ``package`` running now."""
        return list(self._running.get(package, ()))

    # --- jobs <-> device ------------------------------------------------------------------

    def _start_for_job(self, package: str, reason: str) -> bool:
        return self.device.apps.start_process(package, reason) is not StartResult.REFUSED

    def _on_run_changed(self, change: tuple[JobInfo, bool]) -> None:
        job, running = change
        tag = job_tag(job)
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

    # --- processes ------------------------------------------------------------------------

    def _on_process_started(self, started: ProcessStarted) -> None:
        package = started.package
        force_stopped = package in self._force_stopped
        self._force_stopped.discard(package)
        self.runtime.start_process(package, reason=started.reason, force_stopped=force_stopped)
        if started.reason == "launch" or package in self._launch_pending:
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
        self.runtime.kill_process(died.package, reason=died.detail)
        self._launch_pending.discard(died.package)

    def _on_force_stopped(self, package: str) -> None:
        self.service.cancel_all(package, reason="app force stopped")
        self._force_stopped.add(package)

    def _on_data_cleared(self, package: str) -> None:
        self.service.cancel_all(package, reason="app data cleared")
        self.runtime.clear_data(package)
        self._force_stopped.discard(package)

    def _on_shutdown(self, shutdown: Shutdown) -> None:
        self.service.drop_all(reason=f"shutdown: {shutdown.reason}")
        self._running.clear()

    def _on_boot_completed(self, boot: BootCompleted) -> None:
        del boot
        for package in self.runtime.packages:
            database = self.runtime.database(package)
            if database.work_spec_dao.get_all_unfinished_work():
                # RescheduleReceiver: WorkManager reschedules everything at the next start.
                database.mark_reschedule_needed()
                self.device.apps.start_process(package, "BOOT_COMPLETED")

    # --- adb shell --------------------------------------------------------------------------

    def _shell_cmd(self, args: list[str]) -> str:
        try:
            return cmd_jobscheduler(self.service, args, self.device.apps.is_installed)
        except JobShellError as error:
            return f"{error}\n"

    def _shell_dumpsys(self, args: list[str]) -> str:
        return dumpsys_jobscheduler(self.service, args)

    # --- why not yet --------------------------------------------------------------------------

    def why_not_running(self, package: str, work_spec_id: str) -> str:
        """Why ``package``'s work ``work_spec_id`` is not running now, in the order a phone
        decides it: WorkManager's own state (finished, blocked by prerequisites), the device
        being off, the app force-stopped, the work not handed to JobScheduler, then JobScheduler's
        verdict (constraints, doze, battery saver, standby quota, batching, delay or backoff)."""
        database = self.runtime.database(package)
        spec = database.work_spec_dao.get_work_spec(work_spec_id)
        if spec is None:
            return f"{package} has no work {work_spec_id} (never enqueued, or pruned)"
        if spec.state is State.RUNNING:
            return "running"
        if spec.state.is_finished:
            return f"finished: {spec.state.name}"
        if spec.state is State.BLOCKED:
            waiting = ", ".join(
                f"{prerequisite} ({state.name})"
                for prerequisite, state in database.dependency_dao.get_prerequisite_states(
                    work_spec_id
                )
            )
            return f"blocked: waiting for its prerequisite work to succeed: {waiting}"
        if not self.device.is_on:
            return f"the device is {self.device.state.value}: nothing runs until it has booted"
        if self.device.apps.is_stopped(package):
            return (
                "the app is force-stopped: nothing runs until the user opens it "
                "(then ForceStopRunnable reschedules its work)"
            )
        if spec.schedule_requested_at < 0:  # SCHEDULE_NOT_REQUESTED_YET
            return (
                "not handed to JobScheduler yet: WorkManager keeps at most maxSchedulerLimit (20) "
                "jobs scheduled at a time (Schedulers.schedule)"
            )
        reason = self.service.explain(package, work_spec_id)
        if reason.startswith("no job"):
            return (
                "WorkManager marked it scheduled but JobScheduler holds no job for it (an "
                "expedited request refused for lack of quota with DROP_WORK_REQUEST, or jobs "
                "lost at a reboot until the app's RescheduleReceiver runs)"
            )
        if reason.startswith("waiting until") and spec.run_attempt_count > 0:
            attempts = spec.run_attempt_count
            return f"backoff after {attempts} attempt{'s' if attempts > 1 else ''}: {reason}"
        return reason


class _DeviceData:
    """A package's data area on the device's storage (wiped by ``pm clear``)."""

    def __init__(self, device: Device, package: str) -> None:
        self._device = device
        self._package = package

    def database(self, name: str) -> sqlite3.Connection:
        return self._device.storage.database(self._package, name)


class PhoneAppRuntime(AppRuntime):
    """The app runtime of a simulated phone: installing an app installs it on the device too."""

    def __init__(self, sim: Simulation, internet: Internet, device: Device, **wiring: Any) -> None:
        super().__init__(sim, internet, **wiring)
        self._device = device

    def install(self, app: App) -> None:
        """Install ``app`` on the device (standby NEVER until opened) and in the runtime."""
        if not self._device.apps.is_installed(app.package):
            self._device.install(app.package)
        super().install(app)


def bind_phone(sim: Simulation, device: Device, internet: Internet) -> DeviceBinding:
    """Join ``device`` to a JobScheduler and an app runtime whose apps use its network, storage
    and scheduler, as a run's world does: apps' HTTP goes through the device's default network
    (or is firewalled) to ``internet``; their WorkManager hands work to the device's
    JobScheduler; their data lives on the device's storage."""
    view = DeviceAdapter(device)
    service = JobSchedulerService(sim, view)
    ids = JobIds()
    binding: DeviceBinding | None = None

    def network_for(package: str) -> AppNetworkPort:
        assert binding is not None
        return AppNetworkPort(binding, package)

    runtime = PhoneAppRuntime(
        sim,
        internet,
        device,
        network_for=network_for,
        schedulers_for=lambda package: system_job_schedulers(service, package, ids),
        data_for=lambda package: _DeviceData(device, package),
    )
    binding = DeviceBinding(device, service, runtime, view)
    return binding
