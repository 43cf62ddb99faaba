"""``check()``: run a scenario with drawn parts inside an ordinary ``@given`` test.

The base scenario (a file or a :class:`~harness.scenario.Scenario`) is loaded once per process
and file version; each example merges the drawn timeline, server faults, life and device into
its data (:func:`with_drawn`), runs it and raises ``AssertionError`` listing the checks that
failed. A run stops as soon as a check can no longer hold (:func:`early_stop`: an app crash
under ``no_crashes``, a request no route matched), so a failing example costs only the part of
the week up to its failure. The example hypothesis reports last (the shrunk one) is run in full
and saved as a scenario file (:func:`~harness.property.save_failure`), and the error names it
with its ``harness replay`` command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from harness.property._failures import replay_command, save_failure
from harness.scenario import RunRecord, RunResult, Scenario, load, run_scenario
from harness.sim import TraceRecord, parse_duration

#: Checks that fail for good once a record of these kinds is written (so the run may stop):
#: ``no_crashes`` on a crash of app code (a worker that raised, except in ``on_stopped``, as
#: the check counts them), the always-on ``no_unmatched_requests`` on a request no route
#: matched.
STOP_KINDS: Final[Mapping[str, tuple[str, ...]]] = {
    "no_crashes": ("app.crash", "flutter.task_error", "work.failed"),
    "no_unmatched_requests": ("http.unmatched",),
}


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, _mtime_ns: int) -> Scenario:
    return load(path)


def base_scenario(scenario: Scenario | str | Path) -> Scenario:
    """``scenario``, loaded once per process and file version when given as a path."""
    if isinstance(scenario, Scenario):
        return scenario
    resolved = Path(scenario)
    return _load_cached(str(resolved), resolved.stat().st_mtime_ns)


def _merged_timeline(base: Scenario, drawn: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The written timeline with the drawn events merged in by time: ``at`` entries stay in
    order (the written one first at one instant), ``every`` rules where they were."""
    written = [dict(entry) for entry in base.data.get("timeline") or ()]
    times = [event.at for event in base.spec.timeline]
    queue = sorted(
        (dict(entry) for entry in drawn), key=lambda entry: parse_duration(str(entry["at"]))
    )
    # the drawn timeline opens the app at 0 s, as a written one usually does: once is enough
    queue = [entry for entry in queue if not (entry in written and entry.get("at") in ("0s", 0))]
    merged: list[dict[str, Any]] = []
    for entry, t_ms in zip(written, times, strict=True):
        while t_ms is not None and queue and parse_duration(str(queue[0]["at"])) < t_ms:
            merged.append(queue.pop(0))
        merged.append(entry)
    return [*merged, *queue]


def with_drawn(
    scenario: Scenario | str | Path,
    *,
    timeline: Sequence[Mapping[str, Any]] | None = None,
    faults: Sequence[Mapping[str, Any]] | None = None,
    life: str | Mapping[str, Any] | None = None,
    device: str | Mapping[str, Any] | None = None,
) -> Scenario:
    """The scenario with drawn parts merged in, validated: ``timeline`` events join the written
    ones (by time), ``faults`` are added to ``backend.faults``, ``life`` and ``device`` replace
    the scenario's own. ``None`` leaves that part as written."""
    base = base_scenario(scenario)
    changes: dict[str, Any] = {}
    if timeline is not None:
        changes["timeline"] = _merged_timeline(base, timeline)
    if faults is not None:
        backend = dict(base.data.get("backend") or {})
        backend["faults"] = [*(backend.get("faults") or ()), *(dict(f) for f in faults)]
        changes["backend"] = backend
    if life is not None:
        changes["life"] = life
    if device is not None:
        changes["device"] = device
    return base.replace(**changes) if changes else base


def early_stop(scenario: Scenario) -> Callable[[TraceRecord], bool] | None:
    """A ``stop_when`` for :func:`~harness.scenario.run_scenario`: true for the first record
    after which one of ``scenario``'s checks can no longer hold (``None``: no such check)."""
    names = {check.name for check in scenario.checks}
    kinds = frozenset(kind for name, kinds in STOP_KINDS.items() if name in names for kind in kinds)
    if not kinds:
        return None
    return lambda record: record.kind in kinds and record.get("phase") != "on_stopped"


def _final_example() -> bool:
    """Whether hypothesis is running the example it reports (the shrunk one), or no
    hypothesis test is running at all."""
    try:
        from hypothesis.control import current_build_context

        return bool(current_build_context().is_final)
    except Exception:  # outside a @given test: every failure is final
        return True


def _describe(record: RunRecord) -> list[str]:
    lines = [f"  ✗ {check.spec}: {check.message}" for check in record.failed_checks]
    if record.error is not None:
        lines.append(f"  run error: {record.error.splitlines()[0]}")
    return lines


def check(
    scenario: Scenario | str | Path,
    *,
    timeline: Sequence[Mapping[str, Any]] | None = None,
    faults: Sequence[Mapping[str, Any]] | None = None,
    life: str | Mapping[str, Any] | None = None,
    device: str | Mapping[str, Any] | None = None,
    seed: int = 0,
    stop_early: bool = True,
    failures: str | Path | None = None,
) -> RunResult:
    """Run ``scenario`` with the drawn parts (:func:`with_drawn`) and assert its checks hold.

    Returns the live :class:`~harness.scenario.RunResult` when every check held (for further
    assertions on ``result.backend``, ``result.trace``). Otherwise raises ``AssertionError``
    listing the failing checks; for the example hypothesis reports (the shrunk one, or any
    failure outside ``@given``) the full run is saved as a scenario file in ``failures``
    (:func:`~harness.property.save_failure`) and the message ends with its ``harness replay``
    command. ``stop_early`` stops a run once a check can no longer hold (:func:`early_stop`).
    """
    example = with_drawn(scenario, timeline=timeline, faults=faults, life=life, device=device)
    stop = early_stop(example) if stop_early else None
    result: RunResult = run_scenario(example, seed, stop_when=stop)
    if result.passed:
        return result
    if not _final_example():
        raise AssertionError(
            "\n".join([f"{example.name} (seed {seed}) failed:", *_describe(result.record)])
        )
    if stop is not None:  # the full run: its digest is the one the saved file replays to
        result = run_scenario(example, seed)
    path = save_failure(example, seed, record=result.record, directory=failures)
    raise AssertionError(
        "\n".join(
            [
                f"{example.name} (seed {seed}) failed:",
                *_describe(result.record),
                f"  saved as {path}; replay it: {replay_command(path, seed)}",
                f"  trace digest {result.record.digest}",
            ]
        )
    )
