"""Lives drawn from the seed (harness/scenario/_life.py, _life_plan.py, _life_spec.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness import ScenarioError
from harness.scenario import Scenario, loads
from harness.scenario._life import DrawnLife, Episode, draw_life
from harness.scenario._life_plan import life_for, life_schedule
from harness.scenario._life_spec import LifeSpec, life_presets

EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
WEEK = 7 * 86_400_000
SCENARIO = """
name: life test
app: examples.hourly_sync
backend:
  resources:
    - url: https://api.example.com/items
duration: {duration}
life: {life}
timeline:
  - at: 0s
    do: open app
{timeline}
"""


def _scenario(life: str = "commuter", timeline: str = "", duration: str = "7d") -> Scenario:
    return loads(SCENARIO.format(life=life, timeline=timeline, duration=duration))


def _spec(preset: str = "commuter") -> LifeSpec:
    spec = loads(SCENARIO.format(life=preset, timeline="", duration="1d")).spec.life
    assert spec is not None
    return spec


def test_presets() -> None:
    """The bundled presets are the four routines the docs describe."""
    assert life_presets() == ["commuter", "homebody", "night-shift", "student"]


def test_same_seed_same_life_other_seed_other_life() -> None:
    """A life is a pure function of (spec, seed); another seed draws another week."""
    spec = _spec()
    one = draw_life(spec, seed=3, epoch=EPOCH, duration_ms=WEEK)
    assert one == draw_life(spec, seed=3, epoch=EPOCH, duration_ms=WEEK)
    assert one.episodes != draw_life(spec, seed=4, epoch=EPOCH, duration_ms=WEEK).episodes


def test_a_dimension_added_or_removed_never_shifts_the_others() -> None:
    """Named streams per dimension and day (derive_seed(seed, "life.<dimension>.day<N>")):
    dropping the server weather or the vendor leaves every routine draw where it was."""
    spec = _spec()
    full = draw_life(spec, seed=5, epoch=EPOCH, duration_ms=WEEK)
    calmer = draw_life(
        spec.model_copy(update={"server": None, "vendor": {"stock": 1.0, "xiaomi": 1.0}}),
        seed=5,
        epoch=EPOCH,
        duration_ms=WEEK,
    )

    def routine(life: DrawnLife) -> list[Episode]:
        return [e for e in life.episodes if e.dimension == "routine"]

    assert routine(full) == routine(calmer)
    assert not [e for e in calmer.episodes if e.dimension == "server"]


def test_the_server_weather_draws_each_day_s_response_times() -> None:
    """Server behaviour includes a latency distribution: each day draws a median and a p99 for
    the answers (``server latency M p99 P``), drawn after the spells, so turning it off leaves
    every spell where it was."""
    spec = _spec()
    life = draw_life(spec, seed=3, epoch=EPOCH, duration_ms=WEEK)
    server = spec.server
    assert server is not None
    quiet = draw_life(
        spec.model_copy(update={"server": server.model_copy(update={"latency_median": None})}),
        seed=3,
        epoch=EPOCH,
        duration_ms=WEEK,
    )
    latencies = [e for e in life.episodes if e.actions[0][1].startswith("server latency")]
    assert len(latencies) == 7  # one per day, at its start
    assert len({e.actions[0][1] for e in latencies}) > 1  # days differ
    assert [e for e in life.episodes if e not in latencies] == list(quiet.episodes)
    result = _scenario(duration="1d").run(3)
    assert len(result.trace.of_kind("backend.latency")) == 1  # the day's distribution, applied


def test_a_longer_run_keeps_the_first_days() -> None:
    """A day's draws come from that day's streams: a two-day run starts like a week."""
    spec = _spec()
    week = draw_life(spec, seed=1, epoch=EPOCH, duration_ms=WEEK)
    two = draw_life(spec, seed=1, epoch=EPOCH, duration_ms=2 * 86_400_000)
    assert two.days == week.days[:2]


def test_weekends_differ() -> None:
    """A commuter commutes on weekdays only (Saturday and Sunday have no commute)."""
    life = draw_life(_spec(), seed=0, epoch=EPOCH, duration_ms=WEEK)
    lines = [day.line() for day in life.days]
    assert all("commute" in line for line in lines[:5])
    assert not any(", commute" in line for line in lines[5:])


def test_homebody_never_leaves_the_home_wifi() -> None:
    """homebody: no commute, so no 'wifi out of range' but its flaky Wi-Fi drops."""
    life = draw_life(_spec("homebody"), seed=2, epoch=EPOCH, duration_ms=WEEK)
    texts = [text for e in life.episodes for _, text in e.actions]
    assert "cellular out of range" not in texts
    assert "wifi captive portal on" not in texts


def test_written_events_win_in_their_window() -> None:
    """A written charging window (plug in .. unplug) keeps every drawn charge away from it, and
    the written timeline is scheduled exactly as written."""
    timeline = """  - every: day 22:00
    for: 9h
    do: plug in
    then: unplug"""
    scenario = _scenario(timeline=timeline)
    life = life_for(scenario, 0)
    assert life is not None
    assert life.dropped > 0
    for episode in life.episodes:
        if episode.dimension != "charging":
            continue
        for day in range(7):
            start, end = day * 86_400_000 + 22 * 3_600_000, day * 86_400_000 + 31 * 3_600_000
            assert episode.end_ms < start or episode.start_ms > end
    written = [(item.t_ms, item.action.text) for item in scenario.schedule]
    assert (22 * 3_600_000, "plug in") in written


def test_drawn_actions_are_ordinary_timeline_actions() -> None:
    """Every drawn action parses as a timeline action and runs after the written ones."""
    scenario = _scenario()
    life = life_for(scenario, 7)
    assert life is not None
    schedule = life_schedule(life, scenario)
    kinds = {item.action.kind for item in schedule}
    assert {"open_app", "leave_app", "use_phone", "plug", "unplug", "wifi_range", "link"} <= kinds
    assert all(item.entry == 1 for item in schedule)


def test_no_life_section_draws_nothing() -> None:
    """Opt-in: a scenario without life: draws no life and records none."""
    scenario = loads(SCENARIO.replace("life: {life}\n", "").format(duration="1d", timeline=""))
    assert scenario.spec.life is None
    assert life_for(scenario, 0) is None
    assert scenario.run(0).record.life is None


def test_a_run_records_and_replays_its_life() -> None:
    """summary.json carries the drawn life per run (preset, vendor, per-day lines)."""
    scenario = _scenario(life="{preset: homebody, vendor: {xiaomi: 1}}", duration="1d")
    result = scenario.run(0)
    life = result.record.to_json()["life"]
    assert life["preset"] == "homebody"
    assert life["vendor"] == "xiaomi"
    assert life["days"][0].startswith("day 0 Mon  routine: wake ")
    assert result.world.device.apps.is_installed("com.example.hourlysync")
    assert result.world.device.vendor is not None
    assert result.life.summary_lines()[0] == "life homebody (seed 0), vendor xiaomi, panics at 15 %"


def test_a_written_vendor_wins_over_the_drawn_one() -> None:
    """The drawn vendor applies to a stock profile only; a vendor in the overrides wins."""
    text = SCENARIO.format(
        life="{preset: homebody, vendor: {xiaomi: 1}}", timeline="", duration="1d"
    ).replace(
        "app: examples",
        "device: {profile: pixel-like, overrides: {vendor: samsung}}\napp: examples",
    )
    world = loads(text).run(0).world
    assert world.device.profile.vendor.preset == "samsung"


@pytest.mark.parametrize(
    ("life", "message"),
    [
        ("nomad", r"life preset 'nomad' does not exist; choose one of: commuter, homebody"),
        ("{routine: {wake: '7..8'}}", r"'7..8' is not a clock range; write 'HH:MM..HH:MM'"),
        ("{routine: {sessions: '9..3'}}", r"'9..3': the low end is above the high end"),
        ("{vendor: {nokia: 1}}", r"vendor nokia is not a vendor preset; choose from huawei"),
        ("{charging: {overnight: 2}}", r"less than or equal to 1"),
        ("{routine: {naps: 3}}", r"unknown field 'naps'"),
    ],
)
def test_a_bad_life_names_the_field(life: str, message: str) -> None:
    """A bad life section is a ScenarioError with the file, line, field and the fix."""
    with pytest.raises(ScenarioError, match=message) as raised:
        _scenario(life=life, duration="1d")
    assert "life" in str(raised.value)


@pytest.mark.slow
def test_bundled_life_weeks_differ_between_seeds() -> None:
    """Seeds draw different weeks of a bundled life scenario: sync counts, wake-ups and
    battery use differ (issue 15: "seeds that explore")."""
    path = Path(__file__).resolve().parents[2] / "scenarios" / "hourly_sync" / "life_week.yaml"
    scenario = loads(path.read_text(encoding="utf-8"), file=str(path)).replace(duration="2d")
    metrics = [scenario.run(seed).record.metrics for seed in range(3)]
    for name in ("work_runs", "wakeups", "battery_mah_used"):
        assert len({m[name] for m in metrics}) > 1, name


def test_draws_do_not_depend_on_the_epoch_time_of_day() -> None:
    """Day 0 is the epoch's date: an epoch at 06:00 drops the actions before it."""
    later = dataclasses.replace(
        draw_life(_spec(), seed=0, epoch=EPOCH.replace(hour=6), duration_ms=WEEK)
    )
    assert all(episode.start_ms >= 0 for episode in later.episodes)


def test_low_battery_panic_plugs_in_at_the_panic_level() -> None:
    """charging.panic: on a day that panics, the charger goes in when the level reaches
    panic_level, and comes out after the drawn length."""
    life = (
        "{routine: null, places: null, server: null, charging: {overnight: 0, opportunistic: 0,"
        " panic: 1, panic_level: 79, panic_length: '30m'}}"
    )
    text = SCENARIO.format(life=life, timeline="", duration="1d").replace(
        "app: examples", "device: {profile: pixel-like}\napp: examples"
    )
    result = loads(text).run(0)
    actions = [
        (record.t_ms, record["action"]) for record in result.trace.of_kind("scenario.action")
    ]
    plugged = [t for t, action in actions if action == "plug in ac"]
    assert len(plugged) == 1
    assert (plugged[0] + 30 * 60_000, "unplug") in actions


def test_replay_prints_the_life_before_the_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness replay FILE --seed N` prints the life the seed drew, then the timeline."""
    from harness.cli import main

    path = tmp_path / "life.yaml"
    path.write_text(SCENARIO.format(life="student", timeline="", duration="1d"), encoding="utf-8")
    main(["replay", str(path), "--seed", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  life student (seed 2), panics at 20 %"
    assert lines[2].startswith("    day 0 Mon  routine: wake ")
    assert "t=0d00:00:00.000" in lines[3]


def test_a_profile_may_declare_the_life_a_scenario_lacks() -> None:
    """A device profile's ``life`` is drawn when the scenario has no ``life:``; the scenario's
    own wins when it has one."""
    base = SCENARIO.replace("life: {life}\n", "").format(duration="1d", timeline="")
    with_profile_life = base.replace(
        "app: examples", "device: {profile: pixel-like, overrides: {life: homebody}}\napp: examples"
    )
    spec = loads(with_profile_life).spec.life
    assert spec is not None
    assert spec.preset == "homebody"
    both = with_profile_life + "life: student\n"
    student = loads(both).spec.life
    assert student is not None
    assert student.preset == "student"


def test_a_bad_profile_life_names_the_profile() -> None:
    """A profile's life is checked like a scenario's, the error naming the profile."""
    base = SCENARIO.replace("life: {life}\n", "").format(duration="1d", timeline="")
    text = base.replace(
        "app: examples", "device: {profile: pixel-like, overrides: {life: nomad}}\napp: examples"
    )
    with pytest.raises(ScenarioError, match=r"device profile 'pixel-like': life: .*'nomad'"):
        loads(text)


def test_summary_md_lists_the_life_figures_per_run() -> None:
    """summary.md shows, per run of a scenario with a life, its vendor and the syncs, wake-ups
    and battery use, then their ranges over the seeds; runs without a life add nothing."""
    from harness.report import summary_markdown

    scenario = _scenario(life="{preset: homebody, vendor: {xiaomi: 1}}", duration="1d")
    records = [scenario.run(seed).record for seed in (0, 1)]
    text = summary_markdown(records)
    assert "## Lives drawn: life test" in text
    assert "| seed | life | vendor | work_runs | wakeups | battery_mah_used |" in text
    assert "| 0 | homebody | xiaomi | " in text
    assert "- wakeups: " in text
    plain = loads(SCENARIO.replace("life: {life}\n", "").format(duration="1d", timeline=""))
    assert "Lives drawn" not in summary_markdown([plain.run(0).record])


def test_the_written_timeline_happens_exactly_as_written() -> None:
    """With a life around it, every written action runs at its written time, first at its
    millisecond (the drawn actions come after it)."""
    timeline = """  - every: day 08:00
    for: 1h
    do: wifi out of range
    then: wifi in range
  - every: day 22:30
    do: plug in"""
    scenario = _scenario(timeline=timeline, duration="3d")
    result = scenario.run(4)
    actions = [(r.t_ms, r["action"]) for r in result.trace.of_kind("scenario.action")]
    written = [(item.t_ms, item.action.text) for item in scenario.schedule]
    assert [a for a in actions if a in written] == written
    for t_ms, text in written:
        assert actions[[t for t, _ in actions].index(t_ms)] == (t_ms, text)
    assert len(actions) > len(written)
