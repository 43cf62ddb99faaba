"""The scenario file schema (pydantic), validated before anything runs.

A scenario names a device, the app(s) under test, the servers they talk to, a timeline of events
and the checks that must hold. Example::

    name: rate-limited fetch, a commuter's week
    device: pixel-like                 # or {profile: budget, overrides: {...}}
    versions: {androidx_work: "2.12", flutter_workmanager: "0.10.10"}  # the defaults
    app: examples.rate_limited_fetch   # or apps: [{module: ..., package: ...}]
    backend:
      routes:
        - GET https://api.example.com/data -> 200 {"items": 3}
      resources:
        - url: https://api.example.com/items
          initial_items: 40
      faults:
        - at: day 2 08:00
          for: 2h
          rate_limit: {per_minute: 1, retry_after: 60s}
    duration: 7d
    timeline:
      - at: 0s
        do: open app
      - every: weekday 08:00
        for: 1h
        do: adb shell svc wifi disable
        then: adb shell svc wifi enable
    checks:
      - responses_processed
      - max_staleness: 2h

Every field is checked here; actions and checks are checked against their registries by the
loader, so a bad file fails with file, line, field, value and the allowed values.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final

import httpx
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from harness._exceptions import TimeExpressionError
from harness._units import parse_duration
from harness.scenario._life_spec import LifeSpec, life_data
from harness.scenario._population import PopulationSpec
from harness.scenario._timeexpr import AT_HELP, EVERY_HELP, parse_at
from harness.scenario._versions import VersionsSpec
from harness.scenario._yaml import quoted

#: The earliest and latest scenario epochs (virtual wall clocks start at or after the Unix epoch;
#: with the 10-year limit on durations every date of a run stays inside ``datetime``'s range).
MIN_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MAX_EPOCH: Final = datetime(9000, 1, 1, tzinfo=UTC)
#: The most items a resource may start with, and the most a generator may add over a run.
MAX_ITEMS: Final = 100_000
_IDENTIFIER_PATH_RE: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

_ROUTE_RE = re.compile(
    r"^(?P<method>[A-Za-z]+)\s+(?P<url>https?://\S+)\s*->\s*(?P<status>\d{3})(?:\s+(?P<body>.+))?$"
)


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{quoted(value)} is not a duration; write it like '15m', '2h30m' or '7d'")
    if isinstance(value, int):
        raise ValueError(f"{quoted(value)} has no unit; write it like '15m', '2h30m' or '7d'")
    try:
        return parse_duration(value)
    except ValueError as error:
        if "limit" in str(error):
            raise ValueError(str(error)) from None
        raise ValueError(
            f"{quoted(value)} is not a duration; write it like '15m', '2h30m' or '7d'"
        ) from None


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be longer than 0ms")
    return value


def _at(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"{quoted(value)} is not a time; write {AT_HELP}")
    try:
        return parse_at(value)
    except ValueError as error:
        if "limit" in str(error):
            raise ValueError(str(error)) from None
        raise ValueError(f"{quoted(value)} is not a time; write {AT_HELP}") from None


def _url(value: str) -> str:
    """An ``http(s)://host[:port]/path`` URL that httpx can parse."""
    try:
        url = httpx.URL(value)
        valid = url.scheme in ("http", "https") and bool(url.host)
        url.netloc.decode("ascii")
    except Exception:  # httpx raises InvalidURL, idna errors, UnicodeError ...
        valid = False
    if not valid:
        raise ValueError(
            f"{quoted(value)} is not an http(s) URL; write it like 'https://api.example.com/items'"
        )
    return value


def _module_path(value: str) -> str:
    """A dotted import path (``examples.hourly_sync``); checked as text, nothing is imported."""
    if not _IDENTIFIER_PATH_RE.match(value):
        raise ValueError(
            f"{quoted(value)} is not a module import path; write dotted Python names, e.g. "
            "'examples.hourly_sync' (relative paths like '.x' are not allowed)"
        )
    return value


def _function_path(value: str) -> str:
    """``module.path:function``; checked as text, nothing is imported."""
    module, colon, function = value.partition(":")
    if not colon or not _IDENTIFIER_PATH_RE.match(module) or not function.isidentifier():
        raise ValueError(
            f"{quoted(value)} is not 'module.path:function', e.g. 'myproject.servers:build'"
        )
    return value


def _package(value: str) -> str:
    if not value or not value.isprintable() or any(char.isspace() for char in value):
        raise ValueError(
            f"package name {quoted(value)} must be a non-empty name without spaces, "
            "e.g. 'com.example.sync'"
        )
    return value


DurationMs = Annotated[int, BeforeValidator(_duration)]
PositiveDurationMs = Annotated[int, BeforeValidator(_duration), AfterValidator(_positive)]
AtMs = Annotated[int, BeforeValidator(_at)]
Url = Annotated[str, AfterValidator(_url)]
ModulePath = Annotated[str, AfterValidator(_module_path)]
FunctionPath = Annotated[str, AfterValidator(_function_path)]
Package = Annotated[str, AfterValidator(_package)]
#: An HTTP status a server may answer with.
Status = Annotated[int, Field(ge=100, le=599)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DeviceSpec(_Strict):
    """Which device profile, and overrides of its settings (dotted names)."""

    profile: str = "pixel-like"
    overrides: dict[str, Any] = Field(default_factory=dict)


class AppSpec(_Strict):
    """An app under test: its module (import path) and package name."""

    module: ModulePath
    package: Package | None = None


class RouteSpec(_Strict):
    """A static answer: ``METHOD URL -> STATUS [JSON]`` or the same as fields."""

    method: str
    url: Url
    status: Status = 200
    json_body: Any = Field(default=None, alias="json")
    text: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    #: answer with a body of this many bytes, counted and never built (a photo download)
    body_size: int | None = Field(default=None, ge=0)
    content_type: str = "application/octet-stream"

    @model_validator(mode="after")
    def _one_body(self) -> RouteSpec:
        if self.body_size is not None and (self.json_body is not None or self.text is not None):
            raise ValueError("give one body: json, text or body_size (a body of declared size)")
        return self

    @model_validator(mode="before")
    @classmethod
    def _from_line(cls, value: Any) -> Any:
        if (
            isinstance(value, dict)
            and len(value) == 1
            and isinstance(next(iter(value)), str)
            and "->" in next(iter(value))
        ):
            # An unquoted 'GET URL -> 200 {"items": 3}' reads as a YAML mapping; rejoin it.
            key, rest = next(iter(value.items()))
            value = f"{key}: {rest}"
        if not isinstance(value, str):
            return value
        match = _ROUTE_RE.match(value.strip())
        if not match:
            raise ValueError(
                f"route {quoted(value)} is not 'METHOD URL -> STATUS [JSON body]', e.g. "
                "'GET https://api.example.com/data -> 200 {\"items\": 3}'"
            )
        route: dict[str, Any] = {
            "method": match["method"].upper(),
            "url": match["url"],
            "status": int(match["status"]),
        }
        if match["body"] is not None:
            import json

            try:
                route["json"] = json.loads(match["body"])
            except ValueError:
                route["text"] = match["body"]
        return route


class GenerateSpec(_Strict):
    """Server-side items appearing on a schedule."""

    every: PositiveDurationMs
    count: int = Field(default=1, ge=1, le=MAX_ITEMS)


class ResourceSpec(_Strict):
    """A stateful REST collection served at ``url`` (origin + path)."""

    url: Url
    initial_items: int = Field(default=0, ge=0, le=MAX_ITEMS)
    page_size: int = Field(default=20, ge=1, le=1000)
    generate: GenerateSpec | None = None


class AuthSpec(_Strict):
    """Bearer tokens for an origin, expiring after ``lifetime``."""

    origin: Url
    lifetime: PositiveDurationMs = 3_600_000
    token_path: str = "/auth/token"


class RateLimitSpec(_Strict):
    """At most ``per_minute`` (or ``limit`` per ``window``) requests, else 429 + Retry-After."""

    per_minute: int | None = Field(default=None, ge=1)
    limit: int | None = Field(default=None, ge=1)
    window: PositiveDurationMs = 60_000
    retry_after: DurationMs | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> RateLimitSpec:
        if (self.per_minute is None) == (self.limit is None):
            raise ValueError("give exactly one of per_minute or limit (with window)")
        return self


class OutageSpec(_Strict):
    """How the server fails during a fault window."""

    kind: str = "error"
    status: Status = 503
    delay: DurationMs = 30_000

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        allowed = ("error", "timeout", "slow", "malformed", "reset")
        if value not in allowed:
            raise ValueError(f"outage kind {quoted(value)} is not one of {', '.join(allowed)}")
        return value


class FaultSpec(_Strict):
    """A server fault from ``at`` for ``for``: an outage or a rate limit."""

    at: AtMs
    for_ms: DurationMs = Field(alias="for")
    origin: Url | None = None
    path: str = "/"
    outage: OutageSpec | None = None
    rate_limit: RateLimitSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _outage_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("outage"), str):
            return {**value, "outage": {"kind": value["outage"]}}
        return value

    @model_validator(mode="after")
    def _one_fault(self) -> FaultSpec:
        if (self.outage is None) == (self.rate_limit is None):
            raise ValueError("a fault is exactly one of outage or rate_limit")
        return self


class BackendSpec(_Strict):
    """The servers: static routes, stateful resources, auth and scheduled faults.

    ``factory`` names a function (``module:function``) that receives the ``Internet`` and the
    simulation and builds servers in Python, for anything the fields cannot say.
    """

    routes: list[RouteSpec] = Field(default_factory=list)
    resources: list[ResourceSpec] = Field(default_factory=list)
    auth: list[AuthSpec] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    factory: FunctionPath | None = None
    #: the request logs keep each request's body bytes, not only its size and SHA-256
    keep_bodies: bool = False


class TimelineEvent(_Strict):
    """Something that happens at ``at``, or on every ``every`` (until ``until``).

    With ``for``, ``then`` runs that long after each ``do`` (a window, e.g. a commute).
    """

    at: AtMs | None = None
    every: str | None = None
    until: AtMs | None = None
    do: str
    for_ms: DurationMs | None = Field(default=None, alias="for")
    then: str | None = None

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from harness.scenario._timeexpr import expand_every

        try:
            expand_every(value, epoch=datetime(2026, 1, 5, tzinfo=UTC), duration_ms=1)
        except TimeExpressionError:
            raise ValueError(f"{quoted(value)} is not a repeat rule; write {EVERY_HELP}") from None
        return value

    @model_validator(mode="after")
    def _when(self) -> TimelineEvent:
        if (self.at is None) == (self.every is None):
            raise ValueError("an event has exactly one of 'at' or 'every'")
        if (self.then is None) != (self.for_ms is None):
            raise ValueError("'then' and 'for' go together: 'then' runs 'for' after 'do'")
        return self


class ScenarioSpec(_Strict):
    """A whole scenario file."""

    name: str
    description: str = ""
    device: DeviceSpec = Field(default_factory=DeviceSpec)
    versions: VersionsSpec = Field(default_factory=VersionsSpec)
    app: ModulePath | None = None
    apps: list[AppSpec] = Field(default_factory=list)
    backend: BackendSpec = Field(default_factory=BackendSpec)
    epoch: datetime = datetime(2026, 1, 5, tzinfo=UTC)
    duration: DurationMs
    seeds: int = Field(default=5, ge=1, le=10_000)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    checks: list[str | dict[str, Any]] = Field(default_factory=list)
    #: A life drawn from each seed around the timeline (``docs/lives.md``); none by default.
    life: LifeSpec | None = None
    #: a fleet of devices instead of one (``harness.scenario._population``)
    population: PopulationSpec | None = None

    @field_validator("life", mode="before")
    @classmethod
    def _life_preset(cls, value: Any) -> Any:
        return life_data(value)

    @field_validator("device", mode="before")
    @classmethod
    def _device_name(cls, value: Any) -> Any:
        return {"profile": value} if isinstance(value, str) else value

    @field_validator("epoch", mode="after")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"epoch {value} is out of range; pick a date after 1970") from None
        if value.microsecond % 1000:
            raise ValueError(
                f"epoch {value.isoformat()} has sub-millisecond precision; virtual time counts "
                "whole milliseconds, so round the epoch to a millisecond"
            )
        if not MIN_EPOCH <= value < MAX_EPOCH:
            raise ValueError(
                f"epoch {value.isoformat()} is outside the supported range "
                f"{MIN_EPOCH.date()} .. {MAX_EPOCH.date()}; pick a date in it"
            )
        return value

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("the duration must be positive")
        return value

    @model_validator(mode="after")
    def _apps(self) -> ScenarioSpec:
        if self.app is not None and self.apps:
            raise ValueError("give either 'app' or 'apps', not both")
        if self.population is not None and "device" in self.model_fields_set:
            raise ValueError(
                "give either 'device' (one device) or 'population' (a fleet), not both; "
                "put the device's profile and overrides into a population part"
            )
        return self

    def app_specs(self) -> list[AppSpec]:
        """The apps, whichever way the file named them."""
        return [AppSpec(module=self.app)] if self.app is not None else list(self.apps)
