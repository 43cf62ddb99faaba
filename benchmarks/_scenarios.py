"""The small scenarios the benchmarks run, as plain data (what a YAML file would hold)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: One origin and one static route every benchmark app talks to.
ORIGIN = "https://api.example.com"
STATUS_URL = f"{ORIGIN}/status"
#: The static route's JSON body (the floors answer with the same body).
STATUS_BODY: dict[str, Any] = {
    "ok": True,
    "items": [{"id": n, "title": f"item {n}"} for n in range(5)],
}
ITEMS_URL = f"{ORIGIN}/items"
PHOTOS_URL = f"{ORIGIN}/photos"
#: A day of a phone's life (the bundled suites' happy path): off the charger at 07:00, used
#: twice, the app opened in the evening, charging overnight. A 15-minute sync runs about 52
#: times a day with it (about 19,000 times a year); without it the phone dozes and the app falls
#: into a rare standby bucket (66 runs a year).
DAILY_TIMELINE: list[dict[str, Any]] = [
    {"at": "0s", "do": "open app"},
    {"at": "10m", "do": "leave app"},
    {"every": "day 07:00", "do": "unplug"},
    {"every": "day 08:00", "do": "use phone for 10m"},
    {"every": "day 12:30", "do": "use phone for 15m"},
    {"every": "day 18:00", "do": "open app"},
    {"every": "day 18:20", "do": "leave app"},
    {"every": "day 22:30", "do": "plug in"},
]


def scenario_data(
    app: str,
    duration: str,
    *,
    resources: list[dict[str, Any]] | None = None,
    routes: list[dict[str, Any]] | None = None,
    timeline: list[dict[str, Any]] | None = None,
    checks: list[Any] | None = None,
) -> dict[str, Any]:
    """A pixel-like phone, the static ``/status`` route (and ``routes`` and ``resources``),
    ``app`` opened at 0 s and left a minute later unless ``timeline`` says otherwise."""
    return {
        "name": f"benchmark {app}",
        "app": app,
        "device": "pixel-like",
        "backend": {
            "routes": [
                {"method": "GET", "url": STATUS_URL, "status": 200, "json": STATUS_BODY},
                *(routes or []),
            ],
            "resources": resources or [],
        },
        "duration": duration,
        "timeline": timeline
        if timeline is not None
        else [{"at": "0s", "do": "open app"}, {"at": "1m", "do": "leave app"}],
        "checks": checks if checks is not None else ["no_crashes", "responses_processed"],
    }


def write_scenario(data: dict[str, Any], path: Path) -> Path:
    """``data`` as a YAML file at ``path`` (for runs in a child process)."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
