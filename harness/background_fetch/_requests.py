"""What ``BGTask.schedule`` asks Android for: the fetch's or a task's ``JobInfo``, or its alarm.

``transistor-background-fetch`` ``BGTask.java``: JobScheduler with the plugin's
``FetchJobService``, job id 999 or ``taskId.hashCode()``, ``setPeriodic(i, i)`` (API 24+) or
``setMinimumLatency(delay)``, ``setPersisted(startOnBoot && !stopOnTerminate)``, the battery and
storage constraints (API 26+); with ``forceAlarmManager``, an ``RTC_WAKEUP`` alarm:
``setRepeating`` for a periodic task, else ``setExactAndAllowWhileIdle`` (API 23+; on API 31+
``setAndAllowWhileIdle`` without the exact-alarm permission) or ``setExact``.
"""

from __future__ import annotations

from typing import Final

from harness.background_fetch._config import NativeConfig
from harness.platform import Alarm, AlarmKind, JobInfo, JobNetworkType, periodic_window

#: The plugin's ``JobService`` and alarm ``BroadcastReceiver`` classes.
FETCH_JOB_SERVICE: Final = "com.transistorsoft.tsbackgroundfetch.FetchJobService"
FETCH_ALARM_RECEIVER: Final = "com.transistorsoft.tsbackgroundfetch.FetchAlarmReceiver"


def job_info(package: str, config: NativeConfig, now_ms: int) -> JobInfo:
    """The ``JobInfo`` of ``config`` scheduled at ``now_ms`` (JobScheduler clamps a period)."""
    interval = config.interval_ms
    interval_ms, flex_ms = periodic_window(interval, interval) if config.is_periodic else (0, 0)
    return JobInfo(
        job_id=config.job_id,
        package=package,
        service=FETCH_JOB_SERVICE,
        work_spec_id=config.task_id,
        generation=0,
        earliest_ms=now_ms if config.is_periodic else now_ms + max(interval, 0),
        network_type=JobNetworkType(config.required_network_type),
        requires_charging=config.requires_charging,
        requires_device_idle=config.requires_device_idle,
        requires_battery_not_low=config.requires_battery_not_low,
        requires_storage_not_low=config.requires_storage_not_low,
        expedited=False,
        interval_ms=interval_ms,
        flex_ms=flex_ms,
        persisted=config.start_on_boot and not config.stop_on_terminate,
    )


def alarm(
    package: str, config: NativeConfig, now_ms: int, *, api: int, can_schedule_exact: bool
) -> Alarm:
    """The alarm of ``config`` set at ``now_ms``: it fires one interval (or delay) later."""
    if config.is_periodic:
        kind = AlarmKind.SET_REPEATING
    elif api >= 31 and not can_schedule_exact:
        kind = AlarmKind.SET_AND_ALLOW_WHILE_IDLE
    elif api >= 23:
        kind = AlarmKind.SET_EXACT_AND_ALLOW_WHILE_IDLE
    else:
        kind = AlarmKind.SET_EXACT
    return Alarm(
        package=package,
        tag=config.task_id,
        receiver=FETCH_ALARM_RECEIVER,
        kind=kind,
        trigger_ms=now_ms + config.interval_ms,
        interval_ms=config.interval_ms if config.is_periodic else 0,
    )
