"""Comparing a report with a baseline report: what changed, and is it better, the same or worse.

The compared figures come from each side's aggregates (``_aggregate.Pool``), overall and per
scenario (matched by path). A figure with a 95 % interval on both sides (pass rate and sync
success rate: Wilson; means: Student t) is *worse* or *better* only when the two intervals do
not overlap; a figure without one (percentiles), or whose interval is a single point (one seed),
moves by more than the tolerance (relative, :data:`DEFAULT_TOLERANCE`) to count; a figure
with intervals must also move by more than :data:`MIN_EFFECT` (1 %). A scenario
whose every seed passed in the baseline and some seed fails now is *worse* whatever its
intervals say: a check that held no longer does. A scope's verdict is the worst of its figures';
the report's is the worst of its scopes'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from harness.report._aggregate import pool_of
from harness.report._escape import markdown_code, markdown_text
from harness.report._metrics_md import format_value
from harness.scenario import RunRecord

Verdict = Literal["better", "same", "worse"]

#: A figure without an interval must move by more than this share of its baseline value.
DEFAULT_TOLERANCE: Final = 0.10
#: A figure with intervals must also move by more than this share: seeds of a deterministic
#: simulation can agree so closely that a 0.1 % change has disjoint intervals, and means nothing.
MIN_EFFECT: Final = 0.01

#: The compared figures: aggregate metric name -> whether a higher value is better.
COMPARED: Final = {
    "pass_rate": True,
    "sync_success_rate": True,
    "sync_latency_p50_ms": False,
    "sync_latency_p90_ms": False,
    "sync_latency_p99_ms": False,
    "staleness_max_ms": False,
    "battery_mah_per_day": False,
    "battery_mah_per_sync": False,
    "wakeups_per_hour": False,
    "max_wakeups_per_hour": False,
}

_ORDER: Final[dict[str, int]] = {"better": 0, "same": 1, "worse": 2}


def _worst(verdicts: Sequence[str]) -> Verdict:
    worst = max(verdicts, key=_ORDER.__getitem__, default="same")
    if worst == "worse":
        return "worse"
    return "better" if "better" in verdicts else "same"


def judge(
    old: Mapping[str, Any], new: Mapping[str, Any], higher_is_better: bool, tolerance: float
) -> tuple[Verdict, str]:
    """One figure's verdict and the rule that gave it (see the module docs)."""
    before, after = old["value"], new["value"]
    if before is None or after is None:
        return "same", "not measured on both sides"
    intervals = all(side.get(k) is not None for side in (old, new) for k in ("low", "high"))
    if intervals and old["low"] < old["high"] and new["low"] < new["high"]:
        if abs(after - before) <= MIN_EFFECT * abs(before):
            return "same", f"moved less than {MIN_EFFECT:.0%}"
        if new["low"] > old["high"]:
            return ("better" if higher_is_better else "worse"), "the 95 % intervals do not overlap"
        if new["high"] < old["low"]:
            return ("worse" if higher_is_better else "better"), "the 95 % intervals do not overlap"
        return "same", "the 95 % intervals overlap"
    change = after - before
    scale = abs(before)
    if change == 0 or (scale > 0 and abs(change) <= tolerance * scale):
        return "same", f"within the {tolerance:.0%} tolerance"
    up = change > 0
    rule = f"moved more than the {tolerance:.0%} tolerance"
    return ("better" if up == higher_is_better else "worse"), rule


def _scope(
    scope: str,
    name: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    tolerance: float,
    broke: bool,
) -> dict[str, Any]:
    old_by = {m["name"]: m for m in old["metrics"]}
    new_by = {m["name"]: m for m in new["metrics"]}
    changes = []
    for figure, higher_is_better in COMPARED.items():
        if figure not in old_by and figure not in new_by:
            continue
        before = old_by.get(figure, {"value": None})
        after = new_by.get(figure, {"value": None})
        verdict, rule = judge(before, after, higher_is_better, tolerance)
        changes.append(
            {
                "name": figure,
                "label": (after if figure in new_by else before)["label"],
                "unit": (after if figure in new_by else before)["unit"],
                "old": before.get("value"),
                "old_low": before.get("low"),
                "old_high": before.get("high"),
                "new": after.get("value"),
                "new_low": after.get("low"),
                "new_high": after.get("high"),
                "verdict": verdict,
                "rule": rule,
            }
        )
    old_flags = {flag["name"] for flag in old["flags"]}
    new_flags = [flag for flag in new["flags"] if flag["name"] not in old_flags]
    verdicts = [change["verdict"] for change in changes]
    notes = []
    if broke:
        verdicts.append("worse")
        notes.append("every seed passed in the baseline; some fail now")
    if new_flags:
        verdicts.append("worse")
        notes.extend(f"new flag: {flag['message']}" for flag in new_flags)
    return {
        "scope": scope,
        "name": name,
        "verdict": _worst(verdicts),
        "notes": notes,
        "changes": changes,
    }


def compare_reports(
    baseline: Sequence[RunRecord],
    current: Sequence[RunRecord],
    *,
    baseline_label: str,
    tolerance: float | None = None,
) -> dict[str, Any]:
    """The ``comparison`` object of ``summary.json`` (docs/report-schema.md): ``current``'s runs
    against ``baseline``'s, overall, then each scenario in both; ``tolerance`` (default
    :data:`DEFAULT_TOLERANCE`) for figures without an interval."""
    if tolerance is None:
        tolerance = DEFAULT_TOLERANCE
    scopes = [
        _scope(
            "overall",
            "all runs",
            pool_of(baseline).to_json(),
            pool_of(current).to_json(),
            tolerance,
            broke=all(r.passed for r in baseline) and not all(r.passed for r in current),
        )
    ]
    old_paths = {record.path for record in baseline}
    new_paths = {record.path for record in current}
    for path in sorted(old_paths & new_paths):
        before = [record for record in baseline if record.path == path]
        after = [record for record in current if record.path == path]
        scopes.append(
            _scope(
                path,
                after[0].scenario,
                pool_of(before).to_json(),
                pool_of(after).to_json(),
                tolerance,
                broke=all(r.passed for r in before) and not all(r.passed for r in after),
            )
        )
    return {
        "baseline": baseline_label,
        "tolerance": tolerance,
        "verdict": _worst([scope["verdict"] for scope in scopes]),
        "scopes": scopes,
        "added": sorted(new_paths - old_paths),
        "removed": sorted(old_paths - new_paths),
    }


_MARKS: Final = {"better": "🟢 better", "same": "⚪ same", "worse": "🔴 worse"}


def _shown(value: Any, low: Any, high: Any, unit: str) -> str:
    text = format_value(value, unit)
    if low is not None and high is not None and low < high:
        text += f" ({format_value(low, unit)} to {format_value(high, unit)})"
    return text


def comparison_markdown(comparison: Mapping[str, Any]) -> list[str]:
    """The ``## Comparison`` section of ``summary.md``, fit for a pull-request comment: the
    verdict, the overall figures, then only the scenarios whose verdict is not *same*."""
    verdict = comparison["verdict"]
    lines = [
        "## Comparison with the baseline",
        "",
        f"**{_MARKS.get(verdict, verdict)}** than {markdown_code(str(comparison['baseline']))} "
        f"(95 % intervals must not overlap; figures without one must move more than "
        f"{float(comparison['tolerance']):.0%}).",
    ]
    for scope in comparison["scopes"]:
        if scope["scope"] != "overall" and scope["verdict"] == "same":
            continue
        title = "All runs" if scope["scope"] == "overall" else markdown_text(scope["name"])
        lines += ["", f"### {title}: {_MARKS.get(scope['verdict'], '?')}", ""]
        lines += ["| figure | baseline | now | verdict |", "|---|---|---|---|"]
        for change in scope["changes"]:
            unit = str(change["unit"])
            before = _shown(change["old"], change["old_low"], change["old_high"], unit)
            after = _shown(change["new"], change["new_low"], change["new_high"], unit)
            lines.append(
                f"| {markdown_text(change['label'])} | {before} | {after} | "
                f"{_MARKS.get(change['verdict'], '?')} |"
            )
        lines.extend(f"- {markdown_text(note)}" for note in scope["notes"])
    same = sum(
        1 for s in comparison["scopes"] if s["scope"] != "overall" and s["verdict"] == "same"
    )
    if same:
        lines += ["", f"{same} scenario(s) unchanged."]
    for key, words in (("added", "New scenarios"), ("removed", "Scenarios no longer run")):
        if comparison.get(key):
            listed = ", ".join(markdown_code(str(path)) for path in comparison[key])
            lines += ["", f"{words}: {listed}."]
    return lines
