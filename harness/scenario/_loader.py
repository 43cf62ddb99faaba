"""Loading scenario files: YAML -> validated :class:`Scenario`, or a precise :class:`ScenarioError`.

Everything that can be checked without running is checked here: the schema, time expressions
(and that the timeline never goes backwards or past the end), actions, checks, and that each app
module imports and has ``main()``. Errors name the file, the line, the field, the bad value and
what is allowed.

With ``imports=False`` no user code runs: app modules, backend factories and custom checks are
found and read as source (:func:`~harness.app._usercode.read_module`), not imported; this is what
``harness validate`` does unless given ``--import``.

Limits, each an error naming it: :data:`MAX_TIMELINE_ACTIONS` timeline actions per scenario once
``every`` rules are expanded (counted before expanding), and :data:`MAX_GENERATED_ITEMS` items a
resource's ``generate`` may add over the run; the YAML limits are in :mod:`._yaml`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from harness._exceptions import (
    ActionError,
    CheckDefinitionError,
    DefinitionError,
    HarnessError,
    ScenarioError,
)
from harness._units import format_t_ms
from harness.app import App, fresh_imports, read_module
from harness.device import load_profile
from harness.scenario._actions import Action, parse_action
from harness.scenario._app_swap import data_with_app
from harness.scenario._checks import DEFAULT_CHECKS, Check, parse_check
from harness.scenario._life_spec import LifeSpec, life_data
from harness.scenario._schema import AppSpec, ScenarioSpec, TimelineEvent
from harness.scenario._timeexpr import count_every, expand_every
from harness.scenario._yaml import LineIndex, Loc, load_yaml, quoted, read_yaml_file, shorten

#: The most timeline actions one scenario may schedule, ``every`` rules expanded.
MAX_TIMELINE_ACTIONS: Final = 100_000
#: The most items one resource's ``generate`` may add over a run (``count`` per ``every``).
MAX_GENERATED_ITEMS: Final = 100_000
#: One error report lists at most this many problems, each cut to this many characters.
_MAX_PROBLEMS: Final = 30
_MAX_MESSAGE_CHARS: Final = 600


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
        message = shorten(message, _MAX_MESSAGE_CHARS)
        self.problems.append((self.index.line_of(loc), shorten(_field_name(loc), 120), message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        line, field_name, message = self.problems[0]
        more = ""
        if len(self.problems) > 1:
            rest = [
                f"  {self.file}:{other_line}: {other_field}: {other_message}"
                for other_line, other_field, other_message in self.problems[1:_MAX_PROBLEMS]
            ]
            if len(self.problems) > _MAX_PROBLEMS:
                rest.append(f"  ... and {len(self.problems) - _MAX_PROBLEMS} more problems")
            more = "\n" + "\n".join(rest)
        raise ScenarioError(message + more, file=self.file, line=line, field=field_name)


def _pydantic_problems(error: ValidationError, data: Any, errors: _Errors) -> None:
    for problem in error.errors():
        loc = tuple(part for part in problem["loc"] if not str(part).startswith("function-"))
        kind = problem["type"]
        message = str(problem["msg"]).removeprefix("Value error, ")
        value = _value_at(data, loc)
        if kind == "extra_forbidden":
            message = (
                f"unknown field {quoted(loc[-1])} (value {quoted(value)}); remove it or fix "
                "its name"
            )
        elif kind == "missing":
            message = "is required but missing"
        elif value is not None and kind != "value_error" and quoted(value) not in message:
            message = f"{message} (got {quoted(value)})"
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

    def with_app(self, app: str) -> Scenario:
        """The same scenario testing another app module (``harness run FILE --app MODULE``).

        ``app`` is ``MODULE`` (an import path; the scenario must have one app) or
        ``PACKAGE=MODULE`` (replace the app of that package). The new module is installed under
        the package the scenario's app had, so the timeline and the checks act on it unchanged;
        it is validated as the file's own app is, and a bad value is a :class:`ScenarioError`
        naming it and the fix.
        """
        data = data_with_app(self.data, self.path, [(a.package, a.module) for a in self.apps], app)
        index = None
        if Path(self.path).is_file():  # the file's lines, for the errors of the new app
            with contextlib.suppress(HarnessError, OSError):
                index = read_yaml_file(self.path)[1]
        try:
            return load_data(data, file=self.path, index=index)
        except ScenarioError as error:
            raise ScenarioError(f"--app {app!r}: {error}") from None

    def run(self, seed: int = 0, **options: Any) -> Any:
        """Run with ``seed`` in this process; returns a :class:`~harness.scenario.RunResult`."""
        from harness.scenario._runner import run_scenario

        return run_scenario(self, seed, **options)


def _end_of(event: TimelineEvent, spec: ScenarioSpec) -> int:
    return spec.duration if event.until is None else min(event.until, spec.duration)


def _expand(event: TimelineEvent, spec: ScenarioSpec) -> list[int]:
    if event.at is not None:
        return [event.at]
    assert event.every is not None
    return expand_every(event.every, epoch=spec.epoch, duration_ms=_end_of(event, spec))


def _check_counts(spec: ScenarioSpec, errors: _Errors) -> bool:
    """Check the event limits before anything is expanded; whether the timeline may expand."""
    total = 0
    for position, event in enumerate(spec.timeline):
        if event.every is not None:
            total += count_every(event.every, duration_ms=_end_of(event, spec)) * (
                2 if event.then is not None else 1
            )
        else:
            total += 1
        if total > MAX_TIMELINE_ACTIONS:
            errors.add(
                ("timeline", position, "every" if event.every is not None else "at"),
                f"the timeline grows past {MAX_TIMELINE_ACTIONS} actions here (the limit per "
                f"scenario, counting each time an 'every' rule fires over "
                f"{format_t_ms(spec.duration)}); repeat less often or shorten the run",
            )
            return False
    for position, resource in enumerate(spec.backend.resources):
        generate = resource.generate
        if generate is None:
            continue
        items = (spec.duration // generate.every) * generate.count
        if items > MAX_GENERATED_ITEMS:
            errors.add(
                ("backend", "resources", position, "generate"),
                f"generate would add {items} items over the run ({generate.count} every "
                f"{generate.every} ms for {format_t_ms(spec.duration)}), over the limit of "
                f"{MAX_GENERATED_ITEMS} per resource; generate less often or fewer at a time",
            )
    return True


def _static_app(app_spec: AppSpec) -> tuple[App, bool]:
    """The app as its source says, without importing it; and whether its package is certain."""
    module = app_spec.module
    source = read_module(module, f"app module {module!r}")
    if not source.defines("main"):
        raise DefinitionError(
            f"app module {module!r} has no main() function; define `def main() -> None:` "
            "(what runs when the user opens the app)"
        )
    package = app_spec.package or source.package or f"app.{module}"
    return App(package=package, module=module), bool(app_spec.package) or source.package_known


def _check_static_user_code(spec: ScenarioSpec, errors: _Errors) -> None:
    """The backend factory found and read, not imported."""
    if spec.backend.factory is None:
        return
    module, _, function = spec.backend.factory.partition(":")
    what = f"backend factory {spec.backend.factory!r}"
    try:
        if not read_module(module, what).defines(function):
            errors.add(("backend", "factory"), f"{what}: {module} has no {function}")
    except DefinitionError as error:
        errors.add(("backend", "factory"), str(error))


def load_data(
    data: Any,
    *,
    file: str = "<scenario>",
    index: LineIndex | None = None,
    imports: bool = True,
) -> Scenario:
    """Validate scenario data (already parsed from YAML, or built in Python).

    With ``imports=False`` nothing of the user's code runs (see the module docs); the scenario
    returned then serves validation only. The user code it imports and runs to check the file
    (apps, backend factory, custom checks) is forgotten afterwards
    (:func:`harness.app.fresh_imports`): runs import it afresh.
    """
    with fresh_imports():
        return _load_data(data, file=file, index=index, imports=imports)


def _load_data(data: Any, *, file: str, index: LineIndex | None, imports: bool) -> Scenario:
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
    spec = _with_profile_life(spec, errors)
    schedule: list[ScheduledAction] = []
    previous_at: int | None = None
    expandable = _check_counts(spec, errors)
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
        for t_ms in _expand(event, spec) if expandable else ():
            for offset, action in actions:
                if t_ms + offset < spec.duration:
                    schedule.append(ScheduledAction(t_ms + offset, action, position))
    checks = list(DEFAULT_CHECKS)
    for position, entry in enumerate(spec.checks):
        try:
            check = parse_check(entry, imports=imports)
        except CheckDefinitionError as error:
            errors.add(("checks", position), str(error))
            continue
        if check.name not in {existing.name for existing in checks} or check.name == "custom":
            checks.append(check)
    apps: list[App] = []
    packages_certain = True
    app_loc: Loc = ("app",) if spec.app is not None else ("apps",)
    for position, app_spec in enumerate(spec.app_specs()):
        try:
            if imports:
                apps.append(App.from_module(app_spec.module, package=app_spec.package))
            else:
                app, certain = _static_app(app_spec)
                apps.append(app)
                packages_certain = packages_certain and certain
        except DefinitionError as error:
            errors.add(
                app_loc if spec.app is not None else (*app_loc, position, "module"), str(error)
            )
    if not imports:
        _check_static_user_code(spec, errors)
    if not apps and not errors.problems:
        errors.add(("app",), "no app to test; name one with 'app: module.path'")
    errors.raise_if_any()
    schedule.sort(key=lambda item: (item.t_ms, item.entry))
    scenario = Scenario(spec, file, tuple(schedule), tuple(checks), tuple(apps), dict(data))
    # these build a World, which needs this module
    from harness.scenario._preflight import preflight, preflight_population

    checked = scenario if imports else _without_user_code(scenario, packages_certain)
    if spec.population is None:
        preflight(checked, errors.add)
    else:
        preflight_population(checked, errors.add)
    errors.raise_if_any()
    return scenario


def _with_profile_life(spec: ScenarioSpec, errors: _Errors) -> ScenarioSpec:
    """``spec`` with its device profile's ``life`` when it has none of its own (a scenario's
    ``life:`` wins); a profile that does not load is left to the preflight to report. A fleet's
    parts take their own profiles' lives (``_fleet.device_scenarios``)."""
    if spec.life is not None or spec.population is not None:
        return spec
    try:
        life = load_profile(spec.device.profile, spec.device.overrides or None).life
    except HarnessError:
        return spec
    if life is None:
        return spec
    try:
        drawn = LifeSpec.model_validate(life_data(life))
    except (ValidationError, ValueError) as error:
        errors.add(("device",), f"device profile {spec.device.profile!r}: life: {error}")
        return spec
    return spec.model_copy(update={"life": drawn})


def _without_user_code(scenario: Scenario, packages_certain: bool) -> Scenario:
    """``scenario`` for a preflight that runs no user code: no backend factory, and no
    actions that need the app module (``app NAME``) or, when a module computes its
    ``PACKAGE``, a package name only an import would tell."""
    spec = scenario.spec
    backend = spec.backend.model_copy(update={"factory": None})
    schedule = tuple(
        item
        for item in scenario.schedule
        if not item.action.needs_user_code
        and (packages_certain or getattr(item.action, "package", None) is None)
    )
    return dataclasses.replace(
        scenario, spec=spec.model_copy(update={"backend": backend}), schedule=schedule
    )


def load(path: str | Path, *, imports: bool = True) -> Scenario:
    """Load and validate a scenario file (``yaml.safe_load`` only).

    ``imports=False`` runs none of the user's code (see the module docs).
    """
    data, index, file = read_yaml_file(path)
    return load_data(data, file=file, index=index, imports=imports)


def loads(text: str, *, file: str = "<string>", imports: bool = True) -> Scenario:
    """Load and validate a scenario from YAML text (``imports`` as for :func:`load`)."""
    data, index = load_yaml(text, file=file)
    return load_data(data, file=file, index=index, imports=imports)


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
