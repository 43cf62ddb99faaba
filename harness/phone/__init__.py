"""The phone: one simulated device with its JobScheduler, app runtime and WorkManagers, wired.

``bind_phone(sim, device, internet)`` builds what a scenario run (and the pytest ``app`` fixture)
runs apps on: the device's :class:`~harness.platform.JobSchedulerService`, an app runtime whose
apps use the device's network, storage and scheduler, and the :class:`DeviceBinding` that joins
them as Android does. ``bind_ios_phone(sim, device, internet)`` builds an iPhone instead:
``harness.ios`` on the same device model and an app runtime whose processes iOS starts and ends.
"""

from typing import TYPE_CHECKING, Final

from harness._lazy import lazy_names

if TYPE_CHECKING:
    from harness.phone._binding import DeviceBinding
    from harness.phone._build import bind_phone
    from harness.phone._ios import IOSBinding, IOSNetworkPort, TransferNetworkPort, bind_ios_phone
    from harness.phone._network import AppNetworkPort
    from harness.phone._runtime import PhoneAppRuntime
    from harness.phone._why import why_not_running

#: Each public name's private module, imported when the name is first read (module
#: ``__getattr__``, PEP 562): a run imports only the parts it uses (issue 14 (h)).
_LAZY: Final[dict[str, str]] = {
    "AppNetworkPort": "_network",
    "DeviceBinding": "_binding",
    "IOSBinding": "_ios",
    "IOSNetworkPort": "_ios",
    "PhoneAppRuntime": "_runtime",
    "TransferNetworkPort": "_ios",
    "bind_ios_phone": "_ios",
    "bind_phone": "_build",
    "why_not_running": "_why",
}

__all__ = [
    "AppNetworkPort",
    "DeviceBinding",
    "IOSBinding",
    "IOSNetworkPort",
    "PhoneAppRuntime",
    "TransferNetworkPort",
    "bind_ios_phone",
    "bind_phone",
    "why_not_running",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
