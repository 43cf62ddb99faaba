"""No real I/O from app code (harness/app/_guard.py): refused with RealIOError, recorded as
the failure of the task that tried it, never a harness crash."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_socket import disable_socket, enable_socket

from harness.scenario import Job, RunResult, loads, run_many, run_scenario
from harness.sim import Simulation

SCENARIO = """\
name: real io
app: tests.scenario.apps.real_io
duration: 1h
timeline:
  - at: 0s
    do: open app
  - at: 1m
    do: app {action} {call}
checks:
  - no_crashes
"""

CALLS = [
    "socket",
    "getaddrinfo",
    "gethostbyname",
    "subprocess_run",
    "os_system",
    "urlopen",
    "httpx_client",
    "thread",
    "write_file",
    "fork_event",
    "exec_event",
    "posix_spawn_event",
]


@pytest.fixture
def only_the_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Lift this suite's socket block (pytest-socket), so the harness guard alone stops the
    calls; the file-write call aims at a path in ``tmp_path`` that must stay absent."""
    target = tmp_path / "written.txt"
    monkeypatch.setenv("REAL_IO_WRITE_TARGET", str(target))
    enable_socket()
    try:
        yield target
    finally:
        disable_socket(allow_unix_socket=True)


def _run(call: str, action: str = "try") -> RunResult:
    return run_scenario(loads(SCENARIO.format(action=action, call=call), file="io.yaml"), 0)


def _no_crashes_details(result: RunResult) -> list[str]:
    assert result.record.error is None, result.record.error  # not a harness crash
    check = next(check for check in result.record.checks if check.name == "no_crashes")
    assert not check.passed
    return list(check.details)


@pytest.mark.parametrize("call", [*CALLS, "async_socket", "async_httpx_client"])
def test_real_io_from_a_worker_fails_that_work_with_real_io_error(
    call: str, only_the_guard: Path
) -> None:
    """A worker that opens a socket, resolves a name, starts a process, calls urllib or a plain
    httpx.Client, starts a thread or writes a file fails with RealIOError; no_crashes says so."""
    result = _run(call)
    failures = [r for r in result.trace.of_kind("work.failed") if r.get("phase") == "do_work"]
    assert len(failures) == 1
    assert str(failures[0]["error"]).startswith("RealIOError: at t=0d00:01:00.000 (60000 ms)")
    assert "would do real I/O" in str(failures[0]["error"])
    details = _no_crashes_details(result)
    assert details
    assert details[0].startswith("work.failed at t=0d00:01:00.000")
    assert "RealIOError" in details[0]
    assert not only_the_guard.exists()


@pytest.mark.parametrize("call", ["getaddrinfo", "subprocess_run", "thread"])
def test_real_io_from_an_app_action_is_an_app_crash(call: str, only_the_guard: Path) -> None:
    """App code outside workers (an app action) gets RealIOError too, recorded as app.crash."""
    result = _run(call, action="call")
    crashes = result.trace.of_kind("app.crash")
    assert [str(r["error"]).split(":")[0] for r in crashes] == ["RealIOError"]
    assert "RealIOError" in _no_crashes_details(result)[0]


def test_the_error_names_the_call_and_the_way_out(only_the_guard: Path) -> None:
    """The message says what was refused and what to use instead."""
    error = str(_run("getaddrinfo").trace.of_kind("work.failed")[0]["error"])
    assert error == (
        "RealIOError: at t=0d00:01:00.000 (60000 ms): app code tried getaddrinfo (DNS), which "
        "would do real I/O outside the simulation; the simulated phone has no real network; send "
        "HTTP through harness.app.http"
    )


def test_code_that_is_not_app_code_is_not_guarded(tmp_path: Path) -> None:
    """Outside app code (a test, the harness) real calls work, during a simulation too."""
    with Simulation(seed=0):
        thread = threading.Thread(target=lambda: None)
        thread.start()
        thread.join()
        (tmp_path / "file.txt").write_text("written by the test, not the app")
    assert (tmp_path / "file.txt").exists()


def test_pool_workers_refuse_real_io_too(only_the_guard: Path, tmp_path: Path) -> None:
    """Runs in the process pool (run_many with 2 workers) refuse real I/O the same way."""
    path = tmp_path / "io.yaml"
    path.write_text(SCENARIO.format(action="try", call="subprocess_run"))
    records = run_many([Job(str(path), seed, None) for seed in (0, 1)], workers=2)
    for record in records:
        assert record.error is None
        (check,) = [check for check in record.checks if check.name == "no_crashes"]
        assert not check.passed
        assert "RealIOError" in check.details[0]
        assert "a subprocess" in check.details[0]


def test_real_io_in_main_is_an_app_crash(only_the_guard: Path) -> None:
    """main() (what runs when the user opens the app) is app code too."""
    text = SCENARIO.format(action="try", call="thread").replace(
        "tests.scenario.apps.real_io", "tests.scenario.apps.real_io_main"
    )
    result = run_scenario(loads(text, file="main.yaml"), 0)
    (crash,) = result.trace.of_kind("app.crash")
    assert crash["where"] == "main"
    assert str(crash["error"]).startswith("RealIOError: ")
    assert "to start a real thread" in str(crash["error"])


def test_real_io_in_top_level_code_is_an_app_crash_of_main(only_the_guard: Path) -> None:
    """The app module's top-level code, run when the launch imports it afresh, is app code."""
    text = SCENARIO.format(action="try", call="thread").replace(
        "tests.scenario.apps.real_io", "tests.scenario.apps.real_io_import"
    )
    text = text.replace("  - at: 1m\n    do: app try thread\n", "")
    result = run_scenario(loads(text, file="import.yaml"), 0)
    assert result.record.error is None
    (crash,) = result.trace.of_kind("app.crash")
    assert crash["where"] == "main"
    assert "to start a real thread" in str(crash["error"])
