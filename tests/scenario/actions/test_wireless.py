"""Network actions (harness.scenario._actions._wireless.py): dead zones, captive portals, links."""

from __future__ import annotations

import pytest

from harness.device import Device, Transport
from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._wireless import CaptivePortal, CellularRange, LinkQuality
from harness.sim import Simulation


def test_forms() -> None:
    """Cellular reach and the captive portal are booleans; a link is ms, B/s and a fraction."""
    assert parse_action("cellular out of range") == CellularRange(
        "cellular out of range", in_range=False
    )
    assert parse_action("wifi captive portal off") == CaptivePortal(
        "wifi captive portal off", captive=False
    )
    assert parse_action("link cellular latency 120ms down 800 KB/s up 200 KB/s loss 2%") == (
        LinkQuality(
            "link cellular latency 120ms down 800 KB/s up 200 KB/s loss 2%",
            transport=Transport.CELLULAR,
            latency_ms=120,
            down_bytes_per_s=800_000,
            up_bytes_per_s=200_000,
            loss=0.02,
        )
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("link wifi fast", r"write 'link wifi\|cellular latency Nms"),
        ("link wifi latency 5ms down 0 KB/s up 1 KB/s loss 0%", r"bandwidths go from 1"),
        ("link wifi latency 5ms down 1 KB/s up 1 KB/s loss 101%", r"loss 101.0% is above 100%"),
    ],
)
def test_bad_links_are_refused(text: str, message: str) -> None:
    """A link with a bad form or value is refused when the file loads."""
    with pytest.raises(ActionError, match=message):
        parse_action(text)


def test_link_quality_sets_what_requests_draw(sim: Simulation) -> None:
    """After 'link wifi ...' each request draws 60-100 % of the bandwidth and the set loss."""
    device = Device(sim, "pixel-like")
    sim.run_for(10_000)
    device.network.set_link_quality(
        Transport.WIFI, latency_ms=300, down_bytes_per_s=1000, up_bytes_per_s=500, loss=0.25
    )
    link = device.network.sample_link()
    assert link is not None
    assert link.transport is Transport.WIFI
    assert 600 <= link.down_bytes_per_s <= 1000
    assert 300 <= link.up_bytes_per_s <= 500
    assert link.loss == 0.25


def test_dead_zone_drops_cellular(sim: Simulation) -> None:
    """With Wi-Fi out of range, a dead zone leaves the phone with no network."""
    device = Device(sim, "pixel-like")
    sim.run_for(10_000)
    device.network.set_in_range(Transport.WIFI, False)
    sim.run_for(10_000)
    before = device.network.state.transport
    device.network.set_in_range(Transport.CELLULAR, False)
    assert (before, device.network.state.transport) == (Transport.CELLULAR, Transport.NONE)
