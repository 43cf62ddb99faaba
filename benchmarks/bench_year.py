"""(b) A device-year per work run, against the floor of one bare request and one timer hop.

* harness: ``benchmarks._apps.quarter_hour`` (a 15-minute periodic sync making one GET) on a
  pixel-like phone for a year (``--quick``: 2 days) of typical days (``DAILY_TIMELINE``: used,
  charged overnight; about 19,000 runs), run as the CLI runs it: trace streamed to a
  file, not kept, checks evaluated. CPU time of the whole run divided by its work runs
  (``work_runs``: the ``work.started`` records).
* floor: on a plain asyncio loop, per run one timer hop (``call_later(0, future.set_result)``
  and await it) and one bare ``httpx.AsyncClient`` GET through a respx router answering the same
  body; as many of them as the year had runs (at most 20,000).

Target (issue 14): at most 3x the floor per work run.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path

import httpx
import respx

from benchmarks._measure import cpu_seconds, interleave
from benchmarks._result import Result, Target
from benchmarks._scenarios import DAILY_TIMELINE, STATUS_BODY, STATUS_URL, scenario_data
from harness.scenario import Scenario, load_data, run_scenario

CASE = "b"
TITLE = "a device-year per work run vs a bare request plus a plain timer hop"
TARGET = Target(3.0)
REPEATS = 3
_MS = 1_000
_FLOOR_RUNS_CAP = 20_000


def year_scenario(days: int) -> Scenario:
    """The quarter-hour sync for ``days`` days (also case g's scenario)."""
    return load_data(
        scenario_data("benchmarks._apps.quarter_hour", f"{days}d", timeline=DAILY_TIMELINE),
        file=f"<benchmark {days}-day quarter-hour sync>",
    )


def _harness_side(scenario: Scenario, runs_seen: list[int]) -> Mapping[str, float]:
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as tmp:
        began = cpu_seconds()
        result = run_scenario(scenario, 0, trace_path=Path(tmp) / "trace.jsonl", keep_trace=False)
        spent = cpu_seconds() - began
    runs = int(result.record.metrics["work_runs"] or 0)
    if not result.record.passed or runs == 0:
        raise RuntimeError("the year run failed its checks or ran no work; numbers are void")
    runs_seen.append(runs)
    return {"harness": spent / runs}


async def _floor_runs(count: int) -> float:
    router = respx.Router(assert_all_called=False)
    router.get(STATUS_URL).respond(json=STATUS_BODY)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as client:
        await client.get(STATUS_URL)
        began = cpu_seconds()
        for _ in range(count):
            hop: asyncio.Future[None] = loop.create_future()
            loop.call_later(0, hop.set_result, None)
            await hop
            response = await client.get(STATUS_URL)
            if response.status_code != 200:
                raise RuntimeError(f"bare GET answered {response.status_code}")
        return cpu_seconds() - began


def _floor_side(runs_seen: list[int]) -> Mapping[str, float]:
    count = min(runs_seen[-1], _FLOOR_RUNS_CAP)
    return {"floor": asyncio.run(_floor_runs(count)) / count}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Measure the year (or 2 days) against the floor, interleaved."""
    days = 2 if quick else 365
    repeats = repeats or (2 if quick else REPEATS)
    scenario = year_scenario(days)
    runs_seen: list[int] = []
    samples = interleave(
        [lambda: _harness_side(scenario, runs_seen), lambda: _floor_side(runs_seen)], repeats
    )
    return [
        Result(
            CASE,
            f"{days} virtual days of a 15-minute sync with one GET ({runs_seen[-1]:,} runs), "
            "per work run",
            samples["harness"].scaled(_MS),
            "ms",
            samples["floor"].scaled(_MS),
            TARGET,
            "ratio: CPU of the whole run (checks included) / its work runs, against CPU of one "
            "bare httpx+respx GET plus one plain asyncio timer hop",
        )
    ]
