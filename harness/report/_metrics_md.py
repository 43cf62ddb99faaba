"""The metric and "why" sections of ``summary.md``: aggregates with their intervals, flags,
and why the unfinished works of a failed run were not running."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from harness._units import format_duration_ms, format_t_ms
from harness.report._escape import markdown_code, markdown_text
from harness.scenario import RunRecord

#: A WorkManager work id (a UUID); an iOS entry's ``work`` is a BGTaskScheduler identifier.
_WORK_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: The aggregate metrics ``summary.md`` shows per scenario (all are in summary.json).
SHOWN: Final = (
    "pass_rate",
    "sync_success_rate",
    "sync_latency_p50_ms",
    "sync_latency_p90_ms",
    "sync_latency_p99_ms",
    "sync_latency_max_ms",
    "staleness_max_ms",
    "periodic_run_ratio",
    "retries",
    "wakeups_per_hour",
    "battery_mah_per_day",
    "battery_mah_per_sync",
    "bytes_cellular",
    "items_lost",
    "items_duplicated",
)


def format_value(value: int | float | None, unit: str) -> str:
    """A metric's value in words: durations as ``2h03m``, ratios as percentages."""
    if value is None:
        return "n/a"
    if unit == "ms":  # whole seconds past a minute: 2h1m3s, not 2h1m3s330ms
        whole = int(value)
        return format_duration_ms(whole if whole < 60_000 else whole // 1000 * 1000)
    if unit == "ratio":
        return f"{value:.1%}"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def describe_metric(metric: Mapping[str, Any]) -> str:
    """``value (low to high)``, or the value alone without an interval."""
    unit = str(metric["unit"])
    text = format_value(metric["value"], unit)
    if metric.get("low") is not None and metric.get("high") is not None:
        low, high = format_value(metric["low"], unit), format_value(metric["high"], unit)
        text += f" ({low} to {high})"
    return text


def aggregate_lines(title: str, aggregate: Mapping[str, Any]) -> list[str]:
    """A table of the shown metrics of one aggregate, then its flags."""
    by_name = {metric["name"]: metric for metric in aggregate["metrics"]}
    rows = [by_name[name] for name in SHOWN if name in by_name]
    if not rows and not aggregate["flags"]:
        return []
    lines = ["", f"### {markdown_text(title)}", ""]
    if rows:
        lines += ["| metric | value (95 % interval) |", "|---|---|"]
        for metric in rows:
            lines.append(f"| {markdown_text(metric['label'])} | {describe_metric(metric)} |")
    for flag in aggregate["flags"]:
        lines.append(f"- ⚠ {markdown_text(flag['message'])}")
    return lines


#: The columns of the per-scenario table: (aggregate metric, heading).
COLUMNS: Final = (
    ("pass_rate", "pass"),
    ("sync_success_rate", "sync success"),
    ("sync_latency_p90_ms", "change→phone p90"),
    ("staleness_max_ms", "max staleness"),
    ("wakeups_per_hour", "wake-ups/h"),
    ("battery_mah_per_day", "mAh/day"),
)


def metrics_section(
    overall: Mapping[str, Any], scenarios: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[str]:
    """``## Metrics``: over every run (with intervals), then a row per scenario (over its
    seeds) and each scenario's flags; summary.json has every figure."""
    lines = ["", "## Metrics", "", "95 % intervals: Wilson for rates, Student t for means."]
    lines += aggregate_lines("all runs", overall)
    if not scenarios:
        return lines
    lines += ["", "### per scenario", ""]
    lines += ["| scenario | " + " | ".join(head for _, head in COLUMNS) + " |"]
    lines += ["|---" * (1 + len(COLUMNS)) + "|"]
    flags: list[str] = []
    for name, aggregate in scenarios:
        by_name = {metric["name"]: metric for metric in aggregate["metrics"]}
        cells = [
            format_value(by_name[key]["value"], str(by_name[key]["unit"]))
            if key in by_name
            else "n/a"
            for key, _ in COLUMNS
        ]
        lines.append(f"| {markdown_text(name)} | " + " | ".join(cells) + " |")
        flags.extend(
            f"- ⚠ {markdown_text(name)}: {markdown_text(flag['message'])}"
            for flag in aggregate["flags"]
        )
    if flags:
        lines += ["", *flags]
    return lines


def why_lines(run: RunRecord) -> list[str]:
    """Why each unfinished work of a failed run was not running, moment by moment."""
    if not run.why:
        return []
    lines = ["", f"Why work was not running (seed {run.seed}):", ""]
    for entry in run.why:
        # a WorkManager id is shortened to its first 8 characters, an iOS identifier is not
        work = entry.work[:8] if _WORK_ID.fullmatch(entry.work) else entry.work
        source = "" if entry.source is None else f" (source: {markdown_text(entry.source)})"
        lines.append(
            f"- t={format_t_ms(entry.t_ms)} ({markdown_text(entry.at)}): "
            f"{markdown_text(entry.label)} {markdown_code(work)}: "
            f"{markdown_text(entry.reason)}{source}"
        )
    return lines
