"""A server's response time as a distribution: each answer waits a draw from a log-normal.

Service latencies are right-skewed, with a long tail; a log-normal with a given median and 99th
percentile is the usual two-number model of them (the median is ``exp(mu)``, the 99th percentile
``exp(mu + 2.3263 sigma)``). Draws come from the simulation's named RNG stream
``backend.latency <origin>``, so a server's draws never shift any other stream, and they are
capped at ten times the 99th percentile so one draw cannot stall a run for hours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from harness._exceptions import DefinitionError

#: The standard normal's 99th percentile.
Z_99: Final = 2.3263478740408408
#: Draws above this many times the 99th percentile are cut to it.
CAP_FACTOR: Final = 10


@dataclass(frozen=True, slots=True)
class ServerLatency:
    """Each answer waits a log-normal draw with median ``median_ms`` and 99th percentile
    ``p99_ms`` (milliseconds before the first byte)."""

    median_ms: int
    p99_ms: int

    def __post_init__(self) -> None:
        if self.median_ms < 1 or self.p99_ms < self.median_ms:
            raise DefinitionError(
                f"server latency: median {self.median_ms} ms and p99 {self.p99_ms} ms; the median "
                "must be at least 1 ms and the p99 at least the median (e.g. median 120 ms, p99 "
                "2 s)"
            )

    def draw(self, rng: random.Random) -> int:
        """One answer's wait, in whole milliseconds."""
        mu = math.log(self.median_ms)
        sigma = (math.log(self.p99_ms) - mu) / Z_99
        wait = math.exp(rng.gauss(mu, sigma)) if sigma > 0 else float(self.median_ms)
        return min(round(wait), CAP_FACTOR * self.p99_ms)
