"""Network: toggles, coverage, ConnectivityService's default-network ranking, links, schedules."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness._exceptions import ShellCommandError
from harness.device import Device, LinkQuality, NetworkState, Transport, load_profile
from harness.device._network import _randint
from harness.sim import MS_PER_DAY, MS_PER_HOUR, Simulation
from tests.device.conftest import MakeDevice
from tests.device.helpers import records


def test_networks_connect_after_their_connect_times(sim: Simulation, device: Any) -> None:
    """At boot cellular connects after 2 s, Wi-Fi after 3 s; Wi-Fi becomes the default."""
    assert device.network.state.transport == Transport.NONE
    sim.run_for(2_000)
    assert device.network.state.transport == Transport.CELLULAR
    sim.run_for(1_000)
    state = device.network.state
    assert state.transport == Transport.WIFI
    assert not state.metered
    assert state.validated
    assert state.connected == (Transport.WIFI, Transport.CELLULAR)


def test_generation_and_changed_signal(sim: Simulation, device: Any) -> None:
    """Every change of the default network bumps generation and emits changed (the
    ``CONNECTIVITY_ACTION`` / default-network callback a phone delivers)."""
    sim.run_for(5_000)
    seen: list[NetworkState] = []
    device.network.changed.connect(seen.append)
    before = device.network.generation
    device.shell("svc wifi disable")
    assert device.network.state.transport == Transport.CELLULAR
    assert device.network.state.metered
    assert device.network.generation == before + 1
    assert seen == [device.network.state]
    device.shell("svc wifi disable")  # no change, no new generation
    assert device.network.generation == before + 1


def test_mobile_data_and_airplane_mode(sim: Simulation, device: Any) -> None:
    """Airplane mode takes every radio down; off again, Wi-Fi comes back as it was
    (``cmd connectivity airplane-mode``, ``ConnectivityService.setAirplaneMode``; Wi-Fi's
    ``WifiSettingsStore`` remembers the state before airplane mode)."""
    sim.run_for(5_000)
    device.shell("svc data disable")
    device.shell("cmd connectivity airplane-mode enable")
    assert device.network.state.transport == Transport.NONE
    assert device.shell("cmd connectivity airplane-mode") == "enabled\n"
    device.shell("cmd connectivity airplane-mode disable")
    sim.run_for(5_000)
    assert device.network.state.connected == (Transport.WIFI,)
    device.shell("svc data enable")
    sim.run_for(5_000)
    assert device.network.state.connected == (Transport.WIFI, Transport.CELLULAR)


def test_airplane_command_writes_the_global_setting(sim: Simulation, device: Any) -> None:
    """``cmd connectivity airplane-mode enable|disable`` writes ``AIRPLANE_MODE_ON``
    (``ConnectivityService.setAirplaneMode``: ``Settings.Global.putInt`` then the broadcast)."""
    assert device.shell("settings get global airplane_mode_on") == "0\n"
    device.shell("cmd connectivity airplane-mode enable")
    assert device.shell("settings get global airplane_mode_on") == "1\n"
    device.shell("cmd connectivity airplane-mode disable")
    assert device.shell("settings get global airplane_mode_on") == "0\n"


def test_settings_put_changes_the_setting_not_the_radios(sim: Simulation, device: Any) -> None:
    """``settings put global airplane_mode_on 1`` writes the setting only: the command reads it
    (``ConnectivityService.ShellCmd`` prints ``Settings.Global.AIRPLANE_MODE_ON``), the radios
    stay up until ``ACTION_AIRPLANE_MODE_CHANGED`` (sent by ``setAirplaneMode``) or a reboot."""
    sim.run_for(5_000)
    device.shell("settings put global airplane_mode_on 1")
    assert device.shell("cmd connectivity airplane-mode") == "enabled\n"
    assert device.network.state.transport == Transport.WIFI
    device.shell("cmd connectivity airplane-mode enable")  # the broadcast: radios follow
    assert device.network.state.transport == Transport.NONE
    device.shell("settings put global airplane_mode_on 0")
    assert device.shell("cmd connectivity airplane-mode") == "disabled\n"
    assert device.network.airplane_mode  # still applied: no broadcast yet
    device.shell("cmd connectivity airplane-mode disable")
    sim.run_for(5_000)
    assert device.network.state.transport == Transport.WIFI


def test_the_airplane_broadcast_is_refused_from_adb(sim: Simulation, device: Any) -> None:
    """``ACTION_AIRPLANE_MODE_CHANGED`` is a protected broadcast: ``am broadcast -a
    android.intent.action.AIRPLANE_MODE`` from the shell (uid 2000) fails with AMS's
    "Permission Denial: not allowed to send broadcast" and the radios stay up."""
    sim.run_for(5_000)
    device.shell("settings put global airplane_mode_on 1")
    with pytest.raises(
        ShellCommandError,
        match=r"^Broadcasting: Intent \{ act=android\.intent\.action\.AIRPLANE_MODE "
        r"flg=0x400000 \(has extras\) \}\n.*\njava\.lang\.SecurityException: Permission Denial: "
        r"not allowed to send broadcast android\.intent\.action\.AIRPLANE_MODE from pid=\d+, "
        r"uid=2000$",
    ):
        device.shell("am broadcast -a android.intent.action.AIRPLANE_MODE --ez state true")
    assert device.network.state.transport == Transport.WIFI


def test_airplane_setting_is_applied_at_boot(sim: Simulation, device: Any) -> None:
    """The radios start in the persisted ``AIRPLANE_MODE_ON`` after a reboot."""
    device.shell("settings put global airplane_mode_on 1")
    device.reboot()
    sim.run_for(MS_PER_HOUR)
    assert device.network.airplane_mode
    assert device.network.state.transport == Transport.NONE


def test_wifi_can_be_turned_on_in_airplane_mode(sim: Simulation, device: Any) -> None:
    """Wi-Fi may be enabled during airplane mode and then stays on (``WifiSettingsStore``:
    ``WIFI_ENABLED_AIRPLANE_OVERRIDE``)."""
    device.network.set_airplane_mode(True)
    device.shell("svc wifi enable")
    sim.run_for(5_000)
    assert device.network.state.transport == Transport.WIFI
    device.network.set_airplane_mode(False)
    assert device.network.wifi_enabled


def test_captive_portal_wifi_loses_to_validated_cellular(sim: Simulation, device: Any) -> None:
    """An unvalidated Wi-Fi (captive portal) ranks below validated cellular
    (``NetworkRanker``: ``POLICY_IS_VALIDATED`` before the transport preference)."""
    sim.run_for(5_000)
    device.network.set_captive_portal(True)
    state = device.network.state
    assert state.transport == Transport.CELLULAR
    device.shell("svc data disable")
    state = device.network.state
    assert state.transport == Transport.WIFI
    assert not state.validated
    assert state.captive_portal


def test_ethernet_beats_wifi_and_roaming_flag(sim: Simulation, device: Any) -> None:
    """Validated Ethernet ranks first (``NetworkRanker.PREFERRED_TRANSPORTS_ORDER``: Ethernet,
    Wi-Fi, Bluetooth, cellular); roaming (no ``NET_CAPABILITY_NOT_ROAMING``) is cellular only."""
    device.network.set_in_range(Transport.ETHERNET, True)
    device.network.set_roaming(True)
    sim.run_for(5_000)
    assert device.network.state.transport == Transport.ETHERNET
    device.network.set_in_range(Transport.ETHERNET, False)
    device.network.set_in_range(Transport.WIFI, False)
    assert device.network.state.transport == Transport.CELLULAR
    assert device.network.state.roaming


def _links(seed: int) -> list[LinkQuality | None]:
    with Simulation(seed=seed) as sim:
        device = Device(sim, "pixel-like")
        assert device.network.sample_link() is None
        sim.run_for(5_000)
        return [device.network.sample_link() for _ in range(50)]


def test_sample_link_is_deterministic_and_in_range() -> None:
    """Links are drawn from the device.network.link stream within the profile's ranges."""
    links = _links(3)
    wifi = load_profile("pixel-like").network.wifi
    for link in links:
        assert link is not None
        assert link.transport == Transport.WIFI
        assert wifi.down_min_bytes_per_s <= link.down_bytes_per_s <= wifi.down_max_bytes_per_s
        assert 10 <= link.latency_ms <= 30
    assert _links(3) == links
    assert _links(4) != links


def test_a_link_is_drawn_as_randint_draws_it() -> None:
    """A link's latency jitter and bandwidths are ``random.Random.randint`` draws of the
    ``device.network.link`` stream, in that order, whatever the ranges (CPython's
    ``randint``), and ``sample_link`` is ``draw_link``'s fields as a ``LinkQuality``."""
    with Simulation(seed=5) as sim:
        device = Device(sim, "pixel-like")
        sim.run_for(5_000)
        wifi = load_profile("pixel-like").network.wifi
        reference = random.Random()
        reference.setstate(sim.random("device.network.link").getstate())
        drawn = [device.network.draw_link() for _ in range(20)]
        for link in drawn:
            jitter = reference.randint(-wifi.latency_jitter_ms, wifi.latency_jitter_ms)
            up = reference.randint(wifi.up_min_bytes_per_s, wifi.up_max_bytes_per_s)
            down = reference.randint(wifi.down_min_bytes_per_s, wifi.down_max_bytes_per_s)
            latency = max(1, wifi.latency_ms + jitter)
            assert link == (Transport.WIFI, False, latency, up, down, wifi.loss)
        state = sim.random("device.network.link").getstate()
        sampled = device.network.sample_link()
        sim.random("device.network.link").setstate(state)
        assert sampled == LinkQuality(*device.network.draw_link() or ())


@settings(max_examples=200)
@given(seed=st.integers(0, 2**32), low=st.integers(-(2**70), 2**70), width=st.integers(1, 2**70))
def test_randint_draws_are_randints(seed: int, low: int, width: int) -> None:
    """The link's draws equal ``random.Random.randint`` of the same stream, value and state
    (Lib/random.py: ``randrange`` over ``_randbelow_with_getrandbits``)."""
    ours, theirs = random.Random(seed), random.Random(seed)
    assert _randint(ours, low, low + width - 1) == theirs.randint(low, low + width - 1)
    assert _randint(ours, low, low) == theirs.randint(low, low)
    assert ours.getstate() == theirs.getstate()
    with pytest.raises(ValueError, match=r"^empty range"):
        _randint(ours, low, low - 1)


def test_weekday_commute_outage(sim: Simulation, device: Any) -> None:
    """schedule_outage: no Wi-Fi 08:00-09:00 on weekdays (the epoch, 2026-01-05, is a Monday)."""
    device.network.schedule_outage("wifi", start="08:00", end="09:00", days="weekdays")
    sim.run_for(7 * MS_PER_DAY)
    changes = [(r.t_ms, r["transport"]) for r in records(sim, "device.network")]
    drops = [t for t, transport in changes if transport == "CELLULAR" and t > 10_000]
    assert drops == [day * MS_PER_DAY + 8 * MS_PER_HOUR for day in range(5)]
    assert (5 * MS_PER_DAY + 8 * MS_PER_HOUR, "CELLULAR") not in changes


def test_flapping_stays_inside_its_window(sim: Simulation, device: Any) -> None:
    """schedule_flapping: random spells out of range, only between start and end."""
    device.network.schedule_flapping(
        "cellular", start="17:00", end="18:00", mean_up_ms=120_000, mean_down_ms=30_000
    )
    device.shell("svc wifi disable")
    sim.run_for(MS_PER_DAY)
    outages = [r.t_ms for r in records(sim, "device.network", transport="NONE")]
    assert len(outages) > 3
    assert all(17 * MS_PER_HOUR <= t < 18 * MS_PER_HOUR for t in outages)
    assert device.network.state.transport == Transport.CELLULAR


def test_schedule_errors() -> None:
    """Bad schedule arguments name the value and the accepted forms."""
    from harness.device._flapping import parse_days, parse_time_of_day

    assert parse_days("mon-wed") == frozenset({0, 1, 2})
    assert parse_days("sat,sun") == frozenset({5, 6})
    with pytest.raises(ValueError, match=r"days 'someday' is not understood"):
        parse_days("someday")
    with pytest.raises(ValueError, match=r"time of day '8am' is not HH:MM"):
        parse_time_of_day("8am")


def test_network_down_while_off(sim: Simulation, make_device: MakeDevice) -> None:
    """A device that is off has no network; it reconnects after the boot."""
    device = make_device()
    sim.run_for(5_000)
    device.reboot()
    assert device.network.state.transport == Transport.NONE
    sim.run_for(40_000)
    assert device.network.state.transport == Transport.WIFI
