"""What one app's HTTP sees: the device's default network, or none while the app is firewalled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from harness.app import Link
from harness.device import Device, Transport
from harness.platform import FirewallChain, app_firewall
from harness.sim import Signal

if TYPE_CHECKING:
    from harness.phone._binding import DeviceBinding


class AppNetworkPort:
    """What one app's HTTP sees: the default network, or none while the app is firewalled."""

    def __init__(self, binding: DeviceBinding, package: str) -> None:
        self._binding = binding
        self._package = package
        #: what the battery charges the app's transfers to (charge_transfer's tag)
        self._tag = f"network:{package}"
        self.changed: Signal[object] = Signal(f"app.{package}.network")
        self._seen = self._what_the_app_sees()
        binding.view.changed.connect(self._on_device_changed)

    def _what_the_app_sees(self) -> tuple[int, FirewallChain | None]:
        """The network generation and the firewall reason: a change of either cuts requests."""
        return self._binding.device.network.generation, self.blocked_reason()

    def _on_device_changed(self, _what: str) -> None:
        # The device view changes on every battery percent or doze step; only a different
        # network (or a firewall going up) may cut an app's requests in flight.
        seen = self._what_the_app_sees()
        if seen != self._seen:
            self._seen = seen
            self.changed.emit(seen)

    def blocked_reason(self) -> FirewallChain | None:
        """The firewall chain that keeps the app off the network now (``None``: it has one)."""
        return app_firewall(
            self._binding.view, self._package, self._binding.running_jobs(self._package)
        )

    def link(self) -> Link | None:
        """The link for a new request, or ``None`` (no network, or firewalled)."""
        if self.blocked_reason() is not None:
            return None
        return device_link(self._binding.device)

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        """Radio energy and activity, charged to the app (what :func:`charge_transfer` does)."""
        self._binding.device.power.note_transfer(
            bytes_up, bytes_down, link.transport, tag=self._tag
        )


def device_link(device: Device) -> Link | None:
    """A link for a new request on ``device``'s default network (``None``: it has none); what
    an Android and an iOS app see once their platform lets them on the network."""
    drawn = device.network.draw_link()  # sample_link's draws, without its LinkQuality
    if drawn is None:
        return None
    transport, metered, latency_ms, up_bytes_per_s, down_bytes_per_s, loss = drawn
    if transport is Transport.NONE:
        return None
    return Link(
        transport=_TRANSPORT_NAMES[transport],
        metered=metered,
        latency_ms=latency_ms,
        up_bytes_per_s=up_bytes_per_s,
        down_bytes_per_s=down_bytes_per_s,
        loss=loss,
    )


#: ``transport.value`` of each transport (an enum's ``value`` is a property, read per request).
_TRANSPORT_NAMES: Final = {transport: transport.value for transport in Transport}


def charge_transfer(
    device: Device, package: str, bytes_up: int, bytes_down: int, link: Link
) -> None:
    """A transfer's radio energy and activity, charged to ``package``."""
    device.power.note_transfer(bytes_up, bytes_down, link.transport, tag=f"network:{package}")
