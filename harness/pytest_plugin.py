"""The harness pytest plugin: scenario files as test items, and fixtures for Python scenarios.

Registered as the ``harness.pytest_plugin`` entry point, so installing harness is enough:

* ``pytest scenarios/`` collects every scenario YAML file (a mapping with ``duration`` and
  ``app``/``apps``) as one test item per seed. A failing item shows each broken check, a
  timeline excerpt around the first violation and the replay command.
* ``--harness-profile ci|dev|nightly`` loads harness's hypothesis settings profile for
  property tests (:data:`harness.property.PROFILES`).
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
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

# harness itself is imported lazily (inside hooks and fixtures): this module loads as a plugin
# before coverage starts measuring, and whatever it imports at the top would count as unrun.
if TYPE_CHECKING:
    from harness.app import AppRuntime
    from harness.backends import Internet
    from harness.device import Device
    from harness.scenario import RunRecord
    from harness.sim import Simulation
    from harness.workmanager import WorkManager

#: The user property that carries a run's record (as in ``harness._pytest_items``).
RECORD_PROPERTY = "harness_run_record"
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
    group.addoption(
        "--harness-profile",
        choices=("ci", "dev", "nightly"),
        metavar="NAME",
        help="hypothesis settings for property tests: ci (derandomized, 50 examples), dev (25), "
        "nightly (1000); registered as harness-NAME (docs/property-tests.md)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _session_records.clear()
    profile = config.getoption("--harness-profile", default=None)
    if profile:
        from harness.property import load_profile

        load_profile(profile)
    config.addinivalue_line("markers", "harness_scenario: a scenario file run as a test item")


#: Top-level fields only a scenario file has (a device profile file has none of them).
_SCENARIO_FIELDS = frozenset({"app", "apps", "duration", "timeline", "checks", "seeds"})


def _looks_like_scenario(path: Path) -> bool:
    """Whether to collect ``path``: a YAML mapping with two scenario fields anywhere, with one
    under a ``scenarios`` folder, where an unparsable YAML file is collected too. A broken
    scenario (a misspelt field, a syntax error) so becomes a failing item, not a skipped file."""
    in_scenarios = "scenarios" in path.parent.parts
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return in_scenarios
    if not isinstance(data, dict):
        return False
    return len(_SCENARIO_FIELDS & set(data)) >= (1 if in_scenarios else 2)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    if file_path.suffix in (".yaml", ".yml") and _looks_like_scenario(file_path):
        from harness._pytest_items import ScenarioFile

        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect run records (from xdist workers too) for the session's report."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == RECORD_PROPERTY:
            from harness.scenario import RunRecord

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
    from harness.sim import Simulation

    with Simulation(seed=0) as simulation:
        yield simulation


@pytest.fixture
def device(sim: Simulation) -> Device:
    """A simulated phone (the ``pixel-like`` profile) on ``sim``'s clock, booted."""
    from harness.device import Device

    return Device(sim, "pixel-like")


@pytest.fixture
def backend(sim: Simulation) -> Internet:
    """The fake servers of the test: ``backend.backend("https://api.example.com")`` adds one."""
    from harness.backends import Internet

    return Internet(sim)


@pytest.fixture
def workmanager(sim: Simulation) -> WorkManager:
    """A WorkManager on the in-process TestScheduler (every constraint met), in memory."""
    from harness.workmanager import WorkManager

    return WorkManager(sim)


@pytest.fixture
def app(sim: Simulation, backend: Internet, device: Device) -> AppRuntime:
    """The app runtime of ``device``, as in a scenario run: apps' HTTP goes through the device's
    network to ``backend``, their WorkManager hands work to the device's JobScheduler, their data
    lives on the device's storage. ``app.install(App.from_module("my.app"))`` installs on the
    device too; ``device.apps.launch(package)`` opens it (runs its ``main()``)."""
    from harness.phone import bind_phone

    return bind_phone(sim, device, backend).runtime
