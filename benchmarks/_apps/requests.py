"""An app that, when opened, makes ``COUNT`` GETs to ``URL`` one after another (case a).

The benchmark sets ``URL`` and ``COUNT`` before the run and reads ``cpu_seconds`` after it: the
CPU time of the requests alone (one warm-up request first, as the floor makes one too).
"""

from __future__ import annotations

import time

from harness.app import http

PACKAGE = "com.example.bench.requests"
URL = "https://api.example.com/status"
COUNT = 100
#: CPU seconds of the ``COUNT`` timed requests of the last run (``time.process_time``, which
#: freezegun leaves alone)
cpu_seconds: list[float] = []


async def main() -> None:
    response = await http.get(URL)
    if response.status_code != 200:
        raise RuntimeError(f"warm-up GET {URL} answered {response.status_code}")
    began = time.process_time()
    for _ in range(COUNT):
        response = await http.get(URL)
        if response.status_code != 200:
            raise RuntimeError(f"GET {URL} answered {response.status_code}")
    cpu_seconds.append(time.process_time() - began)
