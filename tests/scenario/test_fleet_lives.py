"""Lives in fleets (issue 15: a population's parts have their own routines): a part's
``life:`` wins, else the scenario's, else the one its device profile carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import ScenarioError
from harness.scenario import load, run_device
from harness.scenario._fleet import device_scenarios
from tests.scenario.fleet_fixtures import FLEET


def _fleet(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


PARTS = FLEET.replace(
    "    - profile: budget\n      share: 30%\n",
    "    - profile: budget\n      share: 30%\n      life: night-shift\n",
).replace(
    "      overrides: {battery.initial_level: 15}\n",
    "      overrides: {battery.initial_level: 15, life: homebody}\n",
)


def test_each_part_draws_its_own_life(tmp_path: Path) -> None:
    """Without a scenario life: the part's ``life:`` (night-shift), the life its profile carries
    (homebody, through the part's overrides), or none."""
    variants = device_scenarios(load(_fleet(tmp_path, PARTS)))
    assert [v.spec.life is None for v in variants] == [True, False, False]
    night, home = variants[1].spec.life, variants[2].spec.life
    assert night is not None
    assert home is not None
    assert night.routine != home.routine


def test_a_part_life_wins_over_the_scenario_life(tmp_path: Path) -> None:
    """The scenario's ``life:`` is every part's default; a part's own ``life:`` replaces it."""
    text = PARTS.replace("duration: 3h\n", "duration: 3h\nlife: commuter\n")
    variants = device_scenarios(load(_fleet(tmp_path, text)))
    commuter = load(
        _fleet(tmp_path, FLEET.replace("duration: 3h\n", "duration: 3h\nlife: commuter\n"))
    )
    assert variants[0].spec.life == commuter.spec.life
    assert variants[1].spec.life != commuter.spec.life  # its own night-shift
    assert variants[2].spec.life == commuter.spec.life  # the scenario's life beats the profile's


def test_a_device_of_a_part_with_a_life_records_the_life_it_drew(tmp_path: Path) -> None:
    """Device 1 of the fleet is in the budget part (Tijdeman's deal: parts 0 1 0 ...): its run
    draws a night-shift life from its own seed."""
    result, part = run_device(load(_fleet(tmp_path, PARTS)), 0, 1)
    assert part == 1
    assert result.life is not None
    assert result.record.life is not None


def test_a_bad_part_life_is_rejected_naming_the_part(tmp_path: Path) -> None:
    """A life preset that does not exist is an error at load, naming the preset and the choices."""
    with pytest.raises(ScenarioError, match="life preset 'astronaut' does not exist"):
        load(_fleet(tmp_path, PARTS.replace("life: night-shift", "life: astronaut")))
