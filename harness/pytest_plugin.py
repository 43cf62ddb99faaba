"""The harness pytest plugin: scenario files as test items, and fixtures for Python scenarios.

Registered as the ``harness.pytest_plugin`` entry point, so installing harness is enough:

* ``pytest scenarios/`` collects every scenario YAML file (a mapping with ``duration`` and
  ``app``/``apps``) as one test item per seed. A failing item shows each broken check, a
  timeline excerpt around the first violation and the replay command.
* ``--harness-seeds N`` runs seeds 0..N-1 instead of each file's ``seeds``;
  ``--harness-report DIR`` writes the report directory (summary.json, junit.xml, summary.md,
  index.html, traces) at the end of the session, also under pytest-xdist.
* Fixtures for scenarios written in Python: ``sim`` (a started :class:`Simulation`),
  ``backend`` (an :class:`Internet` of fake servers on it), ``workmanager`` (a WorkManager on
  the in-process test scheduler), ``app`` (an :class:`AppRuntime` over the servers) and
  ``device`` (a simulated ``pixel-like`` phone).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness._exceptions import ScenarioError
from harness._units import format_t_ms
from harness.app import AppRuntime
from harness.backends import Internet
from harness.device import Device
from harness.scenario import RunRecord, Scenario, load, run_scenario
from harness.scenario._runner import failed_summary
from harness.scenario._world import _AlwaysOnline
from harness.sim import Simulation, TraceRecord
from harness.workmanager import WorkManager

_PROPERTY = "harness_run_record"
#: Run records of this session's scenario items (on the xdist controller: from every worker).
_session_records: list[RunRecord] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "harness scenario suites")
    group.addoption(
        "--harness-seeds",
        type=int,
        metavar="N",
        help="run seeds 0..N-1 of every scenario file (default: the file's seeds)",
    )
    group.addoption(
        "--harness-report",
        metavar="DIR",
        help="write a harness report directory for the scenario items run",
    )


def pytest_configure(config: pytest.Config) -> None:
    _session_records.clear()
    config.addinivalue_line("markers", "harness_scenario: a scenario file run as a test item")


def _looks_like_scenario(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return path.parent.name == "scenarios"
    return isinstance(data, dict) and "duration" in data and ("app" in data or "apps" in data)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> ScenarioFile | None:
    if file_path.suffix in (".yaml", ".yml") and _looks_like_scenario(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A scenario YAML file: one item per seed."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load(self.path)
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
        return f"bad scenario file: {excinfo.value}"

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

    def _trace_path(self) -> Path | None:
        report = self.config.getoption("--harness-report")
        if not report:
            return None
        slug = Path(self.scenario.path).with_suffix("").as_posix().strip("/").replace("/", "-")
        return Path(report) / "runs" / slug / f"seed-{self.seed}" / "trace.jsonl"

    def runtest(self) -> None:
        trace_path = self._trace_path()
        result = run_scenario(self.scenario, self.seed, trace_path=trace_path, keep_trace=True)
        record = result.record
        if trace_path is not None:
            report_dir = Path(self.config.getoption("--harness-report"))
            record = replace(record, trace_path=trace_path.relative_to(report_dir).as_posix())
        self.record = record
        self.user_properties.append((_PROPERTY, json.dumps(record.to_json())))
        if not record.passed:
            first_t = next((c.t_ms for c in record.failed_checks if c.t_ms is not None), None)
            self.excerpt = _excerpt(list(result.trace), first_t)
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
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.scenario.name} [seed {self.seed}]"


def _excerpt(records: list[TraceRecord], t_ms: int | None, around: int = 6) -> list[str]:
    interesting = [
        r
        for r in records
        if r.kind.startswith(
            ("scenario.", "work.", "http.", "app.", "flutter.", "device.", "backend.")
        )
    ]
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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect run records (from xdist workers too) for the session's report."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == _PROPERTY:
            _session_records.append(RunRecord.from_json(json.loads(str(value))))


def pytest_sessionfinish(session: pytest.Session) -> None:
    report_dir = session.config.getoption("--harness-report")
    if not report_dir or hasattr(session.config, "workerinput") or not _session_records:
        return
    from harness.report import write_report

    write_report(
        report_dir,
        list(_session_records),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report_dir = terminalreporter.config.getoption("--harness-report")
    if report_dir and _session_records:
        terminalreporter.write_line(f"harness report: {Path(report_dir) / 'index.html'}")


# --- fixtures for scenarios written in Python -----------------------------------------------


@pytest.fixture
def sim() -> Iterator[Simulation]:
    """A started simulation (seed 0, default epoch), stopped after the test."""
    with Simulation(seed=0) as simulation:
        yield simulation


@pytest.fixture
def device(sim: Simulation) -> Device:
    """A simulated phone (the ``pixel-like`` profile) on ``sim``'s clock, booted."""
    return Device(sim, "pixel-like")


@pytest.fixture
def backend(sim: Simulation) -> Internet:
    """The fake servers of the test: ``backend.backend("https://api.example.com")`` adds one."""
    return Internet(sim)


@pytest.fixture
def workmanager(sim: Simulation) -> WorkManager:
    """A WorkManager on the in-process TestScheduler (every constraint met), in memory."""
    return WorkManager(sim)


@pytest.fixture
def app(sim: Simulation, backend: Internet) -> AppRuntime:
    """An app runtime over ``backend``; install apps with ``app.install(App.from_module(...))``."""
    return AppRuntime(sim, backend, network_for=lambda _package: _AlwaysOnline())
