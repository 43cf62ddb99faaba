"""The simulated phone: battery, power, network, screen and doze, standby, apps, storage, adb.

``Device(sim, "pixel-like", packages=["com.example.app"])`` builds a phone from a device profile
(``profiles/*.yaml``, validated) on a simulation's clock. Its parts are attributes, each with
query methods and :class:`~harness.sim.Signal` s that higher layers subscribe to, and every state
change is a ``device.<part>`` trace record. Nothing here knows about WorkManager or HTTP: the
system job scheduler and the app runtime read device state and call the few methods meant for
them (wake locks, wake-ups, transfers, process starts and service bindings, jobs active in a
doze window). ``device.shell("adb shell dumpsys battery unplug")`` is the adb control surface.
See ``docs/architecture.md`` ("The device model").
"""

from harness.device._allowlist import AllowlistChange, PowerAllowlist, app_id
from harness.device._apps import Apps
from harness.device._battery import Battery
from harness.device._battery_state import BatteryBroadcast, BatteryState
from harness.device._cell import BatteryStatus, Draw, PlugType
from harness.device._device import BootCompleted, Device, PowerState, Shutdown
from harness.device._doze import Doze
from harness.device._doze_states import (
    DeepState,
    DozeState,
    LightState,
    MaintenanceWindow,
)
from harness.device._idle import Idleness
from harness.device._motion import Motion
from harness.device._network import LinkQuality, Network, NetworkState, Transport
from harness.device._power import IdleFloor, Power
from harness.device._process import (
    ExitReason,
    ProcessDied,
    ProcessStarted,
    ProcessState,
    ProcessStateChange,
    StartResult,
)
from harness.device._profile import DeviceProfile
from harness.device._profile_loader import available_profiles, load_profile, vendor_presets
from harness.device._saver import BatterySaver, SaverChange, SaverState
from harness.device._screen import Screen, ScreenState
from harness.device._settings import GlobalSettings, SettingChange
from harness.device._shell import ShellCommands, ShellHandler
from harness.device._standby import AppStandby, BucketChange, StandbyBucket
from harness.device._storage import KeyValueArea, Storage, StorageLevel
from harness.device._uids import ActiveUids
from harness.device._vendor import VendorBatteryManager

__all__ = [
    "ActiveUids",
    "AllowlistChange",
    "AppStandby",
    "Apps",
    "Battery",
    "BatteryBroadcast",
    "BatterySaver",
    "BatteryState",
    "BatteryStatus",
    "BootCompleted",
    "BucketChange",
    "DeepState",
    "Device",
    "DeviceProfile",
    "Doze",
    "DozeState",
    "Draw",
    "ExitReason",
    "GlobalSettings",
    "IdleFloor",
    "Idleness",
    "KeyValueArea",
    "LightState",
    "LinkQuality",
    "MaintenanceWindow",
    "Motion",
    "Network",
    "NetworkState",
    "PlugType",
    "Power",
    "PowerAllowlist",
    "PowerState",
    "ProcessDied",
    "ProcessStarted",
    "ProcessState",
    "ProcessStateChange",
    "SaverChange",
    "SaverState",
    "Screen",
    "ScreenState",
    "SettingChange",
    "ShellCommands",
    "ShellHandler",
    "Shutdown",
    "StandbyBucket",
    "StartResult",
    "Storage",
    "StorageLevel",
    "Transport",
    "VendorBatteryManager",
    "app_id",
    "available_profiles",
    "load_profile",
    "vendor_presets",
]
