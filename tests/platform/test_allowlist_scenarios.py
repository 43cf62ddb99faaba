"""The power allowlist on the simulated phone: ``dumpsys deviceidle whitelist +PKG`` makes an
hourly sync run through deep doze (``DeviceIdleJobsController``: whitelisted jobs are not deferred;
``AppStandbyController``: the app is EXEMPTED, so no bucket quota holds it back)."""

from __future__ import annotations

import itertools

from tests.platform.test_device_scenarios import doze_state_at_work_starts, records, world_of

ALLOWLISTED_OVERNIGHT = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
  - {at: 2m, do: unplug}
  - {at: 3m, do: adb shell dumpsys deviceidle whitelist +com.example.periodic}
"""


def test_allowlisted_hourly_sync_runs_in_deep_doze() -> None:
    """``DeviceIdleJobsController.updateTaskStateLocked`` (``enableTask = !mDeviceIdleMode ||
    whitelisted``): an allow-listed app's periodic work runs hourly while the phone is in deep
    IDLE, not only in maintenance windows; its bucket is EXEMPTED (``getAppMinBucket``), whose
    jobs are never force-batched (``MaybeReadyJobQueueFunctor``)."""
    with world_of("periodic", ALLOWLISTED_OVERNIGHT) as world:
        world.sim.run_for("12h")
        starts = doze_state_at_work_starts(world)
        in_idle = [t for t, state in starts if state == "IDLE"]
        assert len(in_idle) >= 9  # hourly runs through deep doze (EXEMPTED: no batching)
        gaps = {(b - a) // 60_000 for a, b in itertools.pairwise(in_idle)}
        assert gaps == {60}
        buckets = [r.get("bucket") for r in records(world, "device.standby")]
        assert buckets[-1] == "EXEMPTED"
        assert world.device.shell("dumpsys deviceidle whitelist") == (
            f"user,com.example.periodic,{10_000 + sum(b'com.example.periodic') % 900 + 100}\n"
        )
