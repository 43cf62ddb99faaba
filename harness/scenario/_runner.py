"""The runner: ``run(scenario, seed) -> RunRecord``, a pure function of its inputs.

One run builds the simulated world for the scenario (device, servers, apps), schedules the
timeline, runs the simulation for the scenario's duration, evaluates the checks on the trace and
the servers, and returns a picklable :class:`RunRecord`. The same (scenario file, seed) gives the
same record and trace digest in any process, so :func:`run_many` can use a process pool and
``harness replay`` reproduces a failure exactly.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from harness.app import fresh_imports
from harness.scenario._loader import Scenario, load
from harness.scenario._pool import end_workers, leave_signals_to_parent
from harness.scenario._record import RunRecord
from harness.scenario._result import RunResult
from harness.scenario._session import RunSession, user_modules
from harness.sim import TraceRecord


def run_scenario(
    scenario: Scenario,
    seed: int,
    *,
    trace_path: str | Path | None = None,
    keep_trace: bool = True,
    explain: bool = True,
    stop_when: Callable[[TraceRecord], bool] | None = None,
) -> RunResult:
    """Run ``scenario`` with ``seed`` in this process and return the live result.

    A run whose checks fail is run once more, paused at each failed check's time and at the
    end, to record why each unfinished work was not running (the record's ``why``), unless
    ``explain`` is false or the run was stopped early.

    ``stop_when`` is asked about each trace record as it is written; when it answers ``True``
    the run stops right after the callback that wrote it and the checks judge what ran (a
    property test that already knows the example fails saves the rest of the week). Such a
    run's digest is not the full run's.

    User modules (the apps, the backend factory, custom checks and what they import) start
    from a fresh import state, and ``os.environ``, the working directory and ``sys.path`` are
    restored afterwards, so nothing a run leaves behind reaches the next one.
    """
    with fresh_imports(user_modules(scenario)):
        result = _run_scenario(
            scenario, seed, trace_path=trace_path, keep_trace=keep_trace, stop_when=stop_when
        )
    if explain and stop_when is None and not result.record.passed and result.record.error is None:
        # why each unfinished work was not running when a check failed and at the end: the
        # run again (a pure function of its seed), paused at those instants
        from harness.scenario._why import why_during

        moments = [
            (check.t_ms, f"check {check.spec} failed")
            for check in result.record.failed_checks
            if check.t_ms is not None and check.t_ms < scenario.spec.duration
        ]
        moments.append((scenario.spec.duration, "run end"))
        why = why_during(scenario, seed, moments, result.record.digest)
        result.record = replace(result.record, why=why)
    return result


def _run_scenario(
    scenario: Scenario,
    seed: int,
    *,
    trace_path: str | Path | None,
    keep_trace: bool,
    stop_when: Callable[[TraceRecord], bool] | None = None,
) -> RunResult:
    session = RunSession(
        scenario, seed, trace_path=trace_path, keep_trace=keep_trace, stop_when=stop_when
    )
    session.advance_to(scenario.spec.duration)
    return session.finish()


@contextmanager
def trace_file(path: str | Path | None = None) -> Iterator[Path]:
    """Where to stream a run's trace (``run_scenario(..., trace_path=..., keep_trace=False)``)
    so that no record is kept in memory: ``path``, or a temporary ``trace.jsonl`` removed when
    the block ends (read the result's trace back inside the block)."""
    if path is not None:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory(prefix="harness-trace-") as folder:
        yield Path(folder) / "trace.jsonl"


def run(
    scenario: str | Path | Scenario, seed: int, *, trace_path: str | Path | None = None
) -> RunRecord:
    """Run one (scenario, seed) and return its picklable :class:`RunRecord`.

    A scenario given as a path is loaded in the calling process (so it works in a pool worker).
    A harness error while loading is not caught here: the CLI validates files before running.
    """
    loaded = load(scenario) if isinstance(scenario, str | Path) else scenario
    return run_scenario(loaded, seed, trace_path=trace_path, keep_trace=False).record


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of work for :func:`run_many`."""

    path: str
    seed: int
    trace_path: str | None
    #: Another app module to test in the scenario (``--app``; :meth:`Scenario.with_app`).
    app: str | None = None


def load_once(path: str, app: str | None = None) -> Scenario:
    """:func:`~harness.scenario.load` of ``path`` (then ``with_app(app)``), as runs load it.

    A process runs many seeds of few files: each version of a file (its mtime and size) is read
    and checked once per process (a loaded scenario is only read by its runs); a file edited
    since is read again. The command line loads its files with this before it runs them, so
    neither its own runs nor its pool's workers (forked after) read and check a file again."""
    try:
        stat = os.stat(path)
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:  # load() reports the missing file with its fix
        version = (0, -1)
    known = _LOADED.get((path, app))
    if known is not None and known[0] == version:
        return known[1]
    loaded = load(path)
    if app is not None:
        loaded = loaded.with_app(app)
    _LOADED[path, app] = (version, loaded)
    return loaded


#: The version (mtime, size) of each file (and ``--app``) last loaded, and the scenario read
#: from it: one entry per file, replaced when it was edited. Not a least-recently-used cache of
#: a few files: a command runs its files in turn, and one of 93 files (the bundled suites) in a
#: cache of 64 found every file evicted by the time its runs came, so each was read again (in
#: each worker). The command holds every file it loaded anyway (about 20 kB each).
_LOADED: dict[tuple[str, str | None], tuple[tuple[int, int], Scenario]] = {}


def _run_job(job: Job) -> RunRecord:
    return run(load_once(job.path, job.app), job.seed, trace_path=job.trace_path)


def run_many(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    on_done: Callable[[RunRecord], None] | None = None,
) -> list[RunRecord]:
    """Run every job; ``workers`` > 1 uses a local process pool. Records come back in job order.

    The records equal those of running the jobs one by one (each run is a pure function of
    its scenario file and seed). ``on_done`` gets each record as its run finishes. When an
    exception (a ``KeyboardInterrupt`` from Ctrl-C, or one the caller's signal handler raises)
    interrupts the wait, the workers are ended before it propagates: no worker outlives the
    call, and the caller still has every record ``on_done`` was given.
    """
    count = workers if workers is not None else min(len(jobs), os.cpu_count() or 1)
    results: list[RunRecord | None] = [None] * len(jobs)
    if count <= 1 or len(jobs) <= 1:
        for position, job in enumerate(jobs):
            results[position] = _run_job(job)
            if on_done is not None:
                on_done(results[position])  # type: ignore[arg-type]
    else:
        pool = ProcessPoolExecutor(max_workers=count, initializer=leave_signals_to_parent)
        try:
            futures = {pool.submit(_run_job, job): position for position, job in enumerate(jobs)}
            for future in as_completed(futures):
                record = future.result()
                results[futures[future]] = record
                if on_done is not None:
                    on_done(record)
            pool.shutdown()
        except BaseException:
            end_workers(pool)
            raise
    return [record for record in results if record is not None]


def failed_summary(record: RunRecord) -> list[str]:
    """Lines describing how a run failed (for the CLI and the pytest plugin)."""
    lines: list[str] = []
    if record.error is not None:
        lines.append(f"run error: {record.error}")
    for check in record.failed_checks:
        lines.append(f"{check.spec} ✗ {check.message}")
        lines.extend(f"  {detail}" for detail in check.details)
    return lines
