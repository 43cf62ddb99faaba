"""``TransferPolicy`` and ``why_waiting``: when the system may start a background transfer.

Apple's rules: nothing while the phone is off; ``earliestBeginDate`` is a floor ("it won't start
sooner", Downloading files in the background); background sessions "always wait for
connectivity" (urlsessionconfiguration/waitsforconnectivity); ``allowsCellularAccess`` false
waits for a network that is not cellular. The model's: nothing before the first unlock after a
reboot (as other background work), a failed attempt waits ``retry_delay_ms``, and a
discretionary transfer (``isDiscretionary``, or any task resumed while the app was in the
background) waits for Wi-Fi and external power, out of Low Power Mode (Apple's example: the
system "might delay transferring large files until the device is plugged in and connected to the
network via Wi-Fi", urlsessionconfiguration/isdiscretionary; Low Power Mode pauses automatic
downloads, support.apple.com HT205234).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError
from harness.device import Transport
from harness.ios._urlsession import URLSessionConfiguration, URLSessionTask
from harness.sim import MS_PER_MINUTE

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferPolicy:
    """The modelled parts of background transfers (Apple documents the rules, not the timing)."""

    #: Model: an attempt that failed at the transport level is tried again this long later.
    retry_delay_ms: int = MS_PER_MINUTE
    #: Model: a discretionary transfer waits for Wi-Fi (an unmetered network).
    discretionary_needs_wifi: bool = True
    #: Model: a discretionary transfer waits for external power, out of Low Power Mode.
    discretionary_needs_power: bool = True

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, bool) and (not isinstance(value, int) or value < 0):
                raise DefinitionError(
                    f"TransferPolicy.{field.name} = {value!r} must be a non-negative int"
                )


def why_waiting(
    ios: IOSSystem,
    policy: TransferPolicy,
    task: URLSessionTask,
    config: URLSessionConfiguration,
    *,
    discretionary: bool,
    retry_at: int | None,
) -> tuple[str | None, int | None]:
    """Why ``task`` cannot start now (``None``: it can), and the time that reason ends, if a
    time does end it."""
    device = ios.device
    now = ios.sim.now_ms
    if not device.is_on:
        return "the phone is off", None
    if not ios.first_unlocked:
        return "the phone was not unlocked since it booted", None
    if task.earliest_begin_ms is not None and task.earliest_begin_ms > now:
        return "earliest begin date", task.earliest_begin_ms
    if retry_at is not None and retry_at > now:
        return "retry delay", retry_at
    network = device.network.state
    if not network.is_connected:
        return "waiting for connectivity", None
    if network.transport is Transport.CELLULAR and not config.allows_cellular_access:
        return "cellular access not allowed", None
    if discretionary:
        if policy.discretionary_needs_wifi and network.metered:
            return "discretionary: waiting for Wi-Fi", None
        if policy.discretionary_needs_power and (
            not device.battery.state.powered or ios.low_power_mode
        ):
            return "discretionary: waiting for power", None
    return None, None
