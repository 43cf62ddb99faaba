"""Ctrl-C (SIGINT) and SIGTERM stop `harness` cleanly: workers ended, partial report, 130/143."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main

_ROOT = Path(__file__).resolve().parent.parent
_BUNDLED = [
    "scenarios/outbox/happy_path.yaml",
    "scenarios/hourly_sync/happy_path.yaml",
]
#: The console script's entry point, with Python's own SIGINT handler in place even when the test
#: runner was started with SIGINT ignored (a shell's background job): the signal must arrive.
_ENTRY = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from harness.cli import main; sys.exit(main(sys.argv[1:]))"
)
#: Real-time limit for the command to end after the signal; a hang fails instead of blocking CI.
_TIMEOUT_S = 60.0


def _harness(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _ENTRY, *args],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: what a terminal signals on Ctrl-C
    )


def _wait_for(condition: object, process: subprocess.Popen[str], what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + _TIMEOUT_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"harness ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {what} within {_TIMEOUT_S} s")
        time.sleep(0.05)


def _group_members(group: int) -> list[int]:
    """Live processes of process group ``group`` (read from /proc; zombies count as gone)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            members.append(int(entry.name))
    return members


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler installed for ``signum`` (/proc/PID/status SigCgt)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (signum - 1) & 1)


def _interrupt_a_run(tmp_path: Path, signum: int, *, whole_group: bool) -> None:
    out = tmp_path / "out"
    process = _harness("run", *_BUNDLED, "--seeds", "10", "--workers", "2", "--out", str(out))
    # a worker makes the trace of its next run only after sending the result of the last one:
    # four traces from two workers mean at least two runs finished
    _wait_for(lambda: len(list(out.glob("runs/*/*/trace.jsonl"))) >= 4, process, "four traces")
    time.sleep(1.0)  # let the parent take in the results the workers sent
    if whole_group:
        os.killpg(process.pid, signum)  # Ctrl-C: the terminal signals every process of the job
    else:
        os.kill(process.pid, signum)  # `kill PID`: only the main process hears it
    try:
        stdout, stderr = process.communicate(timeout=_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert process.returncode == 128 + signum, (stdout, stderr)
    assert "Traceback" not in stderr + stdout
    name = signal.Signals(signum).name
    summary = json.loads((out / "summary.json").read_text())
    interrupted = summary["interrupted"]
    assert interrupted["signal"] == name
    assert interrupted["planned_runs"] == 20
    assert 1 <= interrupted["finished_runs"] < 20
    assert summary["totals"]["runs"] == interrupted["finished_runs"]
    assert summary["passed"] is False
    assert stdout.strip().splitlines() == [
        f"interrupted: {interrupted['finished_runs']} of 20 runs ({name}) · partial report: "
        f"{out / 'index.html'}"
    ]
    # the report holds the finished runs, each with its trace; unfinished traces are gone
    traces = {run["trace"] for s in summary["scenarios"] for run in s["runs"]}
    on_disk = {path.relative_to(out).as_posix() for path in out.glob("runs/*/*/trace.jsonl")}
    assert on_disk == traces
    for name_of_file in ("junit.xml", "summary.md", "index.html"):
        assert "interrupted: " in (out / name_of_file).read_text()
    deadline = time.monotonic() + 5.0
    while _group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_members(process.pid) == []  # no worker outlives the command


@pytest.mark.slow
def test_ctrl_c_ends_the_workers_and_writes_a_partial_report(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) during `harness run --workers 2` ends the workers,
    writes the report of the finished runs marked interrupted, prints one line, exits 130."""
    _interrupt_a_run(tmp_path, signal.SIGINT, whole_group=True)


@pytest.mark.slow
def test_sigterm_to_the_main_process_ends_its_workers_too(tmp_path: Path) -> None:
    """SIGTERM to the main process alone ends it the same way, exit 143, no worker left."""
    _interrupt_a_run(tmp_path, signal.SIGTERM, whole_group=False)


def test_ctrl_c_during_replay_exits_130_without_traceback(tmp_path: Path) -> None:
    """Ctrl-C during `harness replay` prints one line and exits 130, no traceback."""
    process = _harness("replay", _BUNDLED[0], "--seed", "0", "--all")
    # the handler is in place once the process catches SIGTERM (Python alone does not)
    _wait_for(lambda: _catches(process.pid, signal.SIGTERM), process, "signal handlers")
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=_TIMEOUT_S)
    assert process.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr + stdout
    assert stdout.strip().splitlines()[-1] == "interrupted (SIGINT)"


def test_a_signal_during_validate_exits_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real SIGINT (or SIGTERM) while `harness validate` reads files: one line, 130 (143)."""
    import harness.scenario
    import harness.scenario._loader

    for signum in (signal.SIGINT, signal.SIGTERM):

        def signalled(paths: object, signum: int = signum) -> list[Path]:
            os.kill(os.getpid(), signum)
            # the handler raises here. Short sleeps, not one long one: the kernel may deliver
            # a process's signal to another thread (the xdist worker's execnet threads), which
            # does not interrupt this thread's sleep; Python runs the handler between two.
            deadline = time.monotonic() + _TIMEOUT_S
            while time.monotonic() < deadline:
                time.sleep(0.01)
            raise AssertionError("the signal did not stop validate")

        # the signal comes while validate looks for the files, wherever it looks them up
        monkeypatch.setattr(harness.scenario, "discover", signalled)
        monkeypatch.setattr(harness.scenario._loader, "discover", signalled)
        assert main(["validate", _BUNDLED[0]]) == 128 + signum
        printed = capsys.readouterr()
        name = signal.Signals(signum).name
        assert printed.out == f"interrupted ({name})\n"
        assert "Traceback" not in printed.err
    # the command's handlers are gone again: SIGTERM is back to what it was
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _signal_main_thread(signum: int) -> None:
    """Send ``signum`` to this thread (the main one): Python runs the handler at its next step."""
    signal.pthread_kill(threading.main_thread().ident or 0, signum)


def _run_until_stopped() -> int:
    """Python steps for up to the timeout: a command that a delivered signal ends."""
    deadline = time.monotonic() + _TIMEOUT_S
    while time.monotonic() < deadline:
        time.sleep(0.001)
    return 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_a_finalizer_swallowed_still_stops_the_command(
    signum: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The signal lands while a generator's finalizer runs (Python prints "Exception ignored"
    and drops the exception there): nothing is printed but the one line, the signal is
    delivered again outside the finalizer, and the command exits 128 + its number."""
    import harness.cli

    finalized: list[bool] = []

    def generator() -> Iterator[int]:
        try:
            yield 1
        finally:  # runs when the last reference goes, inside the garbage collection
            _signal_main_thread(signum)
            finalized.append(True)  # the handler raises at this step, in the finalizer

    def command(*_args: object) -> int:
        unfinished = generator()
        next(unfinished)
        del unfinished
        assert finalized == []  # the interrupt cut the finalizer short, and went no further
        return _run_until_stopped()

    monkeypatch.setattr(harness.cli, "_dispatch", command)
    hook = sys.unraisablehook
    assert main(["list"]) == 128 + signum
    printed = capsys.readouterr()
    assert printed.out == f"interrupted ({signal.Signals(signum).name})\n"
    assert printed.err == ""
    assert sys.unraisablehook is hook  # the command's hook is gone again


def test_a_signal_python_turns_into_another_error_still_stops_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python 3.11 wraps an exception raised in ``__set_name__`` (pydantic's models call it
    while their classes are built, at import) in a RuntimeError: the signal still ends the
    command with one line and 130, no traceback."""
    import harness.cli

    class Descriptor:
        def __set_name__(self, owner: type, name: str) -> None:
            _signal_main_thread(signal.SIGINT)
            self.name = name  # the handler raises at this step

    def command(*_args: object) -> int:
        type("Model", (), {"field": Descriptor()})
        raise AssertionError("the class was built: the signal did not arrive")

    monkeypatch.setattr(harness.cli, "_dispatch", command)
    assert main(["list"]) == 130
    printed = capsys.readouterr()
    assert printed.out == "interrupted (SIGINT)\n"
    assert printed.err == ""


def test_a_signal_a_command_swallowed_is_reported_when_it_returns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """App code may catch the interrupt itself (``except BaseException``) and the command end
    normally: it still exits 130 and says so, once."""
    import harness.cli

    def command(*_args: object) -> int:
        try:
            _signal_main_thread(signal.SIGINT)
            _run_until_stopped()
        except BaseException:  # what careless app code does
            pass
        return 0

    monkeypatch.setattr(harness.cli, "_dispatch", command)
    assert main(["list"]) == 130
    assert capsys.readouterr().out == "interrupted (SIGINT)\n"


#: A child process's start: SIGINT comes the moment orjson's module set-up (its extension's
#: ``exec_module``) imports a module, which is where an exception crashes the interpreter
#: (ijl/orjson#310). ``tripped`` names that module (empty: the set-up imported nothing new, and
#: the test proves nothing).
_TRIP_IN_ORJSON = """
import importlib.machinery, signal, sys, threading

loading, tripped = [], []

class Loader:
    def __init__(self, real):
        self.real = real
    def create_module(self, spec):
        return self.real.create_module(spec)
    def exec_module(self, module):
        loading.append(True)
        try:
            self.real.exec_module(module)
        finally:
            loading.clear()

class Trip:
    def find_spec(self, name, path=None, target=None):
        if name == "orjson.orjson":
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            spec.loader = Loader(spec.loader)
            return spec
        if loading and not tripped:
            tripped.append(name)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        return None

signal.signal(signal.SIGINT, signal.default_int_handler)
sys.meta_path.insert(0, Trip())
"""


def _run_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _TRIP_IN_ORJSON + code, *args],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )


def test_ctrl_c_while_orjson_loads_ends_the_command_cleanly(tmp_path: Path) -> None:
    """orjson's set-up crashes the interpreter when the interrupt comes while it imports the
    standard modules it needs (a segmentation fault, exit -11, no report): harness loads it with
    the stop signals held back, so `harness run` stops with one line and 130."""
    process = _run_child(
        "from harness.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "sys.exit(code if tripped else 99)  # 99: the signal never came inside orjson\n",
        "run",
        _BUNDLED[0],
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "out"),
    )
    assert process.returncode == 130, (process.stdout, process.stderr)
    assert process.stdout == "interrupted (SIGINT)\n"
    assert process.stderr == ""


def test_ctrl_c_while_orjson_loads_is_a_clean_interrupt_of_the_import() -> None:
    """The same outside the command line (a test session, a user's script): the import of the
    simulation raises KeyboardInterrupt instead of crashing."""
    process = _run_child(
        "try:\n"
        "    import harness.sim\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(3 if tripped else 99)\n"
        "sys.exit(4)  # not interrupted at all\n"
    )
    assert process.returncode == 3, (process.stdout, process.stderr)
