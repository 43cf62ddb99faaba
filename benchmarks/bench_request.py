"""(a) One app request: a GET through the device's network into a fake backend, against the floor.

* harness: an app (``benchmarks._apps.requests``) on a pixel-like phone makes N GETs one after
  another through the device's network (link, transfer accounting, trace) into the scenario's
  fake servers: the static route ``GET /status`` and, on a second row, the ``RestResource``
  ``/items``. CPU time of the N requests, measured inside the app.
* floor: a bare ``httpx.AsyncClient`` over ``httpx.MockTransport(respx_router.async_handler)``
  on a plain asyncio loop, N GETs of the same URL answered with the same JSON body.
* information: the fake servers alone (``Internet.handle``, synchronous) against the respx
  router's handler alone, so the ratio above can be split between the servers and the device.

Target (issue 14): the device path at most 1.5x the bare request.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import httpx
import respx

from benchmarks._measure import cpu_seconds, interleave
from benchmarks._result import Result, Target
from benchmarks._scenarios import ITEMS_URL, STATUS_BODY, STATUS_URL, scenario_data
from harness.backends import Internet
from harness.scenario import Scenario, load_data
from harness.sim import Simulation

CASE = "a"
TITLE = "one app request through the device vs a bare httpx+respx request"
TARGET = Target(1.5)
REPEATS = 5
_US = 1_000_000
_ITEMS = {"url": ITEMS_URL, "initial_items": 20, "page_size": 20}


def _scenario(url: str) -> Scenario:
    return load_data(
        scenario_data(
            "benchmarks._apps.requests",
            "1d",
            resources=[_ITEMS],
            timeline=[{"at": "1m", "do": "open app"}],
        ),
        file=f"<benchmark a {url}>",
    )


def _device_side(scenario: Scenario, url: str, count: int, key: str) -> Mapping[str, float]:
    os.environ["HARNESS_BENCH_URL"] = url
    os.environ["HARNESS_BENCH_COUNT"] = str(count)
    result = scenario.run(seed=0)
    timed = result.trace.of_kind("bench.requests")
    if not result.passed or len(timed) != 1:
        failed = [check for check in result.record.checks if not check.passed]
        raise RuntimeError(f"the device request run failed; benchmark numbers are void: {failed}")
    return {key: float(timed[0]["cpu_seconds"]) / count}


async def _bare_requests(url: str, body: Any, count: int) -> float:
    router = respx.Router(assert_all_called=False)
    router.get(url).respond(json=body)
    async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as client:
        await client.get(url)
        began = cpu_seconds()
        for _ in range(count):
            response = await client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"bare GET {url} answered {response.status_code}")
        return cpu_seconds() - began


def _floor_side(url: str, body: Any, count: int, key: str) -> Mapping[str, float]:
    return {key: asyncio.run(_bare_requests(url, body, count)) / count}


def _items_body() -> Any:
    """What the fake ``/items`` resource answers a GET with (the floor serves the same)."""
    with Simulation(seed=0) as sim:
        internet = Internet(sim)
        internet.backend("https://api.example.com").resource(
            "/items", initial_items=_ITEMS["initial_items"], page_size=_ITEMS["page_size"]
        )
        return internet.handle(httpx.Request("GET", ITEMS_URL)).json()


def _servers_side(count: int) -> Mapping[str, float]:
    with Simulation(seed=0) as sim:
        internet = Internet(sim)
        internet.backend("https://api.example.com").route("GET", "/status", json=STATUS_BODY)
        request = httpx.Request("GET", STATUS_URL)
        began = cpu_seconds()
        for _ in range(count):
            internet.handle(request).read()
        return {"servers": (cpu_seconds() - began) / count}


def _router_side(count: int) -> Mapping[str, float]:
    router = respx.Router(assert_all_called=False)
    router.get(STATUS_URL).respond(json=STATUS_BODY)
    request = httpx.Request("GET", STATUS_URL)
    began = cpu_seconds()
    for _ in range(count):
        router.handler(request).read()
    return {"router": (cpu_seconds() - began) / count}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Measure the three pairs, interleaved."""
    count = 20 if quick else 1_000
    repeats = repeats or (2 if quick else REPEATS)
    status = _scenario(STATUS_URL)
    items = _scenario(ITEMS_URL)
    items_body = _items_body()
    samples = interleave(
        [
            lambda: _device_side(status, STATUS_URL, count, "device"),
            lambda: _floor_side(STATUS_URL, STATUS_BODY, count, "bare"),
            lambda: _device_side(items, ITEMS_URL, count, "device_rest"),
            lambda: _floor_side(ITEMS_URL, items_body, count, "bare_rest"),
            lambda: _servers_side(count),
            lambda: _router_side(count),
        ],
        repeats,
    )
    return [
        Result(
            CASE,
            "app GET /status through the device into a fake backend, per request",
            samples["device"].scaled(_US),
            "us",
            samples["bare"].scaled(_US),
            TARGET,
            "ratio: CPU per device GET / CPU per bare httpx.AsyncClient GET via a respx router "
            "(same URL, same body)",
        ),
        Result(
            CASE,
            "app GET /items (RestResource) through the device, per request",
            samples["device_rest"].scaled(_US),
            "us",
            samples["bare_rest"].scaled(_US),
            TARGET,
            "ratio: CPU per device GET of a RestResource page / CPU per bare httpx+respx GET "
            "answering the same page",
        ),
        Result(
            CASE,
            "the fake servers alone (Internet.handle), per request",
            samples["servers"].scaled(_US),
            "us",
            samples["router"].scaled(_US),
            None,
            "information: CPU per Internet.handle / CPU per respx router.handler (no client, "
            "no device)",
        ),
    ]
