"""examples/vendor_killer/: the same day works on a Pixel and loses a note on a budget phone."""

from __future__ import annotations

from pathlib import Path

from harness.scenario import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vendor_killer"


def test_works_on_a_pixel_loses_data_on_a_budget_phone() -> None:
    """dontkillmyapp.com/xiaomi: with no autostart and kills after screen-off, an upload job
    cannot start the killed app, so a note written offline never reaches the server; on stock
    Android JobScheduler starts the process and the note arrives."""
    pixel = load(EXAMPLE / "pixel.yaml").run(0).record
    budget = load(EXAMPLE / "budget.yaml").run(0)
    assert pixel.passed
    assert [check.name for check in budget.record.failed_checks] == ["no_data_lost"]
    denied = budget.trace.of_kind("device.process")
    assert any(record["event"] == "autostart_denied" for record in denied)


def test_the_budget_hardware_alone_keeps_the_note() -> None:
    """The loss is the vendor's doing: the budget profile without the vendor killer passes."""
    scenario = load(EXAMPLE / "budget.yaml").replace(device="budget")
    assert scenario.run(0).record.passed
