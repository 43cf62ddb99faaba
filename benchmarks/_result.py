"""One benchmark result: harness's value, the baseline's (measured in the same run), the ratio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Result:
    """A measured value against its baseline; ``ratio`` is how many times worse harness is."""

    name: str
    harness: float
    baseline: float
    unit: str
    target: float
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        """How many times slower (or bigger) harness is than the baseline (1.00 = the same)."""
        if self.higher_is_better:
            return self.baseline / self.harness
        return self.harness / self.baseline

    @property
    def met(self) -> bool:
        """Whether the ratio is within the target."""
        return self.ratio <= self.target

    def line(self) -> str:
        """A printable row."""
        mark = "ok" if self.met else "MISSED"
        return (
            f"{self.name:<40}{self.harness:>12,.1f}{self.unit:<3}{self.baseline:>12,.1f}"
            f"{self.unit:<3}{self.ratio:>7.2f}x  <= {self.target:g}x {mark}"
        )
