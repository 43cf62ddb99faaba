"""One app on two platforms, side by side: "syncs 23.9 times a day on Android, 1.3 on iOS".

Runs are grouped by their app module(s) (``versions.app``) and platform (``versions.platform``,
Android when absent); an app that ran on more than one platform in a report gets one entry: per
platform, its runs and its successful runs per simulated day (``successful_runs`` over the run's
duration, the mean over its runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from harness.report._escape import markdown_code, markdown_text
from harness.scenario import RunRecord
from harness.sim import MS_PER_DAY

#: How the report names each platform.
PLATFORM_NAMES: Final = {"android": "Android", "ios": "iOS"}


def platform_comparison(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """``[{"app", "platforms": [{"platform", "runs", "syncs_per_day"}]}]`` for every app that
    ran on more than one platform (apps in name order, Android first); empty otherwise."""
    groups: dict[str, dict[str, list[RunRecord]]] = {}
    for record in records:
        app = record.versions.get("app")
        if app:
            platform = record.versions.get("platform", "android")
            groups.setdefault(app, {}).setdefault(platform, []).append(record)
    comparison = []
    for app in sorted(groups):
        platforms = groups[app]
        if len(platforms) < 2:
            continue
        entries = []
        for platform in sorted(platforms, key=lambda name: (name != "android", name)):
            runs = platforms[platform]
            per_day = [
                float(run.metrics.get("successful_runs") or 0) * MS_PER_DAY / run.duration_ms
                for run in runs
                if run.duration_ms > 0
            ]
            mean = round(sum(per_day) / len(per_day), 1) if per_day else 0.0
            entries.append({"platform": platform, "runs": len(runs), "syncs_per_day": mean})
        comparison.append({"app": app, "platforms": entries})
    return comparison


def platform_lines(records: Sequence[RunRecord]) -> list[str]:
    """The ``summary.md`` section: one line per app that ran on several platforms."""
    comparison = platform_comparison(records)
    if not comparison:
        return []
    lines = ["", "## Platforms side by side", ""]
    for entry in comparison:
        first, *others = entry["platforms"]
        said = [f"{first['syncs_per_day']:g} times a day on {_name(first['platform'])}"]
        said += [f"{other['syncs_per_day']:g} on {_name(other['platform'])}" for other in others]
        runs = " and ".join(str(item["runs"]) for item in entry["platforms"])
        lines.append(
            f"- {markdown_code(entry['app'])}: syncs {markdown_text(', '.join(said))} ({runs} runs)"
        )
    return lines


def _name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)
