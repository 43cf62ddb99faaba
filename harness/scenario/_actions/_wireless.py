"""The networks around the phone: cellular coverage, a captive portal, a place's link quality.

What a drawn life (``life:``, :mod:`harness.scenario._life`) needs to move the phone between
places, and what a scenario can write itself. Effects are the device's
(:class:`harness.device.Network`): ``set_in_range`` (a dead zone: no cellular signal),
``set_captive_portal`` (``NetworkCapabilities.NET_CAPABILITY_CAPTIVE_PORTAL``: the Wi-Fi is up
but not validated, so no app traffic and no ``CONNECTED`` constraint on it) and
``set_link_quality`` (latency, bandwidth and loss of the place's network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self

from harness.device import Transport
from harness.scenario._actions._base import Action, fail, register

if TYPE_CHECKING:
    from harness.scenario._world import World


@register
@dataclass(frozen=True, slots=True)
class CellularRange(Action):
    """The cellular signal goes (a dead zone: a tunnel, a basement) or comes back."""

    kind = "cellular_range"
    form = "cellular out of range | cellular in range"
    summary = "no cellular signal (a dead zone: a tunnel, a lift), or the signal is back"
    example = "cellular out of range"

    in_range: bool = True

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if lowered not in ("cellular out of range", "cellular in range"):
            return None
        return cls(text, in_range=lowered == "cellular in range")

    def apply(self, world: World) -> None:
        world.device.network.set_in_range(Transport.CELLULAR, self.in_range)


@register
@dataclass(frozen=True, slots=True)
class CaptivePortal(Action):
    """The Wi-Fi in reach sits behind a captive portal (a sign-in page), or no longer does."""

    kind = "captive_portal"
    form = "wifi captive portal on | wifi captive portal off"
    summary = "the Wi-Fi network asks for a sign-in page (connected, not validated), or stops"
    example = "wifi captive portal on"

    captive: bool = True

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if lowered not in ("wifi captive portal on", "wifi captive portal off"):
            return None
        return cls(text, captive=lowered.endswith("on"))

    def apply(self, world: World) -> None:
        world.device.network.set_captive_portal(self.captive)


_LINK_RE: Final = re.compile(
    r"^link\s+(?P<transport>wifi|cellular)\s+latency\s+(?P<latency>\d+)\s*ms\s+"
    r"down\s+(?P<down>\d+)\s*kb/s\s+up\s+(?P<up>\d+)\s*kb/s\s+loss\s+(?P<loss>\d+(?:\.\d+)?)\s*%$"
)
#: The fastest link a ``link`` action may set, in KB/s (10 GB/s).
MAX_LINK_KB_PER_S: Final = 10_000_000


@register
@dataclass(frozen=True, slots=True)
class LinkQuality(Action):
    """From now, the Wi-Fi or cellular link has this latency, bandwidth and loss (a place)."""

    kind = "link"
    form = "link wifi|cellular latency Nms down N KB/s up N KB/s loss P%"
    summary = (
        "from now, that network has this latency, bandwidth (each request gets 60-100 % of it; "
        "1 KB = 1000 B) and loss: the network of the place the phone is at"
    )
    example = "link wifi latency 40ms down 5000 KB/s up 1000 KB/s loss 0.5%"

    transport: Transport = Transport.WIFI
    latency_ms: int = 0
    down_bytes_per_s: int = 1
    up_bytes_per_s: int = 1
    loss: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.lower().startswith("link "):
            return None
        match = _LINK_RE.match(text.lower())
        if match is None:
            raise fail(
                text,
                "write 'link wifi|cellular latency Nms down N KB/s up N KB/s loss P%', e.g. "
                f"'{cls.example}'",
            )
        down, up = int(match["down"]), int(match["up"])
        if not (1 <= down <= MAX_LINK_KB_PER_S and 1 <= up <= MAX_LINK_KB_PER_S):
            raise fail(text, f"bandwidths go from 1 to {MAX_LINK_KB_PER_S} KB/s")
        loss = float(match["loss"])
        if loss > 100:
            raise fail(text, f"loss {loss}% is above 100%")
        latency = int(match["latency"])
        if latency > 60_000:
            raise fail(text, f"latency {latency}ms is above 60000ms")
        return cls(
            text,
            transport=Transport.WIFI if match["transport"] == "wifi" else Transport.CELLULAR,
            latency_ms=latency,
            down_bytes_per_s=down * 1000,
            up_bytes_per_s=up * 1000,
            loss=loss / 100,
        )

    def apply(self, world: World) -> None:
        world.device.network.set_link_quality(
            self.transport,
            latency_ms=self.latency_ms,
            down_bytes_per_s=self.down_bytes_per_s,
            up_bytes_per_s=self.up_bytes_per_s,
            loss=self.loss,
        )
