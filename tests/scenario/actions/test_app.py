"""User actions on an app (harness/scenario/_actions/_app.py): open, leave, ..., app NAME."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._app import AppCall, ForceStop, OpenApp
from tests.scenario.actions._validate import SCENARIO, assert_refused, validate


def test_user_verbs_take_an_optional_package() -> None:
    """'open app' acts on the only app; 'force stop' is 'force-stop'; the package keeps its case."""
    assert parse_action("open app") == OpenApp("open app")
    assert parse_action("Open  app com.Example.x") == OpenApp(
        "Open app com.Example.x", package="com.Example.x"
    )
    assert parse_action("force stop") == ForceStop("force stop")
    with pytest.raises(ActionError, match=r"'open app' takes at most a package name"):
        parse_action("open app a b")


def test_app_call_splits_its_arguments_like_a_shell() -> None:
    """'app NAME ARGS' quotes as a shell does; a bad quote is an error, not a crash."""
    assert parse_action("app edit 'a note' 2") == AppCall(
        "app edit 'a note' 2", name="edit", args=("a note", "2")
    )
    with pytest.raises(ActionError, match=r"check the quotes"):
        parse_action("app edit 'open")


@pytest.mark.parametrize(
    "action",
    [
        "open app com.nothere",
        "leave app com.nothere",
        "swipe away com.nothere",
        "force-stop com.nothere",
        "kill app com.nothere",
        "clear data com.nothere",
    ],
)
def test_an_app_the_scenario_does_not_install_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """A user verb on a package that is not one of the scenario's apps fails validation
    (it used to pass and then crash the run with 'package is not installed')."""
    code, output = validate(tmp_path, capsys, action)
    assert_refused(
        code,
        output,
        action,
        "package 'com.nothere' is not an app of this scenario (its apps: com.example.outbox)",
    )


def test_an_app_action_the_module_lacks_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'app NAME' needs ACTIONS[NAME] in the app module; the error lists the ones it has (an
    import of the app module: 'validate --import', and 'run')."""
    code, output = validate(tmp_path, capsys, "app nothere", SCENARIO, "--import")
    assert_refused(code, output, "app nothere", "has no ACTIONS['nothere'] (its actions: edit)")


def test_the_packages_of_the_scenario_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Naming the scenario's own app is fine."""
    code, output = validate(tmp_path, capsys, "force-stop com.example.outbox")
    assert code == 0, output


TWO_APPS = """\
name: two apps
apps:
  - module: examples.outbox
  - module: examples.hourly_sync
duration: 1d
timeline:
  - at: 1h
    do: {action}
"""


@pytest.mark.parametrize("action", ["open app", "app edit"])
def test_with_two_apps_the_package_must_be_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """With several apps an action that names none would crash the run: exit 2 instead."""
    code, output = validate(tmp_path, capsys, action, TWO_APPS, "--import")
    where = "one.yaml:8: timeline[0].do:"
    says = "needs a package name: the scenario has 2 apps"
    assert_refused(code, output, action, says, where=where)
