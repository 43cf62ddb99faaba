"""The fleet report: a population's results folded one device at a time, in bounded memory.

:class:`FleetReport` takes each device's :class:`~harness.scenario._fleet.DeviceResult` as it
comes back and keeps only sums: devices and passes (in all and per population part), how often
each check failed, and per run metric the count, sum, sum of squares, minimum and maximum. The
sums are exact (``Fraction`` of each float), so the aggregates do not depend on the order
results arrive in: every executor and worker count gives the same report. The fleet digest
combines the per-device digests the same way (a sum modulo 2**256 of each device's SHA-256).
Only the failures with the lowest device numbers keep their details
(:data:`MAX_FAILURE_DETAILS`).

``fleet.json`` (:meth:`FleetReport.to_json`) and ``fleet.md`` are written into the report
directory; the schema is in docs/fleets.md.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from harness.report._aggregate import Pool
from harness.scenario import DeviceResult, fleet_replay_command

#: How many failing devices keep their details (the lowest device numbers).
MAX_FAILURE_DETAILS: Final = 20
#: The version of ``fleet.json``'s layout.
FLEET_SCHEMA_VERSION: Final = 1
_DIGEST_MODULUS: Final = 1 << 256


@dataclass(slots=True)
class MetricSpread:
    """One metric over many devices: exact count, sum, sum of squares, minimum, maximum."""

    count: int = 0
    total: Fraction = field(default_factory=Fraction)
    squares: Fraction = field(default_factory=Fraction)
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        """Fold one device's value."""
        exact = Fraction(value)
        self.count += 1
        self.total += exact
        self.squares += exact * exact
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def to_json(self) -> dict[str, float | int]:
        """Mean, population standard deviation, minimum and maximum (floats of exact sums)."""
        mean = self.total / self.count
        variance = max(self.squares / self.count - mean * mean, Fraction(0))
        return {
            "devices": self.count,
            "mean": float(mean),
            "stdev": math.sqrt(variance),
            "min": self.low,
            "max": self.high,
        }


@dataclass(slots=True)
class _Tally:
    devices: int = 0
    passed: int = 0
    metrics: dict[str, MetricSpread] = field(default_factory=dict)

    def add(self, result: DeviceResult) -> None:
        self.devices += 1
        self.passed += result.passed
        for name, value in result.metrics.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.metrics.setdefault(name, MetricSpread()).add(value)

    def to_json(self) -> dict[str, Any]:
        return {
            "devices": self.devices,
            "passed": self.passed,
            "pass_rate": self.passed / self.devices if self.devices else None,
            "metrics": {name: self.metrics[name].to_json() for name in sorted(self.metrics)},
        }


class FleetReport:
    """The fold of a fleet's device results (see the module docs)."""

    def __init__(
        self, name: str, path: str, fleet_seed: int, planned: int, parts: Sequence[str]
    ) -> None:
        self.name = name
        self.path = path
        self.fleet_seed = fleet_seed
        self.planned = planned
        self.parts = tuple(parts)
        self._all = _Tally()
        self._pool = Pool(coarse=True)
        self._by_part = [_Tally() for _ in self.parts]
        self._check_failures: Counter[str] = Counter()
        self._digest_sum = 0
        self._failures: list[tuple[int, DeviceResult]] = []  # a max-heap by device (negated)
        self.real_seconds = 0.0

    @property
    def devices(self) -> int:
        """Devices folded so far."""
        return self._all.devices

    @property
    def passed(self) -> int:
        """Devices whose every check held."""
        return self._all.passed

    @property
    def failed(self) -> int:
        """Devices with a failed check or a run error."""
        return self.devices - self.passed

    @property
    def digest(self) -> str:
        """The fleet digest: the per-device digests combined independently of their order."""
        return f"{self._digest_sum:064x}"

    def add(self, result: DeviceResult) -> None:
        """Fold one device (each device once: the fleet runner deduplicates)."""
        self._all.add(result)
        self._pool.add(
            result.passed, result.metrics, result.samples, result.reasons, result.duration_ms
        )
        self._by_part[result.part].add(result)
        self.real_seconds += result.real_seconds
        self._check_failures.update(result.failed_checks)
        keyed = hashlib.sha256(f"{result.device}/{result.seed}/{result.digest}".encode()).digest()
        self._digest_sum = (self._digest_sum + int.from_bytes(keyed, "big")) % _DIGEST_MODULUS
        if not result.passed:
            entry = (-result.device, result)
            if len(self._failures) < MAX_FAILURE_DETAILS:
                heapq.heappush(self._failures, entry)
            elif result.device < -self._failures[0][0]:
                heapq.heapreplace(self._failures, entry)

    def failures(self) -> list[DeviceResult]:
        """The kept failing devices, lowest device number first."""
        return sorted((result for _, result in self._failures), key=lambda r: r.device)

    def replay(self, device: int) -> str:
        """The command that re-runs ``device`` of this fleet."""
        return fleet_replay_command(self.path, self.fleet_seed, device)

    def to_json(self, *, interrupted: str | None = None) -> dict[str, Any]:
        """``fleet.json``: totals, per part, check failures, metric spreads, failing devices."""
        return {
            "schema_version": FLEET_SCHEMA_VERSION,
            "scenario": self.name,
            "path": self.path,
            "fleet_seed": self.fleet_seed,
            "planned_devices": self.planned,
            "interrupted": interrupted,
            "digest": self.digest,
            **self._all.to_json(),
            "failed": self.failed,
            "profiles": {
                label: tally.to_json()
                for label, tally in zip(self.parts, self._by_part, strict=True)
            },
            "check_failures": dict(sorted(self._check_failures.items())),
            "aggregate": self._pool.to_json(),
            "failing_devices": [
                {
                    "device": result.device,
                    "seed": result.seed,
                    "profile": self.parts[result.part],
                    "failed_checks": list(result.failed_checks),
                    "messages": (
                        [c.message for c in result.record.failed_checks]
                        if result.record is not None
                        else []
                    ),
                    "error": result.record.error if result.record is not None else None,
                    "replay": self.replay(result.device),
                }
                for result in self.failures()
            ],
        }

    def lines(self, *, interrupted: str | None = None) -> list[str]:
        """The report as plain lines (``fleet.md`` and the terminal)."""
        data = self.to_json(interrupted=interrupted)
        rate = data["pass_rate"]
        head = f"{self.name} · fleet seed {self.fleet_seed} · {self.devices} devices"
        if interrupted:
            head += f" of {self.planned} (interrupted: {interrupted})"
        out = [head, f"pass rate {_rate(rate)} ({self.passed}/{self.devices})"]
        for label, part in data["profiles"].items():
            out.append(
                f"  {label}: {_rate(part['pass_rate'])} ({part['passed']}/{part['devices']})"
            )
        for name, spread in data["metrics"].items():
            out.append(
                f"  {name}: mean {spread['mean']:.6g} ± {spread['stdev']:.3g} "
                f"(min {spread['min']:.6g}, max {spread['max']:.6g})"
            )
        for check, count in data["check_failures"].items():
            out.append(f"  ✗ {check}: {count} devices")
        for flag in data["aggregate"]["flags"]:  # Android vitals thresholds (docs/fleets.md)
            out.append(f"  ⚠ {flag['message']}")
        for failing in data["failing_devices"]:
            out.append(
                f"  device {failing['device']} ({failing['profile']}): "
                f"{', '.join(failing['failed_checks'])} · replay: {failing['replay']}"
            )
        if self.failed > len(data["failing_devices"]):
            out.append(
                f"  ... and {self.failed - len(data['failing_devices'])} more failing devices"
            )
        out.append(f"fleet digest {self.digest}")
        return out


def _rate(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def write_fleet_report(
    out_dir: str | Path, report: FleetReport, *, interrupted: str | None = None
) -> Path:
    """Write ``fleet.json`` and ``fleet.md`` into ``out_dir``; return the JSON file's path."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    data = report.to_json(interrupted=interrupted)
    path = directory / "fleet.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    text = "\n".join(report.lines(interrupted=interrupted))
    (directory / "fleet.md").write_text(f"```\n{text}\n```\n", encoding="utf-8")
    return path
