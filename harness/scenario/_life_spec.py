"""The ``life:`` section of a scenario: what a seed may draw about the phone's owner (data).

Every figure is a range, written ``"LOW..HIGH"`` (or one value), drawn uniformly per day from a
named random stream (:mod:`._life`): clock times (``"06:30..07:30"``; a high end before the low
one runs past midnight, ``"23:30..01:00"``), durations (``"20m..90m"``), counts (``"8..16"``),
numbers (``"0.5..3"``) and probabilities (one number from 0 to 1). A preset (``life: commuter``)
is a file in ``harness/scenario/lives/``; fields written next to ``preset:`` win, section by
section field by field (``life: {preset: commuter, charging: {overnight: 0.5}}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from harness._units import MS_PER_DAY, parse_duration
from harness.scenario._timeexpr import parse_clock

T = TypeVar("T", int, float)

#: The vendor presets a life may draw (``harness.device.vendor_presets()`` plus nothing else).
VENDORS: Final = ("huawei", "oneplus", "samsung", "stock", "xiaomi")


@dataclass(frozen=True, slots=True)
class Span(Generic[T]):
    """A closed range ``low..high`` a draw picks from uniformly (``low == high``: fixed)."""

    low: T
    high: T

    def __str__(self) -> str:
        return f"{self.low}..{self.high}" if self.low != self.high else str(self.low)


def _split(value: Any, what: str) -> tuple[str, str]:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not {what}; write 'LOW..HIGH' or one value")
    text = str(value).strip()
    low, dots, high = text.partition("..")
    return (low.strip(), high.strip()) if dots else (text, text)


def _ordered(low: T, high: T, value: Any) -> Span[T]:
    if low > high:
        raise ValueError(f"{value!r}: the low end is above the high end; write 'LOW..HIGH'")
    return Span(low, high)


def _clock_span(value: Any) -> Span[int]:
    if isinstance(value, Span):
        return value
    low_text, high_text = _split(value, "a clock range like '06:30..07:30'")
    try:
        low, high = parse_clock(low_text), parse_clock(high_text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a clock range; write 'HH:MM..HH:MM', e.g. '06:30..07:30'"
        ) from None
    if high < low:  # past midnight: '23:30..01:00'
        high += MS_PER_DAY
    return Span(low, high)


def _duration_span(value: Any) -> Span[int]:
    if isinstance(value, Span):
        return value
    low_text, high_text = _split(value, "a duration range like '20m..90m'")
    try:
        low, high = parse_duration(low_text), parse_duration(high_text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a duration range; write 'LOW..HIGH' with units, e.g. '20m..90m'"
        ) from None
    return _ordered(low, high, value)


def _count_span(value: Any) -> Span[int]:
    if isinstance(value, Span):
        return value
    low_text, high_text = _split(value, "a count range like '8..16'")
    if not (low_text.isdigit() and high_text.isdigit()):
        raise ValueError(f"{value!r} is not a count range; write 'LOW..HIGH', e.g. '8..16'")
    return _ordered(int(low_text), int(high_text), value)


def _number_span(value: Any) -> Span[float]:
    if isinstance(value, Span):
        return value
    low_text, high_text = _split(value, "a number range like '0.5..3'")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a number range; write 'LOW..HIGH', e.g. '0.5..3'"
        ) from None
    if low < 0:
        raise ValueError(f"{value!r}: numbers here are at least 0")
    return _ordered(low, high, value)


ClockSpan = Annotated[Span[int], BeforeValidator(_clock_span)]
DurationSpan = Annotated[Span[int], BeforeValidator(_duration_span)]
CountSpan = Annotated[Span[int], BeforeValidator(_count_span)]
NumberSpan = Annotated[Span[float], BeforeValidator(_number_span)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class RoutineSpec(_Section):
    """When the owner wakes, sleeps, commutes and uses the phone; weekends differ."""

    wake: ClockSpan = Span(6 * 3_600_000 + 1_800_000, 7 * 3_600_000 + 1_800_000)
    sleep: ClockSpan = Span(22 * 3_600_000 + 1_800_000, 23 * 3_600_000 + 1_800_000)
    weekend_wake: ClockSpan = Span(8 * 3_600_000, 10 * 3_600_000)
    weekend_sleep: ClockSpan = Span(23 * 3_600_000, 25 * 3_600_000)
    #: Which days have a commute (out to work, then back).
    commute_days: Literal["weekdays", "daily", "none"] = "weekdays"
    #: When the owner leaves for work and for home.
    commute_out: ClockSpan = Span(7 * 3_600_000 + 2_700_000, 8 * 3_600_000 + 1_800_000)
    commute_back: ClockSpan = Span(17 * 3_600_000, 18 * 3_600_000 + 1_800_000)
    #: How long one way takes.
    commute_length: DurationSpan = Span(20 * 60_000, 60 * 60_000)
    #: Screen sessions per day (the phone picked up and used) and their lengths.
    sessions: CountSpan = Span(8, 16)
    weekend_sessions: CountSpan = Span(10, 20)
    session_length: DurationSpan = Span(60_000, 8 * 60_000)
    #: How many of a day's sessions open the app under test (then leave it).
    app_opens: CountSpan = Span(1, 4)


class ChargingSpec(_Section):
    """When the owner charges: overnight, opportunistic top-ups, a panic at low battery."""

    #: The chance, each night, of charging from bedtime to waking up.
    overnight: Probability = 0.85
    charger: Literal["ac", "usb", "wireless"] = "ac"
    #: The chance, each day, of a top-up while awake, and how long it lasts.
    opportunistic: Probability = 0.3
    top_up_length: DurationSpan = Span(20 * 60_000, 90 * 60_000)
    #: At this battery level the owner may panic and plug in (chance per day), for a while.
    panic_level: Annotated[int, Field(ge=1, le=100)] = 15
    panic: Probability = 0.5
    panic_length: DurationSpan = Span(30 * 60_000, 120 * 60_000)


class LinkSpan(_Section):
    """A place's network, drawn per visit: latency, bandwidth (KB/s, 1 KB = 1000 B), loss (%)."""

    latency_ms: CountSpan = Span(15, 60)
    down_kb_per_s: CountSpan = Span(2_000, 20_000)
    up_kb_per_s: CountSpan = Span(500, 5_000)
    loss_percent: NumberSpan = Span(0.0, 0.5)


def _cellular() -> LinkSpan:
    return LinkSpan(
        latency_ms=Span(50, 200),
        down_kb_per_s=Span(200, 5_000),
        up_kb_per_s=Span(50, 1_000),
        loss_percent=Span(0.5, 3.0),
    )


class PlacesSpec(_Section):
    """Network quality per place (home, work, commute), dead zones, captive portals, flaky Wi-Fi."""

    home: LinkSpan = LinkSpan()
    #: The work Wi-Fi (``null``: none, the phone is on cellular at work).
    work: LinkSpan | None = LinkSpan(
        latency_ms=Span(5, 30), down_kb_per_s=Span(5_000, 50_000), up_kb_per_s=Span(2_000, 20_000)
    )
    #: Cellular on the way (and wherever there is no Wi-Fi).
    commute: LinkSpan = Field(default_factory=_cellular)
    #: Dead zones (no cellular signal) per commute leg, and how long each lasts.
    dead_zones: CountSpan = Span(0, 2)
    dead_zone_length: DurationSpan = Span(60_000, 8 * 60_000)
    #: The chance, each work day, that the work Wi-Fi sits behind a captive portal.
    captive_portal: Probability = 0.1
    #: The chance, each day, that the home Wi-Fi is flaky: drops per day and their lengths.
    flaky_wifi: Probability = 0.2
    flaky_drops: CountSpan = Span(2, 6)
    flaky_drop_length: DurationSpan = Span(20_000, 3 * 60_000)


class ServerSpec(_Section):
    """The server's weather: slow spells, error blips, 429 spells, rare long outages."""

    #: Slow spells per day (answers wait ``slow_delay``), and their lengths.
    slow: CountSpan = Span(0, 2)
    slow_length: DurationSpan = Span(5 * 60_000, 30 * 60_000)
    slow_delay: DurationSpan = Span(2_000, 10_000)
    #: Error blips per day (5xx answers) and their lengths.
    errors: CountSpan = Span(0, 3)
    error_length: DurationSpan = Span(60_000, 5 * 60_000)
    #: Rate-limit spells per day (429 with Retry-After past ``rate_limit`` requests a minute).
    rate_limits: CountSpan = Span(0, 1)
    rate_limit_length: DurationSpan = Span(10 * 60_000, 60 * 60_000)
    rate_limit: CountSpan = Span(1, 5)
    #: The chance, each day, of a long outage, and its length.
    outage: Probability = 0.03
    outage_length: DurationSpan = Span(3_600_000, 6 * 3_600_000)
    #: Each day's response time: a log-normal with a median and a 99th percentile drawn from
    #: these spans (``server latency MEDIAN p99 P99``); null: no latency.
    latency_median: DurationSpan | None = Span(50, 300)
    latency_p99: DurationSpan = Span(400, 3_000)


class LifeSpec(_Section):
    """A drawn life: routine, charging, places, vendor and server weather (each optional).

    A dimension left out (``charging: null``) draws nothing; ``vendor`` maps vendor presets to
    weights (``{stock: 0.7, xiaomi: 0.3}``), drawn once per seed.
    """

    preset: str | None = None
    description: str = ""
    routine: RoutineSpec | None = RoutineSpec()
    charging: ChargingSpec | None = ChargingSpec()
    places: PlacesSpec | None = PlacesSpec()
    vendor: dict[str, Annotated[float, Field(ge=0.0)]] | None = None
    server: ServerSpec | None = ServerSpec()

    @model_validator(mode="after")
    def _vendors(self) -> LifeSpec:
        if self.vendor is None:
            return self
        unknown = sorted(set(self.vendor) - set(VENDORS))
        if unknown:
            raise ValueError(
                f"vendor {', '.join(unknown)} is not a vendor preset; choose from "
                f"{', '.join(VENDORS)}"
            )
        if not any(weight > 0 for weight in self.vendor.values()):
            raise ValueError("vendor weights must not all be 0; give one a weight above 0")
        return self

    @property
    def label(self) -> str:
        """The preset's name, or ``custom``."""
        return self.preset or "custom"


_LIVES: Final = resources.files("harness.scenario") / "lives"


def life_presets() -> list[str]:
    """The names of the bundled life presets (``commuter``, ``student``, ...), sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _LIVES.iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


def _merged(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def life_data(value: Any) -> Any:
    """``life: commuter`` or ``life: {preset: commuter, ...}``: the preset file's sections with
    the written fields laid over them (written fields win); anything else as written."""
    if isinstance(value, str):
        value = {"preset": value}
    if not isinstance(value, dict) or "preset" not in value:
        return value
    preset = value["preset"]
    presets = life_presets()
    if preset not in presets:
        raise ValueError(
            f"life preset {preset!r} does not exist; choose one of: {', '.join(presets)} "
            "(or write the sections yourself)"
        )
    data = yaml.safe_load((_LIVES / f"{preset}.yaml").read_text(encoding="utf-8"))
    return _merged(data, value)
