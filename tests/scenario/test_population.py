"""Fleet populations (harness/scenario/_population.py): shares, device seeds, profile dealing."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness._exceptions import ScenarioError
from harness.scenario import assign_profile, device_seed, loads
from harness.scenario._population import ProfileDeal
from tests.scenario.fleet_fixtures import FLEET


def test_largest_remainder_gives_exact_counts_for_a_thousand_devices() -> None:
    """60/30/10 % of 1,000 devices are exactly 600, 300 and 100 (as largest-remainder
    apportionment gives)."""
    deal = ProfileDeal((Fraction(6, 10), Fraction(3, 10), Fraction(1, 10)))
    parts = [deal.next() for _ in range(1000)]
    assert [parts.count(part) for part in range(3)] == [600, 300, 100]
    assert parts[:10] == [0, 1, 0, 0, 1, 0, 2, 0, 1, 0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=400),
)
def test_every_prefix_holds_each_share_within_one_device(weights: list[int], devices: int) -> None:
    """Tijdeman's rule (Discrete Mathematics 32, 1980) keeps every part within one device of
    its share of any first N devices, and device i's part never depends on the fleet's size."""
    total = sum(weights)
    shares = [Fraction(weight, total) for weight in weights]
    deal = ProfileDeal(shares)
    counts = [0] * len(shares)
    for dealt in range(1, devices + 1):
        counts[deal.next()] += 1
        assert all(
            abs(share * dealt - count) < 1 for share, count in zip(shares, counts, strict=True)
        )
    fresh = ProfileDeal(shares)
    parts = [fresh.next() for _ in range(devices)]
    assert assign_profile(shares, devices - 1) == parts[-1]


def test_device_seeds_are_stable_and_distinct() -> None:
    """Device i's seed is SHA-256 of (fleet seed, i): the same in every process and Python
    version (pinned), different per device and per fleet."""
    assert device_seed(0, 0) == device_seed(0, 0)
    assert device_seed(0, 17) == 9214726840401941906
    seeds = {device_seed(fleet, device) for fleet in range(3) for device in range(1000)}
    assert len(seeds) == 3000
    assert all(0 <= seed < 2**63 for seed in seeds)


def _with_population(population: str) -> str:
    head, _, rest = FLEET.partition("population:\n")
    _, _, tail = rest.partition("timeline:\n")
    return f"{head}population:\n{population}timeline:\n{tail}"


def test_shares_must_sum_to_one_hundred_percent() -> None:
    """Shares that do not add up to 100 % are an error naming the field, the sum and the fix."""
    text = _with_population(
        "  profiles:\n    - {profile: pixel-like, share: 60%}\n"
        "    - {profile: budget, share: 30%}\n"
    )
    with pytest.raises(ScenarioError, match=r"population: the shares add up to 90% \(60% \+ 30%\)"):
        loads(text, file="fleet.yaml")


def test_an_unknown_profile_is_reported_at_its_part() -> None:
    """A part naming a device profile that does not exist fails before anything runs, at
    population.profiles[i].profile."""
    text = _with_population("  profiles:\n    - {profile: pixel-lke, share: 100%}\n")
    with pytest.raises(ScenarioError, match=r"population\.profiles\[0\]\.profile: .*pixel-lke"):
        loads(text, file="fleet.yaml")


def test_a_share_must_be_a_percentage() -> None:
    """A share written without '%' is an error that shows how to write it."""
    text = _with_population("  profiles:\n    - {profile: pixel-like, share: 1}\n")
    with pytest.raises(ScenarioError, match=r"share: 1 is not a share; write a percentage"):
        loads(text, file="fleet.yaml")


def test_parts_with_one_profile_need_their_own_names() -> None:
    """Two parts called the same would merge in the per-profile breakdown: an error says to name
    them."""
    text = _with_population(
        "  profiles:\n    - {profile: pixel-like, share: 50%}\n"
        "    - {profile: pixel-like, share: 50%}\n"
    )
    with pytest.raises(ScenarioError, match=r"both called 'pixel-like'; give each part"):
        loads(text, file="fleet.yaml")


def test_device_and_population_exclude_each_other() -> None:
    """A scenario is one device or a fleet: 'device' beside 'population' is an error."""
    text = FLEET.replace("population:", "device: budget\npopulation:")
    with pytest.raises(ScenarioError, match=r"give either 'device' \(one device\) or 'population'"):
        loads(text, file="fleet.yaml")
