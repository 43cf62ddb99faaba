"""The timeline action registry (harness/scenario/_actions/__init__.py): one class per action."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from harness.scenario import ACTION_HELP, ACTIONS, Action
from harness.scenario._actions import ActionError, actions_markdown, parse_action

_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("cls", list(ACTIONS.values()), ids=list(ACTIONS))
def test_each_example_parses_to_its_own_class_only(cls: type[Action]) -> None:
    """An action's example is its form and no other action's (no grammar shadows another)."""
    action = parse_action(cls.example)
    assert type(action) is cls
    assert action.text == cls.example
    claimed = []
    for other in ACTIONS.values():
        if other is cls:
            continue
        try:
            if other.parse(cls.example) is not None:
                claimed.append(other.kind)
        except ActionError:
            claimed.append(other.kind)
    assert claimed == []


@pytest.mark.parametrize("cls", list(ACTIONS.values()), ids=list(ACTIONS))
def test_each_action_is_a_frozen_slotted_dataclass(cls: type[Action]) -> None:
    """Actions are values (STYLE rule 4): frozen, slotted, typed fields besides the text."""
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen
    assert "__slots__" in cls.__dict__
    assert next(field.name for field in dataclasses.fields(cls)) == "text"


def test_help_is_every_form_from_the_registry() -> None:
    """ACTION_HELP lists each registered form once, in registry order."""
    assert ", ".join(f"'{cls.form}'" for cls in ACTIONS.values()) == ACTION_HELP


def test_unknown_action_lists_every_form_with_its_brackets() -> None:
    """The allowed forms keep their optional parts ([KIND], [at ORIGIN], [ac|usb|wireless])."""
    with pytest.raises(ActionError) as info:
        parse_action("frob app")
    message = str(info.value)
    for form in (
        "[KIND [DELAY]] [at ORIGIN]",
        "'plug in [ac|usb|wireless|dock]'",
        "'set storage free N% | N MB'",
    ):
        assert form in message


def test_docs_actions_md_is_generated_from_the_registry() -> None:
    """docs/actions.md is what `python -m harness.scenario._actions` prints; regenerate it with
    `python -m harness.scenario._actions > docs/actions.md` when an action changes."""
    written = (_ROOT / "docs" / "actions.md").read_text(encoding="utf-8")
    assert written == actions_markdown()


def test_readme_names_every_action_and_only_registered_ones() -> None:
    """The README's list of timeline actions has each registered example and nothing else."""
    readme = (_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- actions -->", 1)[1].split("<!-- /actions -->", 1)[0]
    listed = re.findall(r"`([^`]+)`", block)
    assert listed == [cls.example for cls in ACTIONS.values()]
    for text in listed:
        parse_action(text)
