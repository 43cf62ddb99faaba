"""The `harness` console command."""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from harness import __version__
from harness.cli import _start_up_imports, main
from harness.report._page import RunBlock
from harness.scenario import RunRecord
from tests.scenario.test_runner import SCENARIO

if TYPE_CHECKING:
    from tests.conftest import RunScenarioCalls


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness --version` prints the package version."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"harness {__version__}"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness --help` describes the tool and its commands."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "deterministic simulated phone" in out
    assert "demo" in out


def test_demo_prints_a_device_day(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness demo` simulates a day of hourly syncs and prints the timeline and digest."""
    assert main(["demo", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "24 syncs in 24 h of virtual time" not in out
    assert "23 syncs in 24 h of virtual time" in out
    assert "wall clock 2026-01-05T01:00:00.000" in out
    assert "trace digest " in out


@pytest.mark.slow
def test_console_script_is_installed() -> None:
    """The `harness` entry point runs as a module too (python -m harness.cli --version)."""
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"harness {__version__}"


def _last_line_printed(probe: str) -> str:
    """The last line a fresh interpreter running ``probe`` prints (it must exit 0)."""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_version_and_help_import_none_of_the_simulation() -> None:
    """`harness --version` and `--help` import no layer and no rich: each command imports what
    it needs when it runs (a short run's CPU time was mostly the import of everything)."""
    probe = (
        "import sys\n"
        "from harness.cli import main\n"
        "for argv in (['--version'], ['--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('harness.sim', 'harness.scenario', 'harness.report', 'rich', 'pydantic')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    assert _last_line_printed(probe) == "[]"


def test_run_imports_the_simulation_with_the_collector_paused_then_frozen() -> None:
    """`harness run` imports the simulation's modules with the cyclic garbage collector paused
    and freezes what they built (`gc.freeze`), so no collection walks them again; the collector
    runs again afterwards."""
    probe = (
        "import gc, sys\n"
        "from harness.cli import _start_up_imports\n"
        "seen = []\n"
        "with _start_up_imports():\n"
        "    seen.append(gc.isenabled())\n"
        "    import harness.scenario._runner\n"
        "print(seen[0], gc.isenabled(), gc.get_freeze_count() > 50_000)\n"
    )
    assert _last_line_printed(probe) == "False True True"


def test_start_up_imports_pause_nothing_once_the_simulation_is_imported() -> None:
    """A second command in the same process (the simulation already imported) neither pauses
    nor freezes the collector, and a collector the caller disabled stays disabled."""
    importlib.import_module("harness.scenario._runner")  # the simulation is imported
    frozen = gc.get_freeze_count()
    with _start_up_imports():
        assert gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    gc.disable()
    try:
        with _start_up_imports():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def _scenario_file(tmp_path: Path, text: str, name: str = "hourly.yaml") -> Path:
    path = tmp_path / "scenarios" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_run_writes_the_report_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run DIR --seeds N --out OUT` runs every file, writes the report, exits 0."""
    _scenario_file(tmp_path, SCENARIO)
    out = tmp_path / "out"
    code = main(
        ["run", str(tmp_path / "scenarios"), "--seeds", "2", "--out", str(out), "--workers", "1"]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "✓ hourly sync with edits  2/2 seeds pass" in printed
    for name in ("summary.json", "junit.xml", "summary.md", "index.html"):
        assert (out / name).exists()
    assert len(list((out / "runs").rglob("trace.jsonl"))) == 2


def test_run_draws_the_timelines_as_runs_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a pool, the timeline of each file's first seed is drawn as its run finishes, while
    the workers run the others: the report written after the last run draws none of a passing
    suite's, and its page is the one `harness report` draws from the traces."""
    import harness.report._write as write

    _scenario_file(tmp_path, SCENARIO)
    _scenario_file(tmp_path, SCENARIO.replace("with edits", "again"), "again.yaml")
    drawn: list[tuple[str, int, bool]] = []  # (file, seed, while writing the report)
    writing: list[bool] = []
    block_for, render_html = write._block_for, write.render_html

    def counted_block_for(out_dir: Path, run: RunRecord, *, open_: bool) -> RunBlock | None:
        drawn.append((Path(run.path).name, run.seed, bool(writing)))
        return block_for(out_dir, run, open_=open_)

    def marked_render_html(*args: Any, **kwargs: Any) -> str:
        writing.append(True)
        try:
            return render_html(*args, **kwargs)
        finally:
            writing.clear()

    monkeypatch.setattr(write, "_block_for", counted_block_for)
    monkeypatch.setattr(write, "render_html", marked_render_html)
    out = tmp_path / "out"
    command = ["run", str(tmp_path / "scenarios"), "--seeds", "3", "--out", str(out)]
    assert main([*command, "--workers", "2"]) == 0
    assert sorted(drawn) == [("again.yaml", 0, False), ("hourly.yaml", 0, False)]
    page = (out / "index.html").read_text()
    assert page.count('<details class="run-block"') == 2
    assert main(["report", str(out)]) == 0
    assert (out / "index.html").read_text() == page
    assert drawn[2:] == [("again.yaml", 0, True), ("hourly.yaml", 0, True)]


def test_failing_run_exits_1_and_replay_reproduces_the_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing check exits 1 with a replay command; replay reproduces the trace digest."""
    path = _scenario_file(tmp_path, SCENARIO.replace("max_staleness: 7h", "max_staleness: 1h"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--seed", "3", "--out", str(out), "--workers", "1"]) == 1
    printed = capsys.readouterr().out
    assert f"replay: harness replay {path} --seed 3" in printed
    summary = json.loads((out / "summary.json").read_text())
    digest = summary["scenarios"][0]["runs"][0]["digest"]
    assert main(["replay", str(path), "--seed", "3"]) == 1
    replayed = capsys.readouterr().out
    assert f"digest {digest}" in replayed
    assert "max_staleness: 1h: data went" in replayed


def test_replay_streams_its_trace_and_prints_the_timeline_from_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spy_run_scenario: Callable[[ModuleType], RunScenarioCalls],
) -> None:
    """`harness replay` without --out runs with its trace streamed to a temporary file (no
    records kept: a replayed device-year peaks where a month does), prints the timeline read
    back from it, and leaves nothing behind."""
    import harness.scenario

    calls, scratch = spy_run_scenario(harness.scenario)
    path = _scenario_file(tmp_path, SCENARIO)
    assert main(["replay", str(path), "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "http.request" in printed
    assert "digest " in printed
    [(trace_path, keep_trace)] = calls
    assert keep_trace is False
    assert trace_path.parent.parent == scratch
    assert list(scratch.iterdir()) == []


def test_bad_scenario_exits_2_with_its_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad scenario file is rejected before anything runs, exit code 2."""
    path = _scenario_file(tmp_path, SCENARIO.replace("do: open app", "do: dance"))
    assert main(["run", str(path)]) == 2
    assert "action 'dance' is not one of" in capsys.readouterr().out
    assert main(["validate", str(path)]) == 2
    printed = capsys.readouterr().out
    # printed as text, not rich markup: the optional parts in brackets survive
    assert "'server outage DURATION [KIND [DELAY]] [at ORIGIN]'" in " ".join(printed.split())


def test_validate_list_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate and list read files without running; report re-renders a report directory."""
    path = _scenario_file(tmp_path, SCENARIO)
    assert main(["validate", str(path)]) == 0
    assert "hourly sync with edits" in capsys.readouterr().out
    assert main(["list", str(path)]) == 0
    assert "  - max_staleness: 7h" in capsys.readouterr().out
    out = tmp_path / "out"
    main(["run", str(path), "--seed", "0", "--out", str(out), "--workers", "1"])
    (out / "index.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "index.html").exists()
    assert main(["report", str(tmp_path / "nothing")]) == 2


def test_usage_errors_exit_2() -> None:
    """Bad usage is exit code 2, as argparse reports it."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run"])
    assert exit_info.value.code == 2
    assert main([]) == 2


def test_list_trace_kinds_prints_every_kind_with_its_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`harness list --trace-kinds` prints each registered kind, its meaning and its fields."""
    assert main(["list", "--trace-kinds"]) == 0
    out = capsys.readouterr().out
    assert "work.finished  A run completed: result success or failure" in out
    assert "\n    next_run_time_ms: int | None\n" in out
    assert "\n    fault: str | None  (optional)\n" in out
    assert "flutter.task_result" in out
    assert "demo.sync" in out
    assert main(["list"]) == 2


def test_validate_runs_no_user_code_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness validate` imports no app module and calls no backend factory (nothing of the
    user's code runs); `validate --import` and `run` do the full preflight."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    marker = tmp_path / "ran"
    (tmp_path / "cli_sideeffect.py").write_text(
        f"def note(what):\n    with open({str(marker)!r}, 'a') as file:\n        file.write(what)\n"
        "note('import ')\n"
        "def build(internet, sim):\n    note('factory ')\n"
        "def main() -> None:\n    pass\n"
    )
    text = SCENARIO.replace("app: tests.scenario.apps.hourly", "app: cli_sideeffect")
    text = text.replace("backend:\n", "backend:\n  factory: cli_sideeffect:build\n")
    text = text.replace(
        "  - at: 2h10m\n    do: app edit hello\n  - at: 5h30m\n    do: app edit world\n", ""
    )
    path = _scenario_file(tmp_path, text)
    os_system = _scenario_file(
        tmp_path, text.replace("cli_sideeffect:build", "os:system"), name="os_system.yaml"
    )
    assert main(["validate", str(path), str(os_system)]) == 0, capsys.readouterr().out
    assert not marker.exists()
    assert main(["validate", "--import", str(path)]) == 0
    assert marker.read_text() == "import factory "
    assert main(["validate", "--import", str(os_system)]) == 2
    assert "backend factory 'os:system' raised TypeError" in capsys.readouterr().out


def test_one_bad_file_never_hides_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate DIR` and `run DIR` report every bad file (each with its own errors) and exit 2
    before running anything."""
    _scenario_file(tmp_path, SCENARIO, name="a_good.yaml")
    _scenario_file(tmp_path, "a: &a [*a]\n", name="b_recursive.yaml")
    _scenario_file(
        tmp_path,
        SCENARIO.replace("duration: 1d", "duration: 1d\nduration: 2d"),
        name="c_duplicate.yaml",
    )
    _scenario_file(
        tmp_path, SCENARIO.replace("duration: 1d", "duration: 100000000w"), name="d_overflow.yaml"
    )
    out = tmp_path / "out"
    for command in (["validate"], ["run", "--out", str(out), "--workers", "1"]):
        assert main([*command, str(tmp_path / "scenarios")]) == 2
        printed = capsys.readouterr().out
        assert "b_recursive.yaml:1: a recursive alias" in printed
        assert "c_duplicate.yaml:12: duplicate key 'duration' (first at line 11)" in printed
        assert (
            "d_overflow.yaml:11: duration: duration '100000000w' is longer than the limit"
            in printed
        )
        assert "a_good.yaml" not in printed
    assert not out.exists()


def test_an_app_that_fails_to_import_is_exit_2_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` on an app module with a syntax error or a failing top-level statement exits 2
    naming the app's file and line, not a traceback with exit 1."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "cli_syntax.py").write_text("def main(:\n    pass\n")
    (tmp_path / "cli_raises.py").write_text("def main(): pass\n\n1 / 0\n")
    for module, expected in (
        ("cli_syntax", f"has a syntax error at {tmp_path}/cli_syntax.py:1"),
        (
            "cli_raises",
            f"raised ZeroDivisionError while being imported at {tmp_path}/cli_raises.py:3",
        ),
    ):
        path = _scenario_file(tmp_path, SCENARIO.replace("tests.scenario.apps.hourly", module))
        assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
        printed = " ".join(capsys.readouterr().out.split())
        assert expected in printed
        assert "Traceback" not in printed


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "l0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]\n"
        + "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)),
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
    ],
    ids=["billion-laughs", "deep-nesting"],
)
def test_hostile_yaml_is_exit_2_in_a_real_process(tmp_path: Path, text: str) -> None:
    """In a real process with a memory cap, hostile YAML ends in exit 2 and a short message."""
    path = _scenario_file(tmp_path, text)
    result = subprocess.run(
        [sys.executable, "-c", _LIMITED_MAIN, "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stdout) < 2000


#: `harness` under a 2 GiB address-space limit and 60 s of CPU.
_LIMITED_MAIN = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
from harness.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_run_in_this_process_reads_and_checks_the_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`harness run FILE --workers 1` checks the file before running and the run uses that
    check (loading a scenario validates it and builds a world for the preflight: a second
    load was a tenth of a one-hour run's CPU)."""
    from harness.scenario import _loader

    path = _scenario_file(tmp_path, SCENARIO.replace("hourly sync", "hourly sync once"))
    loads: list[str] = []
    real = _loader.load_data

    def counted(data: object, **options: object) -> object:
        loads.append(str(options.get("file")))
        return real(data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_loader, "load_data", counted)
    out = tmp_path / "out"
    main(["run", str(path), "--seed", "0", "--out", str(out), "--workers", "1"])
    assert loads == [str(path)]
