"""``bind_phone``: one simulated phone, built as a run's world builds it."""

from __future__ import annotations

from collections.abc import Mapping

from harness.backends import Internet
from harness.background_fetch import AndroidBackgroundFetch, attach_android
from harness.device import Device
from harness.phone._binding import DeviceBinding
from harness.phone._freezer import DeviceTrackers
from harness.phone._network import AppNetworkPort
from harness.phone._runtime import PhoneAppRuntime, _DeviceData
from harness.platform import AlarmManagerService, DeviceAdapter, JobSchedulerService
from harness.sim import Simulation
from harness.workmanager import (
    GreedyScheduler,
    JobIds,
    Scheduler,
    SchedulerFactory,
    WorkManager,
    system_job_schedulers,
)


def bind_phone(
    sim: Simulation,
    device: Device,
    internet: Internet,
    *,
    versions: Mapping[str, str] | None = None,
) -> DeviceBinding:
    """Join ``device`` to a JobScheduler and an app runtime whose apps use its network, storage
    and scheduler, as a run's world does: apps' HTTP goes through the device's default network
    (or is firewalled) to ``internet``; their WorkManager hands work to the device's
    JobScheduler; their data lives on the device's storage. ``versions`` are the library
    versions the apps are built with (``androidx_work``, ``flutter_workmanager``)."""
    view = DeviceAdapter(device)
    service = JobSchedulerService(sim, view)
    ids = JobIds()
    trackers = DeviceTrackers(view)
    binding: DeviceBinding | None = None

    def network_for(package: str) -> AppNetworkPort:
        assert binding is not None
        return AppNetworkPort(binding, package)

    runtime = PhoneAppRuntime(
        sim,
        internet,
        device,
        network_for=network_for,
        schedulers_for=lambda package: _schedulers(
            system_job_schedulers(service, package, ids),
            GreedyScheduler.factory(trackers.state, cpu_awake=lambda: device.power.awake),
        ),
        data_for=lambda package: _DeviceData(device, package),
        versions=versions,
    )
    alarms = AlarmManagerService(sim, view, deep_idle=lambda: device.doze.snapshot.device_idle_mode)

    def wakelock(tag: str, held: bool) -> None:
        if held:
            device.power.acquire_wakelock(tag)
        else:
            device.power.release_wakelock(tag)

    fetch = AndroidBackgroundFetch(runtime, service, alarms, wakelock=wakelock)
    attach_android(fetch)
    binding = DeviceBinding(device, service, runtime, view, alarms=alarms, background_fetch=fetch)
    return binding


def _schedulers(*factories: SchedulerFactory) -> SchedulerFactory:
    """``WorkManagerImpl``'s schedulers: the best available background scheduler
    (``SystemJobScheduler``), then ``GreedyScheduler`` (``Schedulers.createBestAvailable
    BackgroundScheduler`` and ``WorkManagerImpl.createSchedulers``)."""

    def make(work_manager: WorkManager) -> list[Scheduler]:
        schedulers = [scheduler for factory in factories for scheduler in factory(work_manager)]
        if not work_manager.configuration.runs_greedy_scheduler:
            # 2.12 Configuration.Builder.setGreedySchedulerEnabled(false): no GreedyScheduler
            schedulers = [s for s in schedulers if not isinstance(s, GreedyScheduler)]
        return schedulers

    return make
