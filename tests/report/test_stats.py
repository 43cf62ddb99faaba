"""The report's statistics (harness/report/_stats.py): Wilson, Student t, percentiles."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.report._stats import (
    counted_percentile,
    mean_interval,
    t_95,
    three_digits,
    wilson,
)
from harness.scenario._metrics import percentile


def test_wilson_interval_matches_the_published_formula() -> None:
    """Wilson (1927): 0 of 10 gives (0, 0.2775); 20 of 20 gives (0.8389, 1); 5 of 10 is
    centred on 0.5 (0.2366 to 0.7634), the textbook values for z = 1.96."""
    low, high = wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.27753, abs=1e-5)
    low, high = wilson(20, 20)
    assert low == pytest.approx(0.83887, abs=1e-5)
    assert high == 1.0
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.23659, abs=1e-5)
    assert high == pytest.approx(0.76341, abs=1e-5)


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_interval_holds_the_observed_rate_inside_zero_to_one(
    trials: int, data: st.DataObject
) -> None:
    """The Wilson interval always lies in [0, 1] and contains the observed proportion."""
    successes = data.draw(st.integers(min_value=0, max_value=trials))
    low, high = wilson(successes, trials)
    assert 0.0 <= low <= successes / trials <= high <= 1.0


def test_wilson_refuses_an_empty_sample() -> None:
    """A proportion of no trials has no interval: the error names the count."""
    with pytest.raises(ValueError, match=r"^a proportion needs at least one trial \(got 0\)$"):
        wilson(0, 0)


def test_t_quantiles_follow_the_table_and_tend_to_the_normal() -> None:
    """t(0.975, df): 12.706 for 1, 2.776 for 4, 2.042 for 30, the normal 1.96 past 120."""
    assert t_95(1) == 12.706
    assert t_95(4) == 2.776
    assert t_95(35) == 2.042  # between rows: the smaller df, a wider interval
    assert t_95(1000) == pytest.approx(1.95996, abs=1e-5)


def test_mean_interval_is_mean_plus_minus_t_s_over_root_n() -> None:
    """Values 1, 2, 3: mean 2, s = 1, so 2 ± 4.303/√3."""
    mean, low, high = mean_interval(3, Fraction(6), Fraction(14))
    assert mean == 2.0
    assert low == pytest.approx(2 - 4.303 / 3**0.5)
    assert high == pytest.approx(2 + 4.303 / 3**0.5)
    assert mean_interval(1, Fraction(7), Fraction(49)) == (7.0, 7.0, 7.0)


def test_percentiles_are_nearest_rank() -> None:
    """Nearest rank (Hyndman and Fan's definition 1): of 1..10, p50 is 5, p90 is 9, p99 is 10."""
    values = list(range(10, 0, -1))
    assert [percentile(values, p) for p in (50, 90, 99, 100)] == [5, 9, 10, 10]
    counts = dict.fromkeys(values, 1)
    assert [counted_percentile(counts, p) for p in (50, 90, 99)] == [5, 9, 10]
    assert percentile([], 50) is None
    assert counted_percentile({}, 50) is None


def test_fleet_latency_buckets_keep_three_significant_digits() -> None:
    """A fleet pools latencies at three significant digits: within 1 % of the value."""
    assert three_digits(999) == 999
    assert three_digits(123_456) == 123_000
    assert three_digits(1_000_999) == 1_000_000
