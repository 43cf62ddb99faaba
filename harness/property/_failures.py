"""Failures written as scenario files: the base scenario with the drawn parts merged in.

A property test's shrunk example is nothing but scenario data, so it is written as a YAML file
that ``harness run`` and ``harness replay FILE --seed S`` take like any other, and replays to
the same trace digest as the failing example.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from harness.scenario import RunRecord, Scenario

#: Where failures go when no directory is given: this variable, else ``harness-failures/`` in
#: the working directory.
FAILURES_ENV: Final = "HARNESS_FAILURES"
_DEFAULT_DIR: Final = "harness-failures"


def replay_command(path: str | Path, seed: int) -> str:
    """The command that re-runs a saved failure: ``harness replay PATH --seed S``."""
    return f"harness replay {path} --seed {seed}"


def _plain(value: Any) -> Any:
    """``value`` with tuples as lists, for ``yaml.safe_dump``."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "scenario"


def failure_text(scenario: Scenario, seed: int, record: RunRecord | None = None) -> str:
    """The YAML text :func:`save_failure` writes (without the file name in its header)."""
    lines = [f"# A failing example of {scenario.name!r} (seed {seed}), found by a property test."]
    if record is not None:
        for check in record.failed_checks:
            lines.append(f"# fails {check.spec}: {check.message}")
        if record.error is not None:
            lines.append(f"# run error: {record.error.splitlines()[0]}")
        lines.append(f"# trace digest {record.digest}")
    body = yaml.safe_dump(_plain(scenario.data), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + body


def save_failure(
    scenario: Scenario,
    seed: int,
    *,
    record: RunRecord | None = None,
    directory: str | Path | None = None,
) -> Path:
    """Write ``scenario`` (a base scenario with drawn parts merged in, e.g. from
    :func:`~harness.property.with_drawn`) as a YAML file and return its path.

    The file is named after the scenario and a hash of its content, so the same failure is
    written once; its header lists ``record``'s failing checks and trace digest.
    ``harness replay PATH --seed SEED`` (:func:`replay_command`) re-runs it to that digest.
    ``directory`` defaults to ``$HARNESS_FAILURES``, else ``harness-failures/``.
    """
    folder = Path(directory or os.environ.get(FAILURES_ENV) or _DEFAULT_DIR)
    text = failure_text(scenario, seed, record)
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_slug(scenario.name)}-seed{seed}-{content_hash}.yaml"
    path.write_text(text, encoding="utf-8")
    return path
