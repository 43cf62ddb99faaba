"""The Dask executor (harness/scenario/_dask.py) on a LocalCluster over loopback: the same
answer as the local pool, a dead simulation process loses nothing, a clear error without Dask."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

from harness._exceptions import DefinitionError
from harness.scenario import InProcessExecutor, make_executor
from harness.scenario._executors import ExecutorKind
from tests.scenario.fleet_fixtures import dies_once, write_fleet
from tests.scenario.test_fleet import _digests, _fleet


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """--executor dask without Dask installed says which extra installs it."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DefinitionError, match=r"^--executor dask needs Dask.*harness\[dask\]"):
        make_executor(ExecutorKind.DASK, workers=1)


@pytest.mark.dask
@pytest.mark.slow
def test_a_local_cluster_gives_the_pools_answer_and_survives_a_death(tmp_path: Path) -> None:
    """On a 2-worker LocalCluster the per-device digests and the fleet report equal the
    in-process ones; when a batch's process dies half-way it runs again and every device is
    counted once."""
    pytest.importorskip("distributed")
    path = write_fleet(tmp_path)
    expected, expected_report = _fleet(path, InProcessExecutor(), batch_size=3)
    executor = make_executor(ExecutorKind.DASK, workers=2)
    runner = functools.partial(dies_once, str(tmp_path / "died"), 4)
    results, report = _fleet(path, executor, batch_size=3, runner=runner)
    assert (tmp_path / "died").exists()
    assert _digests(results) == _digests(expected)
    assert report.to_json() == expected_report.to_json()
