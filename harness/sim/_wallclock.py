"""The wall clock inside a simulation, and the real clock outside it.

While a simulation runs, freezegun is started once and its time factory reads the virtual clock
(:class:`_VirtualTimeFactory`: nothing moves it as time advances), so app code that reads
``datetime.now()``, ``datetime.utcnow()``, ``date.today()`` or ``time.time()`` sees virtual
time. The global ``random`` module and ``uuid.uuid4`` are seeded from the run's RNG streams too,
so idempotency keys and jitter in app code are the same on every run of a seed. ``time.sleep``
waits in virtual time inside blocking work (see :mod:`harness.sim._blocking`) and is refused on
the loop itself, where it would freeze the simulation.

httpx times each response (``response.elapsed``) with ``time.perf_counter()``, which freezegun
answers by walking the caller's stack and converting the frozen datetime: a fixed cost on every
request. While the patch is in force httpx's client module reads a clock that answers the same
value (freezegun's ``_get_fake_monotonic`` of the frozen instant) straight from virtual time.

The harness measures real durations with :func:`real_perf_counter`, which reads freezegun's saved
copy of the real ``time.perf_counter`` at call time, so freezegun never replaces it.
"""

from __future__ import annotations

import asyncio
import importlib
import operator
import random
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType, ModuleType
from typing import Any, Final, SupportsIndex

import freezegun
import freezegun.api

from harness.sim._blocking import in_blocking_thread, wait_on_loop
from harness.sim._clock import VirtualClock

#: Modules freezegun leaves on real time, on top of its defaults: the terminal UI (progress bars).
_FREEZEGUN_IGNORE: Final = ("rich",)

#: Modules whose own references to the time functions freezegun must not replace when it scans
#: ``sys.modules`` at start: the test runner's clocks (pytest's ``_pytest.timing`` times setups
#: and calls, and reported a setup of ~1.7e9 s when it read the frozen clock), coverage's and
#: hypothesis's (its garbage-collection timer kept the patched counter and raised once a
#: stateful test's simulation had stopped). Unlike ``_FREEZEGUN_IGNORE`` this does not make
#: calls *from* those modules' callees real: a test that pytest calls still sees virtual time.
_SCAN_SPARED: Final = (
    "_pytest",
    "pytest",
    "pluggy",
    "xdist",
    "execnet",
    "coverage",
    "hypothesis",
)


def real_perf_counter() -> float:
    """Real seconds from a monotonic performance counter that freezegun does not touch."""
    real: Callable[[], float] = freezegun.api.real_perf_counter
    return real()


class _ScanPlan:
    """What the last scan of ``sys.modules`` patched, by module name, kept from start to start.

    freezegun's start walks all of ``sys.modules`` (600 and more modules) in Python even when
    each module's answer is cached: about 1.4 ms of every run's start-up. Between two runs
    ``sys.modules`` barely changes, so the harness runs freezegun's start with no modules in
    view and does the walk itself, only over the modules that are new, replaced or whose
    namespace changed size since the last start (found with set operations at C speed); the
    rest keep what they patched last time. The rules of which module is scanned and which names
    are patched are freezegun's own (``_freeze_time.start`` in freezegun 1.5).
    """

    __slots__ = ("ignore", "modules", "names", "patches", "sizes")

    def __init__(self) -> None:
        self.ignore: tuple[str, ...] = ()
        #: ``sys.modules`` at the last start: names, module objects and namespace sizes in order
        self.names: list[str] = []
        self.modules: list[Any] = []
        self.sizes: list[int] = []
        #: by module name, only for modules with something to patch: (attribute, real, fake)
        self.patches: dict[str, tuple[tuple[str, Any, Any], ...]] = {}


_PLAN: Final = _ScanPlan()

#: The size of a module's namespace; ``AttributeError`` for an entry without one.
_namespace_size: Final = operator.attrgetter("__dict__")


class _WithoutModules:
    """``sys`` as freezegun's start sees it while the harness walks ``sys.modules`` itself."""

    __slots__ = ()

    modules: Final[Mapping[str, Any]] = MappingProxyType({})

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


def _sizes(modules: list[Any]) -> list[int]:
    """The size of each module's namespace (-1 for an entry without one)."""
    try:
        return list(map(len, map(_namespace_size, modules)))
    except (AttributeError, TypeError):  # an odd entry (None, or no namespace): one by one
        sizes = []
        for module in modules:
            try:
                sizes.append(len(module.__dict__))
            except (AttributeError, TypeError):
                sizes.append(-1)
        return sizes


def _stale(plan: _ScanPlan, names: list[str], modules: list[Any], sizes: list[int]) -> set[str]:
    """Names of the modules that are new, replaced or resized since the last start."""
    same = names == plan.names and all(map(operator.is_, modules, plan.modules))
    if same and sizes == plan.sizes:
        return set()  # the usual case: nothing imported or changed between two runs
    before = dict(zip(plan.names, zip(map(id, plan.modules), plan.sizes, strict=True), strict=True))
    now = dict(zip(names, zip(map(id, modules), sizes, strict=True), strict=True))
    for gone in before.keys() - now.keys():
        plan.patches.pop(gone, None)
    return {name for name, _ in now.items() - before.items()}


def _scan(
    api: Any, name: str, module: Any, ignore: tuple[str, ...], fakes: dict[int, Any]
) -> tuple[tuple[str, Any, Any], ...]:
    """What freezegun's start patches in one module: (attribute, real value, fake)."""
    if name is None or module is None or name == api.__name__:
        return ()
    if name.startswith(ignore) or name.endswith(".six.moves"):
        return ()
    if not hasattr(module, "__name__") or module.__name__ in ("datetime", "time"):
        return ()
    # freezegun reads dir(module) and getattr of each name: for a plain module without its own
    # __dir__, exactly its namespace, in sorted order. Most modules hold none of the real time
    # functions, which one C-speed look at their values' ids shows (a cold start scans some 700
    # modules); the few that do are read from their namespace. A module with its own __dir__
    # (anyio's and pydantic's lazy imports) is walked as freezegun walks it.
    if type(module) is ModuleType and "__dir__" not in (namespace := module.__dict__):
        if fakes.keys().isdisjoint(map(id, namespace.values())):
            return ()
        return tuple(
            (attribute, namespace[attribute], fakes[id(namespace[attribute])])
            for attribute in sorted(namespace)
            if id(namespace[attribute]) in fakes
        )
    found = []
    for attribute, value in api._get_cached_module_attributes(module):
        fake = fakes.get(id(value))
        if fake:
            found.append((attribute, value, fake))
    return tuple(found)


def _start_freezer(freezer: Any) -> Any:
    """``freezer.start()``, with the walk over ``sys.modules`` planned from the last start."""
    api: Any = freezegun.api
    if (
        getattr(api, "sys", None) is not sys
        or not hasattr(api, "freeze_factories")
        or not hasattr(freezer, "undo_changes")
    ):
        return freezer.start()  # another freezegun layout: its own walk
    api.sys = _WithoutModules()
    try:
        factory = freezer.start()
    finally:
        api.sys = sys
    if len(api.freeze_factories) > 1:
        return factory  # freezegun was started already (by the caller): it patched nothing now
    freezer.modules_at_start = set(sys.modules.keys())
    fakes = {}
    for fake_name in freezer.fake_names:
        fake = getattr(api, fake_name, None)
        if fake is not None and id(fake) in freezer.reals:
            fakes[id(freezer.reals[id(fake)])] = fake
    if not fakes or len(fakes) != len(freezer.fake_names):  # another layout: freezegun's walk
        freezer.stop()
        return freezer.start()
    plan = _PLAN
    ignore = tuple(freezer.ignore)
    if ignore != plan.ignore:
        plan.ignore, plan.names, plan.modules, plan.sizes, plan.patches = ignore, [], [], [], {}
    current = dict(sys.modules)
    names, modules = list(current), list(current.values())
    sizes = _sizes(modules)
    stale = _stale(plan, names, modules, sizes)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore")  # as freezegun's walk: some modules warn on access
        for name in stale:
            found = _scan(api, name, current[name], ignore, fakes)
            if found:
                plan.patches[name] = found
            else:
                plan.patches.pop(name, None)
    # the plan holds the module objects until the next start, so an id is never reused meanwhile
    plan.names, plan.modules, plan.sizes = names, modules, sizes
    add_change = freezer.undo_changes.append
    for name, found in plan.patches.items():
        module = current[name]
        for attribute, real, fake in found:
            setattr(module, attribute, fake)
            add_change((module, attribute, real))
    return factory


def _spare_scanned_modules(freezer: Any) -> None:
    """Undo freezegun's replacement of module attributes in the test runner's modules."""
    kept = []
    for module, attribute, original in freezer.undo_changes:
        name = getattr(module, "__name__", "")
        if isinstance(name, str) and name.startswith(_SCAN_SPARED):
            setattr(module, attribute, original)
        else:
            kept.append((module, attribute, original))
    freezer.undo_changes = kept


class _VirtualTimeFactory:
    """freezegun's time factory (what its fakes ask for "now") answering from the virtual clock.

    freezegun's own ``FrozenDateTimeFactory`` holds a datetime that the harness had to move on
    every advance of the clock (eight times per work run of a device-year, most of them read by
    no one); this one works the datetime out when it is asked, once per virtual instant: the
    same naive UTC datetime, ``epoch + now_ms``, the same object for every reading of an instant.
    """

    __slots__ = ("_clock", "_epoch_naive", "_read_ms", "_reading")

    def __init__(self, clock: VirtualClock, epoch_naive: datetime) -> None:
        self._clock = clock
        self._epoch_naive = epoch_naive
        self._read_ms = clock.now_ms
        self._reading = epoch_naive + timedelta(milliseconds=self._read_ms)

    @property
    def time_to_freeze(self) -> datetime:
        """The frozen instant now (freezegun's name), a naive UTC datetime."""
        return self()

    def __call__(self) -> datetime:
        now_ms = self._clock._now_ms
        if now_ms != self._read_ms:
            self._read_ms = now_ms
            self._reading = self._epoch_naive + timedelta(milliseconds=now_ms)
        return self._reading


class _VirtualPerfCounter:
    """Stands in for the ``time`` module inside ``httpx._client`` while the patch is in force.

    ``perf_counter()`` is freezegun's fake one without the stack walk: the frozen instant as
    POSIX seconds, ``calendar.timegm(t.timetuple()) + t.microsecond / 1e6`` in integer steps
    (so the float is bit-for-bit freezegun's), read from the virtual clock. Every other
    attribute is the real module's.
    """

    __slots__ = ("_clock", "_epoch_us")

    def __init__(self, epoch_naive: datetime, clock: VirtualClock) -> None:
        since = epoch_naive - datetime(1970, 1, 1)
        self._epoch_us = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
        self._clock = clock

    def perf_counter(self) -> float:
        """The frozen wall clock in POSIX seconds, as freezegun's ``perf_counter`` gives it."""
        seconds, micros = divmod(self._epoch_us + self._clock._now_ms * 1000, 1_000_000)
        return seconds + micros / 1e6

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class WallClockPatch:
    """Moves ``datetime.now()`` & co. with virtual time between :meth:`start` and :meth:`stop`."""

    __slots__ = (
        "_app_random_state",
        "_app_uuid",
        "_clock",
        "_epoch_naive",
        "_factory",
        "_freezer",
        "_httpx_clock",
        "_httpx_module",
        "_httpx_time",
        "_loop_thread",
        "_moves_factory",
        "_saved_random_state",
        "_saved_sleep",
        "_saved_uuid4",
    )

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._epoch_naive = clock.epoch.astimezone(UTC).replace(tzinfo=None)
        self._freezer: Any = None
        self._factory: Any = None
        self._saved_random_state: Any = None
        self._saved_uuid4: Callable[[], uuid.UUID] | None = None
        self._saved_sleep: Callable[[float | SupportsIndex], None] | None = None
        self._loop_thread: int | None = None
        self._httpx_clock: _VirtualPerfCounter | None = None
        self._httpx_module: Any = None
        self._httpx_time: Any = None
        self._app_uuid: random.Random | None = None
        self._app_random_state: Any = None
        self._moves_factory = False

    @property
    def active(self) -> bool:
        """Whether the patch is in force."""
        return self._freezer is not None

    def start(self, app_random: random.Random, app_uuid: random.Random) -> None:
        """Freeze the wall clock at the clock's virtual time and seed ``random`` and ``uuid4``."""
        self._app_uuid = app_uuid
        self._patch()
        random.seed(app_random.getrandbits(128))

    def pause(self) -> None:
        """Lift the patch for a while (between steps of a run driven from outside), keeping the
        app's ``random`` state for :meth:`resume`; nothing if it is not in force."""
        if self._freezer is None:
            return
        self._app_random_state = random.getstate()
        self.stop()

    def resume(self) -> None:
        """Put the patch back at the clock's virtual time with the app's ``random`` state as
        :meth:`pause` left it: the app sees one uninterrupted patched world."""
        self._patch()
        random.setstate(self._app_random_state)

    def _patch(self) -> None:
        if self._freezer is not None:
            raise RuntimeError("the wall clock patch is already started")
        app_uuid = self._app_uuid
        assert app_uuid is not None, "start() sets the app's uuid stream"
        self._freezer = freezegun.freeze_time(
            self._epoch_naive + timedelta(milliseconds=self._clock.now_ms),
            ignore=list(_FREEZEGUN_IGNORE),
            tick=False,
        )
        self._factory = _start_freezer(self._freezer)
        factories: list[Any] = getattr(freezegun.api, "freeze_factories", [])
        if factories and factories[-1] is self._factory:
            # freezegun's fakes ask the last factory for "now": it reads the virtual clock
            self._factory = factories[-1] = _VirtualTimeFactory(self._clock, self._epoch_naive)
        elif not self._moves_factory:  # another freezegun layout: move its factory with the clock
            self._moves_factory = True
            self._clock.on_advance(self._move_factory)
        _spare_scanned_modules(self._freezer)
        self._saved_random_state = random.getstate()
        self._saved_uuid4 = uuid.uuid4

        def seeded_uuid4() -> uuid.UUID:
            return uuid.UUID(int=app_uuid.getrandbits(128), version=4)

        uuid.uuid4 = seeded_uuid4
        self._saved_sleep = real_sleep = time.sleep
        self._loop_thread = loop_thread = threading.get_ident()

        def virtual_sleep(seconds: float | SupportsIndex) -> None:
            if in_blocking_thread():
                wait_on_loop(asyncio.sleep(float(seconds)))
            elif threading.get_ident() == loop_thread:
                raise RuntimeError(
                    f"time.sleep({seconds!r}) on the simulated event loop would block real time "
                    "and stop the simulation; use `await asyncio.sleep(...)`, or do blocking "
                    "work in a (sync) Worker, where time.sleep waits in virtual time"
                )
            else:
                real_sleep(seconds)

        time.sleep = virtual_sleep
        # imported here: only a started simulation needs httpx
        self._httpx_module = importlib.import_module("httpx._client")
        self._httpx_time = self._httpx_module.time
        self._httpx_clock = _VirtualPerfCounter(self._epoch_naive, self._clock)
        self._httpx_module.time = self._httpx_clock

    def _move_factory(self, now_ms: int) -> None:
        """Set a freezegun factory of another layout to ``epoch + now_ms`` (on clock moves)."""
        if self._factory is not None and not isinstance(self._factory, _VirtualTimeFactory):
            self._factory.time_to_freeze = self._epoch_naive + timedelta(milliseconds=now_ms)

    def stop(self) -> None:
        """Restore the real clock, ``random`` state and ``uuid.uuid4``; safe to call twice."""
        if self._freezer is None:
            return
        try:
            self._freezer.stop()
        finally:
            self._freezer = None
            self._factory = None
            if self._httpx_clock is not None:
                self._httpx_module.time = self._httpx_time
                self._httpx_clock = None
                self._httpx_module = None
                self._httpx_time = None
            if self._saved_sleep is not None:
                time.sleep = self._saved_sleep
                self._saved_sleep = None
            if self._saved_uuid4 is not None:
                uuid.uuid4 = self._saved_uuid4
                self._saved_uuid4 = None
            if self._saved_random_state is not None:
                random.setstate(self._saved_random_state)
                self._saved_random_state = None
