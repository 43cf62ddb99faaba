"""Loading and validating scenario files (harness/scenario/_loader.py): errors before running."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness._exceptions import ScenarioError
from harness.scenario._loader import discover, load, loads

GOOD = """\
name: hourly sync, a commuter's week
device: pixel-like
app: tests.flutter.sample_app
backend:
  routes:
    - GET https://api.example.com/data -> 200 {"items": 3}
  resources:
    - url: https://api.example.com/items
      initial_items: 10
  faults:
    - at: day 2 08:00
      for: 2h
      rate_limit: {per_minute: 1, retry_after: 60s}
    - at: 3d
      for: 30m
      outage: timeout
duration: 7d
seeds: 3
timeline:
  - at: 0s
    do: open app
  - every: weekday 08:00
    for: 1h
    do: adb shell svc wifi disable
    then: adb shell svc wifi enable
  - every: day 23:00
    do: adb shell dumpsys battery set ac 1
checks:
  - responses_processed
  - max_staleness: 2h
  - honours_retry_after
"""


def test_a_good_scenario_loads_and_expands_its_timeline() -> None:
    """Repeating events expand over the run; 'then' follows 'do' by 'for'."""
    scenario = loads(GOOD, file="commute.yaml")
    assert scenario.name == "hourly sync, a commuter's week"
    assert scenario.apps[0].package == "com.example.sample"
    times = [(item.t_ms, item.action.kind) for item in scenario.schedule]
    assert times[0] == (0, "open_app")
    wifi_off = [t for t, _ in times if t % 86_400_000 == 8 * 3_600_000]
    assert len(wifi_off) == 5  # Monday to Friday of the first week
    assert [check.name for check in scenario.checks] == [
        "no_unmatched_requests",
        "responses_processed",
        "max_staleness",
        "honours_retry_after",
    ]
    assert scenario.spec.backend.faults[0].rate_limit is not None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def test_wrong_type_names_file_line_field_and_value(tmp_path: Path) -> None:
    """A value of the wrong type: file, line, field, the value, and what is expected."""
    path = write(tmp_path, GOOD.replace("seeds: 3", "seeds: many"))
    with pytest.raises(ScenarioError, match=r"bad\.yaml:18: seeds: .*integer.*'many'"):
        load(path)


def test_unknown_event_lists_the_allowed_actions(tmp_path: Path) -> None:
    """An action that does not exist names the allowed forms."""
    path = write(tmp_path, GOOD.replace("do: open app", "do: dance wildly"))
    with pytest.raises(
        ScenarioError,
        match=(
            r"bad\.yaml:21: timeline\[0\]\.do: action 'dance wildly' is not one of: "
            r"'open app \[PKG\]'"
        ),
    ):
        load(path)


def test_time_going_backwards_is_refused(tmp_path: Path) -> None:
    """Timeline events listed out of time order are an error naming both times."""
    text = GOOD.replace(
        "  - every: weekday 08:00",
        "  - at: 2h\n    do: reboot\n  - at: 1h\n    do: reboot\n  - every: weekday 08:00",
    )
    with pytest.raises(
        ScenarioError,
        match=r"bad\.yaml:24: timeline\[2\]\.at: time goes backwards: 0d01:00:00\.000 comes "
        r"after an event at 0d02:00:00\.000",
    ):
        load(write(tmp_path, text))


def test_unknown_app_path_is_refused(tmp_path: Path) -> None:
    """An app module that cannot be imported is named with the fix."""
    path = write(tmp_path, GOOD.replace("app: tests.flutter.sample_app", "app: no.such.module"))
    with pytest.raises(
        ScenarioError, match=r"bad\.yaml:3: app: app module 'no\.such\.module' cannot be imported"
    ):
        load(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """Broken YAML is refused with the line of the problem."""
    path = write(tmp_path, GOOD.replace("  - at: 0s", "  - at: [0s"))
    with pytest.raises(ScenarioError, match=r"bad\.yaml:\d+: YAML syntax error"):
        load(path)


def test_unknown_field_and_bad_time_are_all_reported(tmp_path: Path) -> None:
    """Several problems are reported together, each with its line."""
    text = GOOD.replace("duration: 7d", "duration: 7 days\ncolour: blue")
    with pytest.raises(ScenarioError) as error:
        load(write(tmp_path, text))
    message = str(error.value)
    assert "unknown field 'colour'" in message
    assert "'7 days' is not a duration" in message


def test_unknown_check_lists_the_checks(tmp_path: Path) -> None:
    """A check that does not exist lists the built-in checks."""
    path = write(tmp_path, GOOD.replace("  - honours_retry_after", "  - be_fast"))
    with pytest.raises(ScenarioError, match=r"unknown check 'be_fast'; the checks are: custom"):
        load(path)


def test_event_after_the_end_is_refused(tmp_path: Path) -> None:
    """An 'at' past the run's duration is an error with the fix."""
    text = GOOD.replace("  - every: day 23:00", "  - at: 8d\n    do: reboot\n  - every: day 23:00")
    with pytest.raises(ScenarioError, match=r"after the end of the run"):
        load(write(tmp_path, text))


def test_bad_route_line_shows_the_form(tmp_path: Path) -> None:
    """A route line that does not parse shows the expected form."""
    path = write(tmp_path, GOOD.replace('-> 200 {"items": 3}', "gives 200"))
    with pytest.raises(ScenarioError, match=r"is not 'METHOD URL -> STATUS \[JSON body\]'"):
        load(path)


def test_not_a_mapping(tmp_path: Path) -> None:
    """A file that is not a mapping of fields says so."""
    with pytest.raises(ScenarioError, match=r"must be a mapping of fields"):
        load(write(tmp_path, "- just\n- a list\n"))


def test_replace_revalidates() -> None:
    """Scenario.replace swaps fields (e.g. the timeline) and validates again."""
    scenario = loads(GOOD)
    shorter = scenario.replace(timeline=[{"at": "1h", "do": "reboot"}])
    assert [item.action.kind for item in shorter.schedule] == ["reboot"]
    with pytest.raises(ScenarioError, match=r"timeline\[0\]\.do"):
        scenario.replace(timeline=[{"at": "1h", "do": "explode"}])


def test_discover_finds_yaml_files(tmp_path: Path) -> None:
    """A directory is searched for *.yaml and *.yml files, sorted."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.yml").write_text("x")
    (tmp_path / "one.yaml").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in discover([tmp_path])] == ["two.yml", "one.yaml"]  # path order


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "device: pixel-like",
            "device: pixel-foo",
            r"bad\.yaml:2: device: device profile 'pixel-foo' does not exist; choose one of",
        ),
        (
            "device: pixel-like",
            "device: {profile: pixel-like, overrides: {battery.capcity_mah: 1}}",
            r"bad\.yaml:2: device: .*unknown setting 'battery\.capcity_mah'",
        ),
        (
            "      initial_items: 10",
            "      initial_items: 10\n      generate: {every: 0s, count: 1}",
            r"bad\.yaml:10: backend\.resources\[0\]\.generate\.every: must be longer than 0ms",
        ),
        (
            "    do: adb shell dumpsys battery set ac 1",
            "    do: adb shell frobnicate now",
            r"bad\.yaml:27: timeline\[2\]\.do: .*no adb shell command 'frobnicate now'; "
            r"supported: ",
        ),
        (
            "    do: adb shell dumpsys battery set ac 1",
            "    do: app edit morning",
            r"bad\.yaml:27: timeline\[2\]\.do: .*has no ACTIONS\['edit'\] \(its actions: ",
        ),
        (
            "    do: adb shell dumpsys battery set ac 1",
            "    do: server add 3 items to https://api.example.com/nothing",
            r"bad\.yaml:27: timeline\[2\]\.do: .*no resource at "
            r"'https://api\.example\.com/nothing' "
            r"\(resources of https://api\.example\.com: /items\)",
        ),
    ],
)
def test_mistakes_that_show_only_when_the_world_is_built_are_refused_before_running(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """Preflight builds the run's world without running it: profiles, overrides, servers,
    adb commands, app actions and server URLs are checked before anything runs."""
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError, match=message):
        load(path)


def test_bad_backend_factory_is_refused_before_running(tmp_path: Path) -> None:
    """A ``backend.factory`` that does not import is named with the error."""
    path = write(tmp_path, GOOD.replace("backend:\n", "backend:\n  factory: no.such.module:make\n"))
    with pytest.raises(ScenarioError, match=r"backend factory 'no\.such\.module:make' cannot be"):
        load(path)


def test_preflight_works_while_a_simulation_runs(tmp_path: Path) -> None:
    """Loading inside a running simulation (a pytest fixture, say) builds its check world on a
    simulation that never starts, so the two do not collide."""
    from harness.sim import Simulation

    with Simulation(seed=0) as sim:
        scenario = loads(GOOD, file="commute.yaml")
        sim.run_for("1s")
    assert scenario.name == "hourly sync, a commuter's week"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "duration: 7d",
            "duration: 100000000w",
            r"^bad\.yaml:\d+: duration: duration "
            r"'100000000w' is longer than the limit of 10 years \('3650d'\)",
        ),
        (
            "duration: 7d",
            "duration: " + "9" * 200 + "ms",
            r"^bad\.yaml:\d+: duration: .9999.*\(204 "
            r"characters\) is not a duration",
        ),
        (
            "seeds: 3",
            "seeds: 3\nepoch: 2026-01-05T00:00:00.0005Z",
            r"^bad\.yaml:\d+: epoch: epoch "
            r".* has sub-millisecond precision",
        ),
        (
            "seeds: 3",
            "seeds: 3\nepoch: 1900-01-01",
            r"^bad\.yaml:\d+: epoch: .* outside the "
            r"supported range 1970-01-01 \.\. 9000-01-01",
        ),
        (
            "app: tests.flutter.sample_app",
            'app: ""',
            r"^bad\.yaml:\d+: app: '' is not a module "
            r"import path",
        ),
        ("app: tests.flutter.sample_app", "app: .x", r"^bad\.yaml:\d+: app: '\.x' is not a module"),
        (
            "  - honours_retry_after",
            "  - custom: .:x",
            r"^bad\.yaml:\d+: checks\[2\]: custom "
            r"check '\.:x' must be 'module:function'",
        ),
        (
            "backend:\n",
            "backend:\n  factory: os.system\n",
            r"^bad\.yaml:\d+: backend\.factory: "
            r"'os\.system' is not 'module\.path:function'",
        ),
        (
            "url: https://api.example.com/items",
            "url: https://[::1",
            r"^bad\.yaml:\d+: "
            r"backend\.resources\[0\]\.url: 'https://\[::1' is not an http\(s\) URL",
        ),
        (
            "GET https://api.example.com/data -> 200",
            "GET https://exa mple.com/ -> 200",
            r"^bad\.yaml:\d+: backend\.routes\[0\]: route 'GET https://exa mple\.com/ -> 200",
        ),
        (
            "      initial_items: 10",
            "      initial_items: 1000000000",
            r"^bad\.yaml:\d+: "
            r"backend\.resources\[0\]\.initial_items: Input should be less than or equal to 100000",
        ),
        (
            "      initial_items: 10",
            "      generate: {every: 1ms, count: 1000}",
            r"^bad\.yaml:\d+: "
            r"backend\.resources\[0\]\.generate: generate would add 604800000000 items over the run"
            r" .* over the limit of 100000 per resource",
        ),
        (
            "  - every: day 23:00",
            "  - every: 1ms",
            r"^bad\.yaml:\d+: timeline\[2\]\.every: the "
            r"timeline grows past 100000 actions here \(the limit per scenario",
        ),
        (
            "  - at: 0s",
            "  - at: day 99999999999999999999 08:00",
            r"^bad\.yaml:\d+: "
            r"timeline\[0\]\.at: time 'day 99999999999999999999 08:00': day 99999999 is past the "
            r"limit of 10 years",
        ),
    ],
)
def test_limits_and_malformed_values_are_definition_errors(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """Durations over 10 years, sub-millisecond or out-of-range epochs, module paths that are not
    dotted names, bad URLs and event counts over the limits are errors naming the field and the
    limit (not OverflowError, TypeError or gigabytes of expanded events)."""
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as caught:
        load(path)
    relative = str(caught.value).replace(str(tmp_path) + "/", "")
    assert re.match(message, relative), relative


def test_error_messages_are_bounded(tmp_path: Path) -> None:
    """A huge bad value is quoted cut short, and at most 30 problems are listed."""
    fields = "".join(f"extra{index}: {'x' * 5_000}\n" for index in range(100))
    path = write(tmp_path, GOOD + fields)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    message = str(caught.value)
    assert len(message) < 10_000
    assert message.endswith("... and 70 more problems")


def _user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    (tmp_path / f"{name}.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))


def test_validation_without_imports_runs_no_user_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``imports=False`` reads app, factory and custom-check modules as source: none of their
    code runs, yet a missing function or module is still found."""
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').close()\n"
    _user_module(
        tmp_path, monkeypatch, "vapp_silent", code + "PACKAGE = 'com.v'\ndef main(): pass\n"
    )
    _user_module(tmp_path, monkeypatch, "vfactory_silent", code + "def build(i, s): pass\n")
    text = (
        GOOD.replace("app: tests.flutter.sample_app", "app: vapp_silent")
        .replace("backend:\n", "backend:\n  factory: vfactory_silent:build\n")
        .replace("  - honours_retry_after", "  - custom: vfactory_silent:build")
    )
    scenario = loads(text, file="s.yaml", imports=False)
    assert scenario.apps[0].package == "com.v"
    assert not marker.exists()
    with pytest.raises(
        ScenarioError,
        match=r"backend\.factory: backend factory "
        r"'vfactory_silent:nope': vfactory_silent has no nope",
    ):
        loads(text.replace(":build\n", ":nope\n", 1), file="s.yaml", imports=False)
    with pytest.raises(
        ScenarioError,
        match=r"custom check 'vfactory_silent:nope': "
        r"vfactory_silent has no nope",
    ):
        loads(
            text.replace("custom: vfactory_silent:build", "custom: vfactory_silent:nope"),
            file="s.yaml",
            imports=False,
        )
    with pytest.raises(ScenarioError, match=r"app: app module 'vapp_gone' cannot be found"):
        loads(text.replace("app: vapp_silent", "app: vapp_gone"), file="s.yaml", imports=False)
    assert not marker.exists()
    loads(text, file="s.yaml")  # with imports, as `run` does
    assert marker.exists()
