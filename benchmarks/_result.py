"""One benchmark row: harness's samples, the floor's samples (measured in the same run), a target.

Every value is kept as all its samples (one per repeat); rows print the median and the minimum.
The ratio is median against median: ``harness / floor`` (for costs: how many times the floor's
cost harness pays), or ``floor / harness`` when ``inverted`` (a speed-up such as 1 worker's time
over 2 workers'). A target applies either to that ratio or to harness's own median value, and is
either an upper (``<=``) or a lower (``>=``) bound. A row without a target is information only.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass


class Goal(enum.Enum):
    """Which side of the target is good."""

    #: the measured figure must be at most the target (a cost, a size, a time)
    AT_MOST = "<="
    #: the measured figure must be at least the target (a rate, a speed-up)
    AT_LEAST = ">="


class On(enum.Enum):
    """What the target is compared with."""

    #: the ratio of the medians (harness against the floor)
    RATIO = "ratio"
    #: harness's own median value, in the row's unit
    VALUE = "value"


@dataclass(frozen=True, slots=True)
class Samples:
    """The values of one measured quantity, one per repeat, in the order they were taken."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a measurement needs at least one sample")

    @property
    def min(self) -> float:
        """The smallest sample (the least disturbed by other work on the machine)."""
        return min(self.values)

    @property
    def median(self) -> float:
        """The median sample (what targets are judged on)."""
        return statistics.median(self.values)

    def scaled(self, factor: float) -> Samples:
        """Every sample multiplied by ``factor`` (e.g. seconds to microseconds per request)."""
        return Samples(tuple(value * factor for value in self.values))


@dataclass(frozen=True, slots=True)
class Target:
    """A bound on a row's ratio or value, from issue 14's Deliver point 2."""

    bound: float
    goal: Goal = Goal.AT_MOST
    on: On = On.RATIO

    def met_by(self, figure: float) -> bool:
        """Whether ``figure`` (the ratio or the value) is within the bound."""
        return figure <= self.bound if self.goal is Goal.AT_MOST else figure >= self.bound

    def describe(self, unit: str) -> str:
        """``<= 1.5x`` or ``>= 20,000 runs/s``."""
        if self.on is On.RATIO:
            return f"{self.goal.value} {self.bound:g}x"
        return f"{self.goal.value} {self.bound:,g} {unit}"


def _figure(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


@dataclass(frozen=True, slots=True)
class Result:
    """A row: what was measured, its samples, the floor's samples, and the target."""

    case: str
    name: str
    harness: Samples
    unit: str
    floor: Samples | None = None
    target: Target | None = None
    #: what the ratio compares, in words (printed under the row)
    compares: str = ""
    inverted: bool = False

    @property
    def ratio(self) -> float | None:
        """Median against median (``floor / harness`` when inverted); None without a floor."""
        if self.floor is None:
            return None
        if self.inverted:
            return self.floor.median / self.harness.median
        return self.harness.median / self.floor.median

    @property
    def min_ratio(self) -> float | None:
        """The same ratio of the minimums (printed beside it, never judged)."""
        if self.floor is None:
            return None
        if self.inverted:
            return self.floor.min / self.harness.min
        return self.harness.min / self.floor.min

    @property
    def met(self) -> bool | None:
        """Whether the target holds (None for a row without a target)."""
        if self.target is None:
            return None
        figure = self.ratio if self.target.on is On.RATIO else self.harness.median
        if figure is None:
            raise ValueError(f"{self.name}: a ratio target needs a floor")
        return self.target.met_by(figure)

    def lines(self) -> list[str]:
        """The row: its name, then the figures and the verdict, then what the ratio compares."""
        unit = self.unit
        count = len(self.harness.values)
        figures = (
            f"      median {_figure(self.harness.median)} {unit}, "
            f"min {_figure(self.harness.min)} {unit} (n={count})"
        )
        if self.floor is not None:
            figures += (
                f" | floor median {_figure(self.floor.median)} {unit}, "
                f"min {_figure(self.floor.min)} {unit}"
                f" | ratio {self.ratio:.2f}x (of the minimums {self.min_ratio:.2f}x)"
            )
        if self.target is not None:
            figures += f" | target {self.target.describe(unit)}: {'ok' if self.met else 'MISSED'}"
        rows = [f"({self.case}) {self.name}", figures]
        if self.compares:
            rows.append(f"      {self.compares}")
        return rows
