"""The phone layer (harness/phone/): one device wired to its JobScheduler, app runtime and
WorkManagers as Android wires them."""

from __future__ import annotations

from harness.app import App
from harness.backends import Internet
from harness.device import Device
from harness.phone import DeviceBinding, bind_phone, why_not_running
from harness.sim import Simulation

PACKAGE = "com.example.oneshot"


def _phone(sim: Simulation) -> tuple[Device, DeviceBinding]:
    device = Device(sim)
    internet = Internet(sim)
    internet.backend("https://api.example.com").resource("/items", initial_items=1)
    binding = bind_phone(sim, device, internet)
    binding.runtime.install(App.from_module("tests.platform.apps.oneshot"))
    return device, binding


def test_a_running_job_holds_the_job_services_wake_lock(sim: Simulation) -> None:
    """JobServiceContext holds ``*job*/<package>/<JobService>`` while the job runs; installing
    through the phone's runtime installs on the device too."""
    device, _ = _phone(sim)
    assert device.apps.is_installed(PACKAGE)
    sim.run_for("10s")
    device.apps.launch(PACKAGE)
    sim.run_for("1s")
    (acquired, *_) = [r for r in sim.trace.of_kind("device.wakelock") if r.get("tag")]
    assert str(acquired["tag"]).startswith(
        f"*job*/{PACKAGE}/androidx.work.impl.background.systemjob.SystemJobService#"
    )


def test_why_not_running_names_work_the_app_never_enqueued(sim: Simulation) -> None:
    """Why-not-yet starts from WorkManager's database: an unknown work id is named as such."""
    _, binding = _phone(sim)
    sim.run_for("1s")
    answer = why_not_running(binding, PACKAGE, "no-such-id")
    assert answer == f"{PACKAGE} has no work no-such-id (never enqueued, or pruned)"
