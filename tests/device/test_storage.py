"""Storage: StorageManager thresholds, DeviceStorageMonitorService levels, device-owned data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.device import Device, StorageLevel
from harness.sim import Simulation
from tests.device.conftest import PACKAGE, MakeDevice

MIB = 1 << 20


def test_low_threshold_is_min_of_5_percent_and_500_mib(make_device: MakeDevice) -> None:
    """getStorageLowBytes = min(total * 5 %, 500 MiB)."""
    assert make_device().storage.low_bytes == 500 * MIB  # 5 % of 128 GiB is more
    small = make_device(**{"storage.total_bytes": 4 << 30, "storage.initial_free_bytes": 1 << 30})
    assert small.storage.low_bytes == (4 << 30) * 5 // 100


def test_low_is_seen_at_the_next_one_minute_check(sim: Simulation, device: Any) -> None:
    """check() runs every minute; LOW and OK use the same threshold (no hysteresis)."""
    levels: list[StorageLevel] = []
    device.storage.level_changed.connect(levels.append)
    sim.run_for(10_000)
    device.storage.set_free(500 * MIB)
    assert not device.storage.low
    sim.run_for(50_000)
    assert device.storage.low
    device.storage.set_free(500 * MIB + 1)
    sim.run_for(60_000)
    assert not device.storage.low
    device.storage.set_free(MIB)
    sim.run_for(60_000)
    assert levels == [StorageLevel.LEVEL_LOW, StorageLevel.LEVEL_NORMAL, StorageLevel.LEVEL_FULL]


def test_force_low_command(device: Any) -> None:
    """cmd devicestoragemonitor force-low|reset; -f prints the sequence."""
    assert device.shell("cmd devicestoragemonitor force-low -f") == "1\n"
    assert device.storage.low
    assert device.shell("cmd devicestoragemonitor reset") == ""
    assert not device.storage.low


def test_databases_survive_process_death_and_reboot(sim: Simulation, device: Any) -> None:
    """App data belongs to the device: a kill or a reboot keeps it."""
    db = device.storage.database(PACKAGE, "work")
    db.execute("CREATE TABLE rows (x)")
    db.execute("INSERT INTO rows VALUES (1)")
    db.commit()
    device.apps.start_process(PACKAGE, "job")
    sim.run_for(1_000)
    device.apps.kill(PACKAGE)
    device.reboot()
    sim.run_for(60_000)
    again = device.storage.database(PACKAGE, "work")
    assert again.execute("SELECT x FROM rows").fetchall() == [(1,)]


def test_on_disk_under_data_dir(sim: Simulation, tmp_path: Path) -> None:
    """With a data_dir, databases are files under data_dir/<package>/; pm clear deletes them."""
    device = Device(sim, packages=[PACKAGE], data_dir=tmp_path)
    device.storage.database(PACKAGE, "app").execute("CREATE TABLE t (x)")
    assert (tmp_path / PACKAGE / "app.db").is_file()
    device.shell(f"pm clear {PACKAGE}")
    assert not (tmp_path / PACKAGE).exists()
    device.close()


def test_key_value_area(device: Any) -> None:
    """A per-package key-value area with JSON values."""
    area = device.storage.key_value(PACKAGE)
    area.put("token", {"value": "abc"})
    assert device.storage.key_value(PACKAGE).get("token") == {"value": "abc"}
    area.delete("token")
    assert area.get("token", "gone") == "gone"
    assert area.keys() == []
