"""Test items of the harness pytest plugin: scenario files collected as one item per seed.

Imported by :mod:`harness.pytest_plugin` only when pytest collects a scenario file, so that
coverage measurement (which starts after plugins load) sees harness's modules imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness._exceptions import ScenarioError
from harness._units import format_t_ms
from harness.report import printable
from harness.scenario import (
    TIMELINE_KINDS,
    RunRecord,
    Scenario,
    failed_summary,
    load,
    run_scenario,
    trace_file,
    trace_location,
)
from harness.sim import TraceRecord

#: The user property that carries a run's record from an item (or an xdist worker) to the session.
RECORD_PROPERTY = "harness_run_record"


class ScenarioFile(pytest.File):
    """A scenario YAML file: one item per seed."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load(self.path)
            app = self.config.getoption("--harness-app")
            if app is not None:
                scenario = scenario.with_app(app)
        except ScenarioError as error:
            yield BadScenarioItem.from_parent(self, name="load", error=error)
            return
        seeds_option = self.config.getoption("--harness-seeds")
        seeds = range(seeds_option) if seeds_option else range(scenario.spec.seeds)
        for seed in seeds:
            yield ScenarioItem.from_parent(self, name=f"seed{seed}", scenario=scenario, seed=seed)


class BadScenarioItem(pytest.Item):
    """A scenario file that does not load: one failing item with the error."""

    def __init__(self, *, error: ScenarioError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return printable(f"bad scenario file: {excinfo.value}")

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.error.line, "scenario"


class ScenarioCheckFailed(AssertionError):
    """A scenario run whose checks did not all hold."""


class ScenarioItem(pytest.Item):
    """One (scenario, seed) run."""

    def __init__(self, *, scenario: Scenario, seed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.seed = seed
        self.record: RunRecord | None = None
        self.excerpt: list[str] = []
        self.add_marker(pytest.mark.harness_scenario)

    def runtest(self) -> None:
        # The trace streams to a file and is not kept in memory, as the CLI runs: a device-year
        # collected by pytest peaks where a month does. Without a report directory the file is
        # a temporary one, gone when the item ends.
        report = self.config.getoption("--harness-report")
        in_report = Path(report) / trace_location(self.scenario.path, self.seed) if report else None
        with trace_file(in_report) as trace_path:
            result = run_scenario(self.scenario, self.seed, trace_path=trace_path, keep_trace=False)
            record = result.record
            if report:
                record = replace(record, trace_path=trace_path.relative_to(report).as_posix())
            self.record = record
            self.user_properties.append((RECORD_PROPERTY, json.dumps(record.to_json())))
            if not record.passed:
                first_t = next((c.t_ms for c in record.failed_checks if c.t_ms is not None), None)
                self.excerpt = _excerpt(result.trace, first_t)  # read back from the file
                raise ScenarioCheckFailed("\n".join(failed_summary(record)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, ScenarioCheckFailed) or self.record is None:
            return str(super().repr_failure(excinfo))
        lines = [f"{self.scenario.name} (seed {self.seed}) failed:"]
        lines += [f"  {line}" for line in failed_summary(self.record)]
        if self.excerpt:
            lines.append("timeline around the first violation:")
            lines += [f"  {line}" for line in self.excerpt]
        lines.append(f"replay: {self.record.replay_command()}")
        return printable("\n".join(lines))  # names and messages may hold terminal escapes

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, printable(f"{self.scenario.name} [seed {self.seed}]")


def _excerpt(records: Iterable[TraceRecord], t_ms: int | None, around: int = 6) -> list[str]:
    interesting = [r for r in records if r.kind.startswith(TIMELINE_KINDS)]
    if not interesting:
        return []
    if t_ms is None:
        window = interesting[-2 * around :]
    else:
        index = next((i for i, r in enumerate(interesting) if r.t_ms >= t_ms), len(interesting))
        window = interesting[max(0, index - around) : index + around]
    return [
        f"t={format_t_ms(r.t_ms)} {r.kind} "
        + ", ".join(f"{k}={v}" for k, v in r.fields.items() if k not in ("traceback", "tags"))[:160]
        for r in window
    ]
