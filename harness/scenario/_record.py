"""``RunRecord``: everything one run of (scenario, seed) produced, as plain picklable data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final

#: The trace kinds a person reads to follow a run (``harness replay``, failure excerpts): actions,
#: app and work life, HTTP, the scheduler's reasons, and the device changes that explain them.
TIMELINE_KINDS: Final = (
    "scenario.action",
    "app.",
    "work.enqueued",
    "work.started",
    "work.finished",
    "work.retry",
    "work.stopped",
    "work.cancelled",
    "work.failed",
    "job.deferred",
    "http.",
    "flutter.engine_destroyed",
    "flutter.task_error",
    "bgfetch.",
    "alarm.fired",
    "device.boot",
    "device.network",
    "device.doze",
    "device.power",
    "device.process",
    "device.storage",
    "backend.",
    "ios.",
    "run.error",
)


def trace_location(scenario_path: str, seed: int) -> str:
    """Where a run's trace goes in a report directory: ``runs/<slug>/seed-<N>/trace.jsonl``, the
    slug being the scenario path without ``.yaml``, lower case, other characters as ``-``."""
    stem = PurePosixPath(scenario_path.replace("\\", "/")).with_suffix("").as_posix()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "scenario"
    return f"runs/{slug}/seed-{seed}/trace.jsonl"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check on one run.

    ``t_ms`` is the virtual time of the first violation, when there is one; ``details`` are extra
    lines (the first few violations, what was measured).
    """

    name: str
    spec: str
    passed: bool
    message: str
    t_ms: int | None = None
    details: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The check as it appears in ``summary.json``."""
        return {**asdict(self), "details": list(self.details)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        """Read a check back from ``summary.json``."""
        return cls(
            name=data["name"],
            spec=data["spec"],
            passed=data["passed"],
            message=data["message"],
            t_ms=data.get("t_ms"),
            details=tuple(data.get("details", ())),
        )


@dataclass(frozen=True, slots=True)
class WhyEntry:
    """Why one unfinished work was not running at one moment of a failed run.

    ``at`` names the moment (``"run end"``, ``"check max_staleness: 6h failed"``); ``work`` is
    the work's id, ``label`` its worker, unique name and tags in words; ``reason`` the phone's
    answer (``why_not_running``) and ``blocker`` JobScheduler's verdict (a ``Blocker`` value such
    as ``"constraint"``, ``"doze"``, ``"quota"``), or ``None`` when WorkManager's own state
    answered first (blocked, not handed to JobScheduler) or the work is running. On iOS,
    ``work`` is a background task's identifier, ``blocker`` a ``harness.ios.WaitCause`` value
    and ``source`` where the rule comes from.
    """

    t_ms: int
    at: str
    package: str
    work: str
    label: str
    state: str
    reason: str
    blocker: str | None = None
    #: where the rule behind ``reason`` comes from (iOS: an Apple page or docs/ios.md), or None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as it appears in a run's ``why`` list in ``summary.json``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WhyEntry:
        """Read an entry back from ``summary.json``."""
        return cls(
            t_ms=int(data["t_ms"]),
            at=str(data.get("at", "")),
            package=str(data.get("package", "")),
            work=str(data["work"]),
            label=str(data.get("label", "")),
            state=str(data.get("state", "")),
            reason=str(data["reason"]),
            blocker=data.get("blocker"),
            source=data.get("source"),
        )


@dataclass(frozen=True, slots=True)
class RunRecord:
    """The result of ``run(scenario, seed)``: verdicts, metrics, digest, where the trace is.

    ``error`` is set when the run itself could not complete (a harness bug or a bad scenario
    detected late); such a run fails. ``notes`` are things the user should know that are not
    failures, e.g. ``"interval 300000 ms raised to 900000 ms (15 min minimum), as WorkManager
    does"``.
    """

    scenario: str
    path: str
    seed: int
    checks: tuple[CheckResult, ...]
    digest: str
    duration_ms: int
    real_seconds: float
    #: every metric docs/report-schema.md lists; ``None`` when the run had nothing to measure
    metrics: Mapping[str, int | float | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    trace_path: str | None = None
    error: str | None = None
    #: What the run modelled: ``androidx_work``, ``flutter_workmanager``, ``android`` (the
    #: device's release) and ``device`` (its profile), each a string.
    versions: Mapping[str, str] = field(default_factory=dict)
    #: The life the seed drew (``DrawnLife.to_json``), for a scenario with ``life:``.
    life: Mapping[str, Any] | None = None
    #: the values behind latency percentiles (``sync_latency_ms``, ``upload_latency_ms``), for
    #: pooling over seeds
    samples: Mapping[str, Sequence[int]] = field(default_factory=dict)
    #: ``{"stopped": {stop reason: count}, "deferred": {deferral reason: count}}``
    reasons: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: for a failed run: why each unfinished work was not running at each failed check's time
    #: and at the end
    why: tuple[WhyEntry, ...] = ()

    @property
    def passed(self) -> bool:
        """Every check held and the run completed."""
        return self.error is None and all(check.passed for check in self.checks)

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        """The checks that did not hold."""
        return tuple(check for check in self.checks if not check.passed)

    def describe_versions(self) -> str:
        """The versions in one line (``androidx.work 2.10 · flutter workmanager 0.10.9 ·
        Android 15 (pixel-like)``), or ``""`` when the record carries none."""
        versions = self.versions
        parts = []
        if "androidx_work" in versions:
            parts.append(f"androidx.work {versions['androidx_work']}")
        if "flutter_workmanager" in versions:
            parts.append(f"flutter workmanager {versions['flutter_workmanager']}")
        device = f" ({versions['device']})" if "device" in versions else ""
        if "android" in versions:
            parts.append(f"Android {versions['android']}{device}")
        elif versions.get("platform") == "ios":
            parts.append(f"iOS{device}")
        return " · ".join(parts)

    def replay_command(self) -> str:
        """The command that re-runs exactly this (scenario, seed)."""
        return f"harness replay {self.path} --seed {self.seed}"

    def to_json(self) -> dict[str, Any]:
        """The run as it appears in ``summary.json`` (schema in docs/report-schema.md)."""
        life = {} if self.life is None else {"life": dict(self.life)}
        return {
            "scenario": self.scenario,
            "path": self.path,
            "seed": self.seed,
            "passed": self.passed,
            "error": self.error,
            "digest": self.digest,
            "duration_ms": self.duration_ms,
            "real_seconds": round(self.real_seconds, 3),
            "metrics": dict(self.metrics),
            "notes": list(self.notes),
            "checks": [check.to_json() for check in self.checks],
            "trace": self.trace_path,
            "replay": self.replay_command(),
            "versions": dict(self.versions),
            "samples": {name: list(values) for name, values in self.samples.items()},
            "reasons": {kind: dict(counts) for kind, counts in self.reasons.items()},
            "why": [entry.to_json() for entry in self.why],
            **life,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """Read a run back from ``summary.json`` (for ``harness report``)."""
        return cls(
            scenario=data["scenario"],
            path=data["path"],
            seed=data["seed"],
            checks=tuple(CheckResult.from_json(check) for check in data["checks"]),
            digest=data["digest"],
            duration_ms=data["duration_ms"],
            real_seconds=data["real_seconds"],
            metrics=dict(data.get("metrics", {})),
            notes=tuple(data.get("notes", ())),
            trace_path=data.get("trace"),
            error=data.get("error"),
            versions=dict(data.get("versions", {})),
            life=data.get("life"),
            samples={
                str(name): tuple(int(value) for value in values)
                for name, values in (data.get("samples") or {}).items()
            },
            reasons={
                str(kind): {str(reason): int(count) for reason, count in counts.items()}
                for kind, counts in (data.get("reasons") or {}).items()
            },
            why=tuple(WhyEntry.from_json(entry) for entry in data.get("why") or ()),
        )
