"""`harness run` of a fleet file and `harness replay --device` (harness/_cli_fleet.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.report import FleetReport
from harness.scenario import DeviceResult
from tests.scenario.fleet_fixtures import write_fleet
from tests.scenario.test_runner import SCENARIO


def test_a_fleet_run_reports_over_the_population(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run fleet.yaml --devices 10` runs devices 0..9 of fleet seed 0 and writes
    fleet.json: pass rate, the per-profile breakdown, metric spreads, the fleet digest; without a
    terminal, progress comes as plain lines."""
    path = write_fleet(tmp_path)
    out = tmp_path / "out"
    code = main(["run", str(path), "--devices", "10", "--executor", "inprocess", "--out", str(out)])
    printed = capsys.readouterr()
    data = json.loads((out / "fleets" / "fleet" / "seed-0" / "fleet.json").read_text())
    assert code == (0 if data["failed"] == 0 else 1)
    assert data["devices"] == data["planned_devices"] == 10
    assert {name: part["devices"] for name, part in data["profiles"].items()} == {
        "pixel-like": 6,
        "budget": 3,
        "pixel-low": 1,
    }
    assert set(data["metrics"]["battery_mah_used"]) == {"devices", "mean", "stdev", "min", "max"}
    assert f"fleet digest {data['digest']}" in printed.out
    assert "fleet small fleet: 10/10 devices" in printed.err


def test_replay_device_runs_one_device_of_the_fleet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness replay fleet.yaml --device 6 --seed 2` names the device's part and run seed."""
    path = write_fleet(tmp_path)
    main(["replay", str(path), "--device", "6", "--seed", "2"])
    out = capsys.readouterr().out
    assert "small fleet · fleet seed 2 · device 6 (pixel-low, run seed " in out
    assert "digest " in out


def test_fleet_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--devices needs a population; --scheduler needs --executor dask; replaying a fleet needs
    --device: each is exit 2 with the fix."""
    single = tmp_path / "single.yaml"
    single.write_text(SCENARIO)
    fleet = write_fleet(tmp_path)
    assert main(["run", str(single), "--devices", "3"]) == 2
    assert "need a 'population:' section" in capsys.readouterr().out
    assert main(["run", str(fleet), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().out
    assert main(["replay", str(fleet), "--seed", "0"]) == 2
    assert "name the device to replay, e.g. --device 0 --seed 0" in capsys.readouterr().out


def test_ctrl_c_keeps_the_partial_fleet_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interrupt after three devices writes fleet.json of those three, marked interrupted,
    and exits 130."""
    add = FleetReport.add

    def add_then_stop(self: FleetReport, result: DeviceResult) -> None:
        add(self, result)
        if self.devices == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(FleetReport, "add", add_then_stop)
    path = write_fleet(tmp_path)
    out = tmp_path / "out"
    code = main(["run", str(path), "--executor", "inprocess", "--out", str(out)])
    assert code == 130
    data = json.loads((out / "fleets" / "fleet" / "seed-0" / "fleet.json").read_text())
    assert data["interrupted"] == "SIGINT"
    assert (data["devices"], data["planned_devices"]) == (3, 12)
    assert capsys.readouterr().out.strip().endswith("interrupted (SIGINT)")
