"""``device_profiles()`` and ``lives()``: the phone and its owner (docs/lives.md), drawn.

``device_profiles()`` draws a scenario's ``device:`` value: a bundled profile, optionally with a
vendor battery manager preset laid over it (``{profile: budget, overrides: {vendor: xiaomi}}``).
``lives()`` draws a scenario's ``life:`` value: a preset (``commuter``, ...) or a preset with
drawn ranges laid over it. Both shrink towards the first choice: ``pixel-like`` on a stock
vendor, the ``homebody`` life (no commute, no dead zones, often charging) with its own figures.
"""

from __future__ import annotations

from typing import Any, Final

from hypothesis import strategies as st

from harness.device import available_profiles, vendor_presets
from harness.scenario import life_presets

#: The mildest first: a stock Pixel, then the rest in name order.
_FIRST_PROFILE: Final = "pixel-like"
_FIRST_VENDOR: Final = "stock"
_FIRST_LIFE: Final = "homebody"


def _mild_first(names: list[str], first: str) -> list[str]:
    return sorted(names, key=lambda name: (name != first, name))


@st.composite
def device_profiles(draw: st.DrawFn, *, vendors: bool = True) -> str | dict[str, Any]:
    """A ``device:`` value: a bundled profile name, or with ``vendors`` maybe a profile with a
    vendor preset (``{"profile": "budget", "overrides": {"vendor": "xiaomi"}}``)."""
    profiles = _mild_first(list(available_profiles()), _FIRST_PROFILE)
    profile = profiles[draw(st.integers(0, len(profiles) - 1))]
    if not vendors:
        return profile
    presets = _mild_first(vendor_presets(), _FIRST_VENDOR)
    vendor = presets[draw(st.integers(0, len(presets) - 1))]
    if vendor == _FIRST_VENDOR:
        return profile
    return {"profile": profile, "overrides": {"vendor": vendor}}


def _range(low: int, high: int, unit: str = "") -> str:
    return f"{low}{unit}..{high}{unit}" if low != high else f"{low}{unit}"


@st.composite
def lives(draw: st.DrawFn, *, ranges: bool = True) -> str | dict[str, Any]:
    """A ``life:`` value: a preset name, or with ``ranges`` maybe a preset with some figures
    drawn (sessions a day, the chance of charging overnight, dead zones per commute leg, the
    server's errors a day), each range drawn from its mildest end."""
    presets = _mild_first(life_presets(), _FIRST_LIFE)
    preset = presets[draw(st.integers(0, len(presets) - 1))]
    if not ranges or not draw(st.booleans()):
        return preset
    sessions_low = 2 + draw(st.integers(0, 10))
    sessions_high = sessions_low + draw(st.integers(0, 10))
    zones = draw(st.integers(0, 4))
    errors = draw(st.integers(0, 5))
    return {
        "preset": preset,
        "routine": {"sessions": _range(sessions_low, sessions_high)},
        # the chance a night's charge is missed grows from 0 (charged every night)
        "charging": {"overnight": round(1 - draw(st.integers(0, 10)) / 10, 1)},
        "places": {"dead_zones": _range(0, zones)},
        "server": {"errors": _range(0, errors)},
    }
