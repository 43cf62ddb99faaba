"""The ``background_fetch`` plugin's options, as Dart passes them and as the native side keeps them.

Sources (transistorsoft ``flutter_background_fetch`` 1.6.x, ``lib/background_fetch.dart``;
``transistor-background-fetch`` ``BackgroundFetchConfig.java``): ``BackgroundFetchConfig`` is what
``configure`` takes, :class:`TaskConfig` what ``scheduleTask`` takes, and :class:`NativeConfig` the
native library's config after its own validation (``BackgroundFetchConfig(Builder)``): without
``enableHeadless`` (no ``jobService``), ``stopOnTerminate`` is forced true and ``startOnBoot``
false.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass
from typing import Final

#: The task id Dart sees for the periodic fetch on both platforms (``BackgroundFetchModule``,
#: ``BackgroundFetchPlugin.m``).
DART_FETCH_TASK_ID: Final = "flutter_background_fetch"
#: The native fetch task's id (``BackgroundFetchConfig.FETCH_TASK_ID``) and, on iOS, the
#: ``BGAppRefreshTaskRequest`` identifier (``TSBackgroundFetch.m``).
FETCH_TASK_ID: Final = "com.transistorsoft.fetch"
#: The fetch task's JobScheduler job id (``BackgroundFetchConfig.FETCH_JOB_ID``).
FETCH_JOB_ID: Final = 999
#: ``BGTask.MAX_TIME``: the event is timed out this long after it starts.
MAX_TIME_MS: Final = 60_000
#: ``FetchAlarmReceiver``: the wake lock an alarm event holds (``MAX_TIME`` + 4 s).
ALARM_WAKELOCK_MS: Final = 64_000
#: ``FetchJobService.onStartJob``: a start this soon after scheduling is JobScheduler's
#: immediate first run of a periodic job, and is ignored.
IGNORE_START_WITHIN_MS: Final = 1_000
#: ``FetchJobService.ExecutedJob.OFFSET_TIME``: the same task id again this soon is a duplicate.
DUPLICATE_WINDOW_MS: Final = 5_000

#: ``BackgroundFetch.STATUS_*``.
STATUS_RESTRICTED: Final = 0
STATUS_DENIED: Final = 1
STATUS_AVAILABLE: Final = 2


class NetworkType(enum.IntEnum):
    """``NetworkType`` of the Dart config (``JobInfo.NETWORK_TYPE_*`` values)."""

    NONE = 0  # no network needed
    ANY = 1  # any network
    UNMETERED = 2  # Wi-Fi and other unmetered networks
    NOT_ROAMING = 3  # a network that is not roaming
    CELLULAR = 4  # a cellular network


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode``: ``s[0]*31^(n-1) + ... + s[n-1]`` over UTF-16 code units,
    in 32-bit two's complement (the job id of a scheduled task: ``taskId.hashCode()``)."""
    value = 0
    units = text.encode("utf-16-be")
    for i in range(0, len(units), 2):
        value = (31 * value + int.from_bytes(units[i : i + 2], "big")) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


@dataclass(frozen=True, slots=True, kw_only=True)
class BackgroundFetchConfig:
    """Dart's ``BackgroundFetchConfig`` (``configure``'s options)."""

    #: Minutes between fetches (required in Dart; Android ignores values below 1, JobScheduler
    #: clamps a period to 15 min; iOS uses it as the next request's earliestBeginDate).
    minimum_fetch_interval: int
    stop_on_terminate: bool = True
    start_on_boot: bool = False
    enable_headless: bool = False
    force_alarm_manager: bool = False
    required_network_type: NetworkType = NetworkType.NONE
    requires_battery_not_low: bool = False
    requires_charging: bool = False
    requires_device_idle: bool = False
    requires_storage_not_low: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskConfig:
    """Dart's ``TaskConfig`` (``scheduleTask``'s options): ``delay`` in milliseconds."""

    task_id: str
    delay: int
    periodic: bool = False
    stop_on_terminate: bool = True
    start_on_boot: bool = False
    enable_headless: bool = False
    force_alarm_manager: bool = False
    required_network_type: NetworkType = NetworkType.NONE
    requires_network_connectivity: bool = False  # iOS only
    requires_battery_not_low: bool = False
    requires_charging: bool = False
    requires_device_idle: bool = False
    requires_storage_not_low: bool = False


#: The headless service the Flutter plugin names when ``enableHeadless`` is set.
HEADLESS_JOB_SERVICE: Final = "com.transistorsoft.flutter.backgroundfetch.HeadlessTask"


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeConfig:
    """The native ``BackgroundFetchConfig`` after its validation (persisted by the plugin)."""

    task_id: str
    minimum_fetch_interval: int = 15
    delay_ms: int = -1
    periodic: bool = False
    force_alarm_manager: bool = False
    stop_on_terminate: bool = True
    start_on_boot: bool = False
    required_network_type: int = 0
    requires_battery_not_low: bool = False
    requires_charging: bool = False
    requires_device_idle: bool = False
    requires_storage_not_low: bool = False
    job_service: str | None = None

    @classmethod
    def build(cls, **fields: object) -> NativeConfig:
        """``new BackgroundFetchConfig(builder)``: without a ``jobService`` (``enableHeadless``
        false), ``stopOnTerminate: false`` is forced back to true and ``startOnBoot: true`` to
        false ("Configuration error: In order to use stopOnTerminate: false, you must set
        enableHeadless: true")."""
        config = cls(**fields)  # type: ignore[arg-type]
        network = config.required_network_type
        if network not in tuple(NetworkType):  # setRequiredNetworkType: invalid -> NONE
            network = NetworkType.NONE
        stop, boot = config.stop_on_terminate, config.start_on_boot
        if config.job_service is None:
            stop, boot = True, False
        return cls(
            **{
                **asdict(config),
                "required_network_type": int(network),
                "stop_on_terminate": stop,
                "start_on_boot": boot,
            }
        )

    @property
    def is_fetch_task(self) -> bool:
        """``isFetchTask``: the periodic fetch rather than a ``scheduleTask`` task."""
        return self.task_id.lower() == FETCH_TASK_ID.lower()

    @property
    def is_periodic(self) -> bool:
        """``getPeriodic``: the fetch task is always periodic."""
        return self.periodic or self.is_fetch_task

    @property
    def job_id(self) -> int:
        """``getJobId``: 999 for the fetch task, ``taskId.hashCode()`` for the others."""
        return FETCH_JOB_ID if self.is_fetch_task else java_string_hash(self.task_id)

    @property
    def interval_ms(self) -> int:
        """``BGTask.schedule``: the fetch interval in minutes, or a task's delay."""
        return self.minimum_fetch_interval * 60_000 if self.is_fetch_task else self.delay_ms

    def to_json(self) -> str:
        """The config as the plugin persists it (its SharedPreferences)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> NativeConfig:
        """A config persisted by :meth:`to_json`."""
        return cls(**json.loads(text))


def dart_task_id(native_task_id: str) -> str:
    """The task id Dart sees: the fetch task is ``flutter_background_fetch``."""
    return (
        DART_FETCH_TASK_ID if NativeConfig(task_id=native_task_id).is_fetch_task else native_task_id
    )


def native_task_id(dart_id: str) -> str:
    """The native id of a task id Dart passes (``flutter_background_fetch`` -> the fetch task)."""
    return FETCH_TASK_ID if dart_id == DART_FETCH_TASK_ID else dart_id


def fetch_native_config(config: BackgroundFetchConfig) -> NativeConfig:
    """``BackgroundFetchModule.configure``: Dart's config as the native fetch task's config
    (``setMinimumFetchInterval`` ignores values below 1: the native default, 15, stays)."""
    interval = config.minimum_fetch_interval if config.minimum_fetch_interval >= 1 else 15
    return NativeConfig.build(
        task_id=FETCH_TASK_ID,
        minimum_fetch_interval=interval,
        force_alarm_manager=config.force_alarm_manager,
        stop_on_terminate=config.stop_on_terminate,
        start_on_boot=config.start_on_boot,
        required_network_type=int(config.required_network_type),
        requires_battery_not_low=config.requires_battery_not_low,
        requires_charging=config.requires_charging,
        requires_device_idle=config.requires_device_idle,
        requires_storage_not_low=config.requires_storage_not_low,
        job_service=HEADLESS_JOB_SERVICE if config.enable_headless else None,
    )


def task_native_config(task: TaskConfig) -> NativeConfig:
    """``BackgroundFetchModule.scheduleTask``: a ``TaskConfig`` as a native config."""
    return NativeConfig.build(
        task_id=task.task_id,
        delay_ms=task.delay,
        periodic=task.periodic,
        force_alarm_manager=task.force_alarm_manager,
        stop_on_terminate=task.stop_on_terminate,
        start_on_boot=task.start_on_boot,
        required_network_type=int(task.required_network_type),
        requires_battery_not_low=task.requires_battery_not_low,
        requires_charging=task.requires_charging,
        requires_device_idle=task.requires_device_idle,
        requires_storage_not_low=task.requires_storage_not_low,
        job_service=HEADLESS_JOB_SERVICE if task.enable_headless else None,
    )
