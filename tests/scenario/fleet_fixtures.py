"""A small fleet scenario and batch runners that misbehave, shared by the fleet tests.

The runners are module-level functions (bound with ``functools.partial``) so a process pool or
a Dask worker can unpickle them by reference.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.scenario._fleet import DeviceResult, FleetBatch, run_batch

FLEET = """\
name: small fleet
app: tests.scenario.apps.hourly
backend:
  resources:
    - url: https://api.example.com/items
      initial_items: 3
duration: 3h
population:
  devices: 12
  profiles:
    - profile: pixel-like
      share: 60%
    - profile: budget
      share: 30%
    - name: pixel-low
      profile: pixel-like
      share: 10%
      overrides: {battery.initial_level: 15}
timeline:
  - at: 0s
    do: open app
checks:
  - no_crashes
  - synced_within: 2h
"""


def write_fleet(directory: Path) -> Path:
    """The fleet file in ``directory``."""
    path = directory / "fleet.yaml"
    path.write_text(FLEET)
    return path


def dies_once(marker: str, doomed: int, batch: FleetBatch) -> tuple[DeviceResult, ...]:
    """Run ``batch``; but the first time a batch holds device ``doomed``, the worker process
    dies half-way (``os._exit``, as a kill or the OOM killer would end it)."""
    if doomed in batch.devices and not Path(marker).exists():
        Path(marker).write_text("died once")
        os._exit(17)
    return run_batch(batch)


def always_dies(batch: FleetBatch) -> tuple[DeviceResult, ...]:
    """A batch that ends its worker process every time it runs."""
    os._exit(17)
