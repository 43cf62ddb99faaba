"""Loading scenario files: YAML -> validated :class:`Scenario`, or a precise :class:`ScenarioError`.

Everything that can be checked without running is checked here: the schema, time expressions
(and that the timeline never goes backwards or past the end), actions, checks, and that each app
module imports and has ``main()``. Errors name the file, the line, the field, the bad value and
what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness._exceptions import DefinitionError, ScenarioError
from harness._units import format_t_ms
from harness.app import App, fresh_imports
from harness.scenario._actions import Action, ActionError, parse_action
from harness.scenario._checks import DEFAULT_CHECKS, Check, CheckDefinitionError, parse_check
from harness.scenario._schema import ScenarioSpec, TimelineEvent
from harness.scenario._timeexpr import expand_every
from harness.scenario._yaml import LineIndex, Loc, load_yaml, read_yaml_file


@dataclass(frozen=True, slots=True)
class ScheduledAction:
    """One action at one virtual time (a timeline entry expanded)."""

    t_ms: int
    action: Action
    entry: int


def _field_name(loc: Sequence[str | int]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(top level)"


def _value_at(data: Any, loc: Sequence[str | int]) -> Any:
    value = data
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


class _Errors:
    """Collects problems with their location, then raises one ScenarioError."""

    def __init__(self, file: str, index: LineIndex) -> None:
        self.file = file
        self.index = index
        self.problems: list[tuple[int | None, str, str]] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append((self.index.line_of(loc), _field_name(loc), message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        line, field_name, message = self.problems[0]
        more = ""
        if len(self.problems) > 1:
            rest = [
                f"  {self.file}:{other_line}: {other_field}: {other_message}"
                for other_line, other_field, other_message in self.problems[1:]
            ]
            more = "\n" + "\n".join(rest)
        raise ScenarioError(message + more, file=self.file, line=line, field=field_name)


def _pydantic_problems(error: ValidationError, data: Any, errors: _Errors) -> None:
    for problem in error.errors():
        loc = tuple(part for part in problem["loc"] if not str(part).startswith("function-"))
        kind = problem["type"]
        message = str(problem["msg"]).removeprefix("Value error, ")
        value = _value_at(data, loc)
        if kind == "extra_forbidden":
            message = f"unknown field {loc[-1]!r} (value {value!r}); remove it or fix its name"
        elif kind == "missing":
            message = "is required but missing"
        elif value is not None and repr(value) not in message:
            message = f"{message} (got {value!r})"
        errors.add(loc, message)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its spec, its expanded timeline, checks and apps."""

    spec: ScenarioSpec
    path: str
    schedule: tuple[ScheduledAction, ...]
    checks: tuple[Check, ...]
    apps: tuple[App, ...]
    data: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.spec.name

    def replace(self, **changes: Any) -> Scenario:
        """A copy with top-level fields replaced (e.g. ``timeline=[...]``), validated again."""
        data = {**self.data, **changes}
        return load_data(data, file=self.path)

    def run(self, seed: int = 0, **options: Any) -> Any:
        """Run with ``seed`` in this process; returns a :class:`~harness.scenario.RunResult`."""
        from harness.scenario._runner import run_scenario

        return run_scenario(self, seed, **options)


def _expand(event: TimelineEvent, spec: ScenarioSpec) -> list[int]:
    if event.at is not None:
        return [event.at]
    assert event.every is not None
    end = spec.duration if event.until is None else min(event.until, spec.duration)
    return expand_every(event.every, epoch=spec.epoch, duration_ms=end)


def load_data(data: Any, *, file: str = "<scenario>", index: LineIndex | None = None) -> Scenario:
    """Validate scenario data (already parsed from YAML, or built in Python).

    The user code it imports and runs to check the file (apps, backend factory, custom checks)
    is forgotten afterwards (:func:`harness.app.fresh_imports`): runs import it afresh.
    """
    with fresh_imports():
        return _load_data(data, file=file, index=index)


def _load_data(data: Any, *, file: str, index: LineIndex | None) -> Scenario:
    index = index or LineIndex({})
    errors = _Errors(file, index)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"the file must be a mapping of fields (name, duration, ...), not "
            f"{type(data).__name__}",
            file=file,
            line=1,
        )
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as error:
        _pydantic_problems(error, data, errors)
        errors.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here
    schedule: list[ScheduledAction] = []
    previous_at: int | None = None
    for position, event in enumerate(spec.timeline):
        loc: Loc = ("timeline", position)
        if event.at is not None:
            if previous_at is not None and event.at < previous_at:
                errors.add(
                    (*loc, "at"),
                    f"time goes backwards: {format_t_ms(event.at)} comes after an event at "
                    f"{format_t_ms(previous_at)}; list timeline events in time order",
                )
            previous_at = event.at
            if event.at >= spec.duration:
                errors.add(
                    (*loc, "at"),
                    f"{format_t_ms(event.at)} is at or after the end of the run "
                    f"({format_t_ms(spec.duration)}); move it or lengthen 'duration'",
                )
        actions: list[tuple[int, Action]] = []
        for key, text in (("do", event.do), ("then", event.then)):
            if text is None:
                continue
            try:
                actions.append((0 if key == "do" else event.for_ms or 0, parse_action(text)))
            except ActionError as error:
                errors.add((*loc, key), str(error))
        for t_ms in _expand(event, spec):
            for offset, action in actions:
                if t_ms + offset < spec.duration:
                    schedule.append(ScheduledAction(t_ms + offset, action, position))
    checks = list(DEFAULT_CHECKS)
    for position, entry in enumerate(spec.checks):
        try:
            check = parse_check(entry)
        except CheckDefinitionError as error:
            errors.add(("checks", position), str(error))
            continue
        if check.name not in {existing.name for existing in checks} or check.name == "custom":
            checks.append(check)
    apps: list[App] = []
    app_loc: Loc = ("app",) if spec.app is not None else ("apps",)
    for position, app_spec in enumerate(spec.app_specs()):
        try:
            apps.append(App.from_module(app_spec.module, package=app_spec.package))
        except DefinitionError as error:
            errors.add(
                app_loc if spec.app is not None else (*app_loc, position, "module"), str(error)
            )
    if not apps and not errors.problems:
        errors.add(("app",), "no app to test; name one with 'app: module.path'")
    errors.raise_if_any()
    schedule.sort(key=lambda item: (item.t_ms, item.entry))
    scenario = Scenario(spec, file, tuple(schedule), tuple(checks), tuple(apps), dict(data))
    from harness.scenario._preflight import preflight  # builds a World, which needs this module

    preflight(scenario, errors.add)
    errors.raise_if_any()
    return scenario


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file (``yaml.safe_load`` only)."""
    data, index, file = read_yaml_file(path)
    return load_data(data, file=file, index=index)


def loads(text: str, *, file: str = "<string>") -> Scenario:
    """Load and validate a scenario from YAML text."""
    data, index = load_yaml(text, file=file)
    return load_data(data, file=file, index=index)


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """Scenario files under ``paths`` (files as given; directories searched for ``*.yaml``)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found
