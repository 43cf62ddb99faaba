"""The statistics of the report's aggregates: Wilson score intervals, Student-t intervals of a
mean, percentiles of pooled values. Plain functions of counts and sums (no dependency)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Final

#: The standard normal quantile for a two-sided 95 % interval (Φ⁻¹(0.975)).
Z_95: Final = 1.959963984540054

#: Student's t quantile t(0.975, df) for a two-sided 95 % interval, by degrees of freedom
#: (the standard table, e.g. NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2);
#: between rows the smaller df is used (a slightly wider, conservative interval).
_T_95: Final = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000,
    120: 1.980,
}  # fmt: skip


def t_95(degrees_of_freedom: int) -> float:
    """t(0.975, df), from :data:`_T_95` (the normal quantile past 120 degrees of freedom)."""
    if degrees_of_freedom < 1:
        raise ValueError(f"degrees of freedom {degrees_of_freedom} must be at least 1")
    if degrees_of_freedom > 120:
        return Z_95
    return _T_95[max(df for df in _T_95 if df <= degrees_of_freedom)]


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927, "Probable inference, the law
    of succession, and statistical inference", JASA 22:209-212):

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = successes / n``.

    Unlike the normal ("Wald") interval it stays inside [0, 1] and is not empty at 0 or n
    successes: 20 of 20 passing seeds gives (0.839, 1.0), not (1.0, 1.0)."""
    if trials <= 0:
        raise ValueError(f"a proportion needs at least one trial (got {trials})")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes {successes} must be between 0 and trials {trials}")
    n = trials
    p = successes / n
    denominator = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at 0 (or n) successes the bound is exactly 0 (or 1); rounding must not move it off
    low = 0.0 if successes == 0 else min(max((centre - half) / denominator, 0.0), p)
    high = 1.0 if successes == n else max(min((centre + half) / denominator, 1.0), p)
    return low, high


def mean_interval(count: int, total: Fraction, squares: Fraction) -> tuple[float, float, float]:
    """The mean of ``count`` values (their exact ``total`` and sum of ``squares``) and its
    95 % Student-t interval ``mean ± t(0.975, n-1)·s/√n`` (``s`` the sample standard deviation);
    one value gives an interval of the mean itself (no spread measured)."""
    if count <= 0:
        raise ValueError("a mean needs at least one value")
    mean = total / count
    if count == 1:
        return float(mean), float(mean), float(mean)
    variance = max((squares - count * mean * mean) / (count - 1), Fraction(0))
    half = t_95(count - 1) * math.sqrt(variance) / math.sqrt(count)
    return float(mean), float(mean) - half, float(mean) + half


def counted_percentile(counts: Mapping[int, int], p: float) -> int | None:
    """The nearest-rank ``p``-th percentile of values given as ``{value: how many}`` (the same
    definition as :func:`harness.scenario._metrics.percentile`); ``None`` for no values."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(math.ceil(p / 100 * total), 1)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def three_digits(value: int) -> int:
    """``value`` rounded down to three significant digits (123_456 -> 123_000): the bucket a
    fleet keeps a latency in, so its pooled values stay bounded (at most 900 per decade) and
    percentiles of them are within 1 % of the exact ones."""
    if value < 1000:
        return value
    scale: int = 10 ** (len(str(value)) - 3)
    return value // scale * scale
