"""Drawn devices and lives are valid scenario values (docs/lives.md)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, find, given, settings

from harness.scenario import load_data
from harness.strategies import device_profiles, lives


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(device=device_profiles(), life=lives())
def test_drawn_devices_and_lives_validate(device: Any, life: Any) -> None:
    """A drawn ``device:`` and ``life:`` load with the scenario (profiles, vendors, ranges)."""
    load_data(
        {
            "name": "drawn world",
            "app": "examples.outbox",
            "backend": {"resources": [{"url": "https://api.example.com/notes"}]},
            "device": device,
            "life": life,
            "duration": "1d",
        }
    )


def test_they_shrink_to_a_stock_pixel_and_a_homebody() -> None:
    """The mildest world first: pixel-like on a stock vendor, the homebody life."""
    assert find(device_profiles(), lambda _: True) == "pixel-like"
    assert find(lives(), lambda _: True) == "homebody"
    assert find(device_profiles(), lambda d: isinstance(d, dict)) == {
        "profile": "pixel-like",
        "overrides": {"vendor": "huawei"},
    }
