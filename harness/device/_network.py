"""``Network``: which networks are up, which one is the default, and what a link is like.

What is up follows from the toggles (Wi-Fi, mobile data, airplane mode) and from coverage (home
Wi-Fi in range, a cellular signal, an Ethernet cable): a transport that becomes possible
connects after its profile ``connect_ms``; one that becomes impossible drops at once. The
*default* network is chosen as ConnectivityService ranks them: a validated network beats an
unvalidated one (a Wi-Fi behind a captive portal loses to validated cellular), then Ethernet
beats Wi-Fi beats cellular. Every change of the default network (or of its flags) bumps
:attr:`Network.generation` and emits :attr:`Network.changed`, so an in-flight transfer can tell
that it was cut. Link quality is drawn per request from the ``device.network.link`` stream.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness._exceptions import DefinitionError
from harness.device._flapping import CoverageSchedule, DailyWindows, parse_days
from harness.device._profile import LinkSettings, NetworkSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


class Transport(enum.Enum):
    """A network transport (``NetworkCapabilities.TRANSPORT_*``), or none."""

    NONE = "NONE"  # no network is connected
    WIFI = "WIFI"  # TRANSPORT_WIFI: a Wi-Fi access point
    CELLULAR = "CELLULAR"  # TRANSPORT_CELLULAR: mobile data
    ETHERNET = "ETHERNET"  # TRANSPORT_ETHERNET: a cable (a dock, an emulator)


#: ConnectivityService's preference among validated networks: Ethernet, then Wi-Fi, then cellular.
_PREFERENCE = (Transport.ETHERNET, Transport.WIFI, Transport.CELLULAR)


@dataclass(frozen=True, slots=True)
class NetworkState:
    """The default network and its capabilities, plus every connected transport.

    ``validated`` is ``NET_CAPABILITY_VALIDATED`` (false behind a captive portal);
    ``metered`` and ``roaming`` are the absence of ``NOT_METERED`` / ``NOT_ROAMING``.
    """

    transport: Transport
    metered: bool
    roaming: bool
    validated: bool
    captive_portal: bool
    connected: tuple[Transport, ...]
    generation: int
    #: ``NET_CAPABILITY_TEMPORARILY_NOT_METERED``: a carrier's plan override on cellular
    temporarily_unmetered: bool = False

    @property
    def is_connected(self) -> bool:
        """Whether any default network is up."""
        return self.transport is not Transport.NONE


@dataclass(frozen=True, slots=True)
class LinkQuality:
    """What one request over the default network experiences (drawn per request)."""

    transport: Transport
    metered: bool
    latency_ms: int
    up_bytes_per_s: int
    down_bytes_per_s: int
    loss: float


#: :class:`LinkQuality`'s fields in order: transport, metered, latency (ms), up and down
#: bandwidth (bytes per second), loss.
LinkDraw = tuple[Transport, bool, int, int, int, float]


def _randint(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``: the same value from the same draws, minus the calls in
    between (CPython's ``Lib/random.py``: ``randint`` is ``randrange(low, high + 1)``, which adds
    to ``low`` a ``_randbelow_with_getrandbits`` of the width: ``getrandbits`` of the width's
    bit length, drawn again until below it)."""
    width = high - low + 1
    if width <= 0:
        return rng.randint(low, high)  # raises randint's own error
    bits = width.bit_length()
    getrandbits = rng.getrandbits
    drawn = getrandbits(bits)
    while drawn >= width:
        drawn = getrandbits(bits)
    return low + drawn


class Network:
    """The radios, the toggles, coverage, and the default network of one device."""

    def __init__(self, sim: Simulation, settings: NetworkSettings) -> None:
        self._sim = sim
        self._settings = settings
        self._rng = sim.random("device.network.link")
        #: each transport's link settings in the profile (read for every request)
        self._profile_links = {
            Transport.WIFI: settings.wifi,
            Transport.CELLULAR: settings.cellular,
            Transport.ETHERNET: settings.ethernet,
        }
        self._running = False
        self.wifi_enabled = settings.wifi_enabled
        self.mobile_data_enabled = settings.mobile_data_enabled
        self.airplane_mode = settings.airplane_mode
        self._wifi_before_airplane: bool | None = None
        self._in_range = {
            Transport.WIFI: settings.wifi_in_range,
            Transport.CELLULAR: settings.cellular_in_range,
            Transport.ETHERNET: settings.ethernet_plugged,
        }
        self._outages = dict.fromkeys(self._in_range, 0)
        self.captive_portal = settings.wifi_captive_portal
        self.roaming = settings.cellular_roaming
        self.temporarily_unmetered = settings.cellular_temporarily_unmetered
        self._connected: dict[Transport, bool] = dict.fromkeys(self._in_range, False)
        self._connect_timers = {
            transport: Timer(self._sim, self._connect_callback(transport))
            for transport in self._in_range
        }
        #: Link quality set at run time (a place's network: :meth:`set_link_quality`).
        self._links: dict[Transport, LinkSettings] = {}
        self._generation = 0
        self._state = self._compute(0)
        self._schedules: list[CoverageSchedule] = []
        #: The default network or its flags changed (``NetworkCallback`` of the default network).
        self.changed: Signal[NetworkState] = Signal("device.network")

    # --- queries ----------------------------------------------------------------------------

    @property
    def state(self) -> NetworkState:
        """The default network now ("what network is up")."""
        return self._state

    @property
    def generation(self) -> int:
        """Bumped on every change of the default network; compare before and after a transfer."""
        return self._generation

    def link_settings(self, transport: Transport) -> LinkSettings:
        """The link settings of ``transport``: the profile's, or those set at run time."""
        link = self._links.get(transport)
        return link if link is not None else self._profile_links[transport]

    def sample_link(self) -> LinkQuality | None:
        """Draw the link one request gets now, or ``None`` when no network is up."""
        drawn = self.draw_link()
        return None if drawn is None else LinkQuality(*drawn)

    def draw_link(self) -> LinkDraw | None:
        """What :meth:`sample_link` draws, as :class:`LinkQuality`'s fields in order (for a
        caller that builds its own value of them), or ``None`` when no network is up."""
        state = self._state
        transport = state.transport
        if transport is Transport.NONE:
            return None
        link = self._links.get(transport)
        if link is None:
            link = self._profile_links[transport]
        rng = self._rng
        jitter_ms = link.latency_jitter_ms
        latency_ms = link.latency_ms + _randint(rng, -jitter_ms, jitter_ms)
        up = _randint(rng, link.up_min_bytes_per_s, link.up_max_bytes_per_s)
        down = _randint(rng, link.down_min_bytes_per_s, link.down_max_bytes_per_s)
        return (transport, state.metered, max(1, latency_ms), up, down, link.loss)

    def in_range(self, transport: Transport) -> bool:
        """Whether ``transport`` has coverage now (its base setting and no scheduled outage)."""
        return self._in_range[transport] and self._outages[transport] == 0

    # --- toggles (what svc / cmd connectivity do) -------------------------------------------

    def set_wifi_enabled(self, enabled: bool) -> None:
        """``svc wifi enable|disable`` (also allowed in airplane mode, as on a phone)."""
        if self.airplane_mode:
            self._wifi_before_airplane = None  # the user chose Wi-Fi in airplane mode: keep it
        self.wifi_enabled = enabled
        self._update(f"wifi {'enabled' if enabled else 'disabled'}")

    def set_mobile_data_enabled(self, enabled: bool) -> None:
        """``svc data enable|disable``."""
        self.mobile_data_enabled = enabled
        self._update(f"mobile data {'enabled' if enabled else 'disabled'}")

    def set_airplane_mode(self, enabled: bool) -> None:
        """The radios follow ``ACTION_AIRPLANE_MODE_CHANGED``: off, Wi-Fi restored after.

        ``cmd connectivity airplane-mode`` writes ``Settings.Global.AIRPLANE_MODE_ON`` and then
        sends that broadcast (``ConnectivityService.setAirplaneMode``); a bare ``settings put``
        sends none, so the radios apply it only at the next boot.
        """
        if enabled == self.airplane_mode:
            return
        self.airplane_mode = enabled
        if enabled:
            self._wifi_before_airplane = self.wifi_enabled
            self.wifi_enabled = False
        elif self._wifi_before_airplane is not None:
            self.wifi_enabled = self._wifi_before_airplane
            self._wifi_before_airplane = None
        self._update(f"airplane mode {'on' if enabled else 'off'}")

    # --- the world: coverage and network properties -----------------------------------------

    def set_in_range(self, transport: Transport, in_range: bool) -> None:
        """Coverage of ``transport`` (home Wi-Fi in range, a cellular signal, a cable)."""
        self._in_range[transport] = in_range
        self._update(f"{transport.value.lower()} {'in' if in_range else 'out of'} range")

    def begin_outage(self, transport: Transport, reason: str) -> None:
        """A scheduled loss of coverage starts (nested outages count)."""
        self._outages[transport] += 1
        self._update(reason)

    def end_outage(self, transport: Transport, reason: str) -> None:
        """A scheduled loss of coverage ends."""
        self._outages[transport] = max(0, self._outages[transport] - 1)
        self._update(reason)

    def set_link_quality(
        self,
        transport: Transport,
        *,
        latency_ms: int,
        down_bytes_per_s: int,
        up_bytes_per_s: int,
        loss: float,
    ) -> None:
        """From now, ``transport``'s link has this quality (the network of the place the phone
        is at): each request draws its bandwidth between 60 % and 100 % of the figures given,
        and its latency with the profile's jitter."""
        if latency_ms < 0 or down_bytes_per_s < 1 or up_bytes_per_s < 1 or not 0 <= loss <= 1:
            raise DefinitionError(
                f"link quality latency {latency_ms} ms, down {down_bytes_per_s} B/s, up "
                f"{up_bytes_per_s} B/s, loss {loss}: give latency >= 0, bandwidths >= 1 and "
                "loss from 0 to 1"
            )
        self._links[transport] = self.link_settings(transport).model_copy(
            update={
                "latency_ms": latency_ms,
                "down_min_bytes_per_s": max(1, down_bytes_per_s * 6 // 10),
                "down_max_bytes_per_s": down_bytes_per_s,
                "up_min_bytes_per_s": max(1, up_bytes_per_s * 6 // 10),
                "up_max_bytes_per_s": up_bytes_per_s,
                "loss": loss,
            }
        )
        self._sim.record(
            "device.network.link",
            transport=transport.value,
            latency_ms=latency_ms,
            down_bytes_per_s=down_bytes_per_s,
            up_bytes_per_s=up_bytes_per_s,
            loss=loss,
        )

    def set_captive_portal(self, captive: bool) -> None:
        """The Wi-Fi sits behind a captive portal (connected, not validated)."""
        self.captive_portal = captive
        self._update("captive portal" if captive else "captive portal cleared")

    def set_roaming(self, roaming: bool) -> None:
        """The cellular network is roaming."""
        self.roaming = roaming
        self._update("roaming" if roaming else "home network")

    def set_temporarily_unmetered(self, unmetered: bool) -> None:
        """The carrier makes cellular data temporarily unmetered (or ends the offer)."""
        self.temporarily_unmetered = unmetered
        self._update("temporarily unmetered" if unmetered else "metered again")

    # --- scheduled coverage -----------------------------------------------------------------

    def schedule_outage(
        self,
        transport: Transport | str,
        *,
        start: str | int,
        end: str | int,
        days: str | Iterable[int] = "daily",
        label: str | None = None,
    ) -> None:
        """Every chosen day, ``transport`` is out of range from ``start`` to ``end`` (HH:MM, UTC).

        E.g. a commute: ``network.schedule_outage("wifi", start="08:00", end="09:00",
        days="weekdays")``.
        """
        self._schedule(transport, start, end, days, label, None, None)

    def schedule_flapping(
        self,
        transport: Transport | str,
        *,
        start: str | int,
        end: str | int,
        mean_up_ms: int,
        mean_down_ms: int,
        days: str | Iterable[int] = "daily",
        label: str | None = None,
    ) -> None:
        """Every chosen day from ``start`` to ``end``, ``transport`` drops in and out of range.

        Down and up spells are exponential with the given means, drawn from a named stream.
        """
        if mean_up_ms <= 0 or mean_down_ms <= 0:
            raise DefinitionError(
                f"mean_up_ms {mean_up_ms} and mean_down_ms {mean_down_ms} must be > 0 ms"
            )
        self._schedule(transport, start, end, days, label, mean_up_ms, mean_down_ms)

    def _schedule(
        self,
        transport: Transport | str,
        start: str | int,
        end: str | int,
        days: str | Iterable[int],
        label: str | None,
        mean_up_ms: int | None,
        mean_down_ms: int | None,
    ) -> None:
        chosen = transport if isinstance(transport, Transport) else _transport_named(transport)
        if chosen is Transport.NONE:
            raise DefinitionError(
                "transport NONE has no coverage to lose; use WIFI, CELLULAR or ETHERNET"
            )
        windows = DailyWindows(self._sim.epoch, start, end, parse_days(days))
        name = label or f"{chosen.value.lower()}-{len(self._schedules) + 1}"
        self._schedules.append(
            CoverageSchedule(
                self._sim,
                self,
                chosen,
                windows,
                label=name,
                mean_up_ms=mean_up_ms,
                mean_down_ms=mean_down_ms,
            )
        )

    # --- life cycle -------------------------------------------------------------------------

    def power_on(self) -> None:
        """Boot: the radios come up and connect after their connect times."""
        self._running = True
        self._update("boot")

    def power_off(self) -> None:
        """Shutdown: every network drops."""
        self._running = False
        self._update("shutdown")

    # --- internals --------------------------------------------------------------------------

    def _possible(self, transport: Transport) -> bool:
        if not self._running or not self.in_range(transport):
            return False
        if transport is Transport.WIFI:
            return self.wifi_enabled
        if transport is Transport.CELLULAR:
            return self.mobile_data_enabled and not self.airplane_mode
        return True

    def _update(self, reason: str) -> None:
        for transport, timer in self._connect_timers.items():
            if not self._possible(transport):
                timer.cancel()
                self._connected[transport] = False
            elif not self._connected[transport] and timer.due_ms is None:
                delay = self.link_settings(transport).connect_ms
                if delay == 0:
                    self._connected[transport] = True
                else:
                    timer.set_after(delay)
        self._publish(reason)

    def _connect_callback(self, transport: Transport) -> Callable[[], None]:
        return lambda: self._finish_connect(transport)

    def _finish_connect(self, transport: Transport) -> None:
        if self._possible(transport):
            self._connected[transport] = True
        self._publish(f"{transport.value.lower()} connected")

    def _compute(self, generation: int) -> NetworkState:
        connected = tuple(t for t in _PREFERENCE if self._connected[t])
        if not connected:
            return NetworkState(Transport.NONE, False, False, False, False, (), generation)

        def validated(transport: Transport) -> bool:
            return not (transport is Transport.WIFI and self.captive_portal)

        best = min(connected, key=lambda t: (not validated(t), _PREFERENCE.index(t)))
        return NetworkState(
            transport=best,
            metered=self.link_settings(best).metered,
            roaming=best is Transport.CELLULAR and self.roaming,
            validated=validated(best),
            captive_portal=best is Transport.WIFI and self.captive_portal,
            connected=connected,
            generation=generation,
            temporarily_unmetered=best is Transport.CELLULAR and self.temporarily_unmetered,
        )

    def _publish(self, reason: str) -> None:
        candidate = self._compute(self._generation)
        if candidate == self._state:
            return
        self._generation += 1
        self._state = self._compute(self._generation)
        state = self._state
        self._sim.record(
            "device.network",
            transport=state.transport.value,
            metered=state.metered,
            roaming=state.roaming,
            validated=state.validated,
            connected=[t.value for t in state.connected],
            generation=state.generation,
            reason=reason,
            **({"temporarily_unmetered": True} if state.temporarily_unmetered else {}),
        )
        self.changed.emit(state)


def _transport_named(name: str) -> Transport:
    """``Transport`` by (case-insensitive) name, or a clear error listing the names."""
    try:
        return Transport[name.upper()]
    except KeyError:
        names = ", ".join(t.name.lower() for t in Transport if t is not Transport.NONE)
        raise DefinitionError(f"transport {name!r} is not one of: {names}") from None
