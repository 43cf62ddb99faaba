"""``Apps``: installed packages, their processes, and what the user and the system do to them.

A process is started by a user launch or by a higher layer (a job: :meth:`Apps.start_process`,
:meth:`Apps.bind_service`); a cold start takes the profile's ``cold_start_ms``. States are
``ActivityManager.PROCESS_STATE_*``: TOP while the user sees the app, SERVICE while a job is
bound to it, CACHED_* when idle in the background, NONEXISTENT when dead. Deaths carry
``ApplicationExitInfo`` reasons:

* ``am kill`` kills background processes only (``killBackgroundProcesses``: oom adj >=
  SERVICE_ADJ); the package is not stopped, its jobs stay;
* swiping from recents removes the task and kills the process (stock Android keeps the jobs);
  with the profile's ``force_stop_on_swipe`` (some OEMs) it force-stops instead;
* ``am force-stop`` kills and puts the package in the *stopped* state (jobs and alarms are
  cancelled by their owners; nothing starts it again until the user launches it);
* ``pm clear`` force-stops and wipes the package's data;
* the system kills cached processes under memory pressure (:meth:`Apps.low_memory_kill`), beyond
  ``max_cached_processes``, and, with an OEM battery manager, background apps after a delay;
* a vendor battery manager (the profile's ``vendor`` section, :mod:`._vendor`) may force-stop on
  swipe, deny autostart (no process start but the user's launch) and kill background processes
  after the screen goes off (:meth:`Apps.vendor_kill`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness._exceptions import DefinitionError
from harness.device._process import (
    ExitReason,
    ProcessDied,
    ProcessStarted,
    ProcessState,
    ProcessStateChange,
    StartResult,
)
from harness.device._profile import AppsSettings, VendorSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation

#: First pid handed out (deterministic: pids count up from here).
FIRST_PID = 10_000


@dataclass(eq=False)
class _Package:
    name: str
    stopped: bool = False
    background_restricted: bool = False
    state: ProcessState = ProcessState.NONEXISTENT
    pid: int = 0
    starting: bool = False
    start_reason: str = ""
    start_for_launch: bool = False
    has_activity: bool = False
    bindings: dict[str, int] = field(default_factory=dict)
    last_active_ms: int = 0
    start_timer: Timer | None = None
    oem_timer: Timer | None = None


class Apps:
    """Installed packages and their processes on one device."""

    def __init__(
        self, sim: Simulation, settings: AppsSettings, vendor: VendorSettings | None = None
    ) -> None:
        self._sim = sim
        self._settings = settings
        self._vendor = vendor or VendorSettings()
        self._force_stop_on_swipe = settings.force_stop_on_swipe or self._vendor.force_stop_on_swipe
        self._packages: dict[str, _Package] = {}
        self._next_pid = FIRST_PID
        self._running = False
        #: A process came up (after its cold start).
        self.process_started: Signal[ProcessStarted] = Signal("device.process.started")
        #: A process died, with the reason.
        self.process_died: Signal[ProcessDied] = Signal("device.process.died")
        #: A process changed state (TOP, SERVICE, CACHED_*, NONEXISTENT).
        self.state_changed: Signal[ProcessStateChange] = Signal("device.process.state")
        #: The user opened the app (the app runtime runs its launch code once it is up).
        self.launched: Signal[str] = Signal("device.process.launched")
        #: The user used the app (launch or leave): an app-standby usage event.
        self.user_interaction: Signal[str] = Signal("device.process.user_interaction")
        #: The package was force-stopped (its jobs and alarms must go).
        self.force_stopped: Signal[str] = Signal("device.process.force_stopped")
        #: The package's data was wiped (``pm clear``).
        self.data_cleared: Signal[str] = Signal("device.process.data_cleared")
        #: The user restricted or allowed the app's background work (RUN_ANY_IN_BACKGROUND).
        self.restriction_changed: Signal[str] = Signal("device.process.restriction")

    # --- packages ---------------------------------------------------------------------------

    def install(self, package: str) -> None:
        """Install ``package`` (never launched yet: app standby puts it in NEVER)."""
        if package in self._packages:
            raise DefinitionError(f"package {package!r} is already installed; install it once")
        self._packages[package] = _Package(package)
        self._sim.record("device.process", package=package, event="installed")

    @property
    def packages(self) -> list[str]:
        """Installed packages, in installation order."""
        return list(self._packages)

    def _get(self, package: str) -> _Package:
        found = self._packages.get(package)
        if found is None:
            known = ", ".join(self._packages) or "none"
            raise DefinitionError(
                f"package {package!r} is not installed (installed: {known}); pass it in "
                "Device(packages=...) or call device.apps.install()"
            )
        return found

    def is_installed(self, package: str) -> bool:
        """Whether ``package`` is installed."""
        return package in self._packages

    # --- queries ----------------------------------------------------------------------------

    def state(self, package: str) -> ProcessState:
        """The package's process state now."""
        # _get inlined: every job verdict and firewall check asks (an unknown package raises)
        entry = self._packages.get(package) or self._get(package)
        return entry.state

    def pid(self, package: str) -> int | None:
        """The running process's pid, or ``None``."""
        entry = self._get(package)
        return entry.pid if entry.state is not ProcessState.NONEXISTENT else None

    def is_running(self, package: str) -> bool:
        """Whether the package has a live process."""
        return self._get(package).state is not ProcessState.NONEXISTENT

    def is_top(self, package: str) -> bool:
        """Whether the app is in the foreground (its jobs are quota-free)."""
        entry = self._packages.get(package) or self._get(package)
        return entry.state is ProcessState.TOP

    def is_stopped(self, package: str) -> bool:
        """Whether the package is in the stopped state (force-stopped, not launched since)."""
        return self._get(package).stopped

    def is_background_restricted(self, package: str) -> bool:
        """Whether the user restricted the app's background activity."""
        entry = self._packages.get(package) or self._get(package)
        return entry.background_restricted

    # --- what higher layers call ------------------------------------------------------------

    def start_process(self, package: str, reason: str) -> StartResult:
        """Start the package's process for ``reason`` (a job, a broadcast); see StartResult."""
        entry = self._get(package)
        if not self._running or entry.stopped:
            return StartResult.REFUSED
        if entry.state is not ProcessState.NONEXISTENT:
            return StartResult.RUNNING
        if self._vendor.autostart_denied and not (entry.starting and entry.start_for_launch):
            # dontkillmyapp.com/xiaomi, /huawei: without the Autostart ("App launch") permission
            # nothing but the user starts the app; a job or BOOT_COMPLETED finds it not running
            self._sim.record(
                "device.process", package=package, event="autostart_denied", detail=reason
            )
            return StartResult.REFUSED
        if not entry.starting:
            self._begin_start(entry, reason, self._settings.cold_start_ms)
        return StartResult.STARTING

    def bind_service(self, package: str, tag: str) -> StartResult:
        """A job binds to the app (``tag``): the process starts if needed and stays SERVICE."""
        entry = self._get(package)
        result = self.start_process(package, f"bind {tag}")
        if result is StartResult.REFUSED:
            return result
        entry.bindings[tag] = entry.bindings.get(tag, 0) + 1
        self._restate(entry)
        return result

    def unbind_service(self, package: str, tag: str) -> None:
        """The job ended: the process drops back to cached when nothing else holds it."""
        entry = self._get(package)
        count = entry.bindings.get(tag, 0)
        if count <= 1:
            entry.bindings.pop(tag, None)
        else:
            entry.bindings[tag] = count - 1
        self._restate(entry)

    # --- what the user does -----------------------------------------------------------------

    def launch(self, package: str) -> None:
        """The user opens the app: it leaves the stopped state and comes to the foreground."""
        entry = self._get(package)
        if not self._running:
            return
        if entry.stopped:
            entry.stopped = False
            self._sim.record("device.process", package=package, event="unstopped")
        for other in self._packages.values():
            if other is not entry and other.has_activity and other.state is ProcessState.TOP:
                other.has_activity = False
                self._restate(other, user_left=True)
        entry.has_activity = True
        self._sim.record("device.process", package=package, event="launched")
        self.user_interaction.emit(package)
        if entry.state is ProcessState.NONEXISTENT:
            if not entry.starting:
                self._begin_start(entry, "launch", self._settings.cold_start_ms, for_launch=True)
        else:
            self._restate(entry)
        self.launched.emit(package)

    def leave(self, package: str) -> None:
        """The user goes home: the app moves to the background (cached, or SERVICE if bound)."""
        entry = self._get(package)
        if not entry.has_activity:
            return
        entry.has_activity = False
        self.user_interaction.emit(package)
        self._restate(entry, user_left=True)

    def swipe_away(self, package: str) -> None:
        """The user removes the app's task from recents (``force_stop_on_swipe``: force-stop)."""
        entry = self._get(package)
        entry.has_activity = False
        if self._force_stop_on_swipe:
            self.force_stop(package, detail="swiped away (OEM force-stop)")
        else:
            self._kill(entry, ExitReason.REASON_USER_REQUESTED, "remove task")

    def kill(self, package: str) -> bool:
        """``am kill``: kill the package's process unless it is in the foreground."""
        entry = self._get(package)
        if entry.state is ProcessState.TOP:
            return False
        return self._kill(entry, ExitReason.REASON_USER_REQUESTED, "am kill")

    def low_memory_kill(self, package: str | None = None) -> str | None:
        """The low-memory killer reclaims ``package``, or the least recently used cached one."""
        if package is not None:
            entry = self._get(package)
            if entry.state is ProcessState.TOP:
                return None
            return package if self._kill(entry, ExitReason.REASON_LOW_MEMORY, "lmk") else None
        cached = [e for e in self._packages.values() if e.state >= ProcessState.CACHED_ACTIVITY]
        cached = [e for e in cached if e.state is not ProcessState.NONEXISTENT]
        if not cached:
            return None
        victim = min(cached, key=lambda e: e.last_active_ms)
        self._kill(victim, ExitReason.REASON_LOW_MEMORY, "lmk")
        return victim.name

    def vendor_kill(self, *, running_jobs: bool, detail: str) -> list[str]:
        """A vendor kills background processes (cached; with ``running_jobs`` SERVICE too)."""
        floor = ProcessState.SERVICE if running_jobs else ProcessState.CACHED_ACTIVITY
        victims = [
            entry
            for entry in self._packages.values()
            if floor <= entry.state < ProcessState.NONEXISTENT and not entry.has_activity
        ]
        return [e.name for e in victims if self._kill(e, ExitReason.REASON_OTHER, detail)]

    def force_stop(self, package: str, *, detail: str = "am force-stop") -> None:
        """``am force-stop``: kill and mark stopped until the next user launch."""
        entry = self._get(package)
        entry.has_activity = False
        entry.bindings.clear()
        self._kill(entry, ExitReason.REASON_USER_REQUESTED, detail)
        entry.stopped = True
        self._sim.record("device.process", package=package, event="force_stopped", detail=detail)
        self.force_stopped.emit(package)

    def clear_data(self, package: str) -> None:
        """``pm clear``: force-stop, then the data is wiped (the storage owner listens)."""
        self.force_stop(package, detail="pm clear")
        self._sim.record("device.process", package=package, event="data_cleared")
        self.data_cleared.emit(package)

    def set_background_restricted(self, package: str, restricted: bool) -> None:
        """The user restricts (or allows) the app's background activity (battery settings)."""
        entry = self._get(package)
        if entry.background_restricted == restricted:
            return
        entry.background_restricted = restricted
        self._sim.record(
            "device.process", package=package, event="background_restricted", value=restricted
        )
        self.restriction_changed.emit(package)

    # --- life cycle -------------------------------------------------------------------------

    def power_on(self) -> None:
        """Boot: processes may start again."""
        self._running = True

    def power_off(self, detail: str) -> None:
        """The device goes down: every process dies (their memory is gone)."""
        self._running = False
        for entry in self._packages.values():
            entry.has_activity = False
            entry.bindings.clear()
            self._kill(entry, ExitReason.REASON_OTHER, detail)

    # --- internals --------------------------------------------------------------------------

    def _begin_start(
        self, entry: _Package, reason: str, delay_ms: int, *, for_launch: bool = False
    ) -> None:
        entry.starting = True
        entry.start_reason = reason
        entry.start_for_launch = for_launch
        if entry.start_timer is None:
            entry.start_timer = Timer(self._sim, lambda: self._finish_start(entry))
        entry.start_timer.set_after(delay_ms)

    def _finish_start(self, entry: _Package) -> None:
        entry.starting = False
        if not self._running or entry.stopped:
            return
        entry.pid = self._next_pid
        self._next_pid += 1
        entry.state = ProcessState.CACHED_EMPTY
        self._sim.record(
            "device.process",
            package=entry.name,
            event="started",
            pid=entry.pid,
            reason=entry.start_reason,
        )
        self.process_started.emit(
            ProcessStarted(entry.name, entry.pid, entry.start_reason, entry.start_for_launch)
        )
        self._restate(entry, announce=True)

    def _kill(self, entry: _Package, reason: ExitReason, detail: str) -> bool:
        if entry.start_timer is not None:
            entry.start_timer.cancel()
        entry.starting = False
        if entry.oem_timer is not None:
            entry.oem_timer.cancel()
        if entry.state is ProcessState.NONEXISTENT:
            return False
        pid = entry.pid
        entry.state = ProcessState.NONEXISTENT
        entry.bindings.clear()
        self._sim.record(
            "device.process",
            package=entry.name,
            event="died",
            pid=pid,
            reason=reason.name,
            detail=detail,
        )
        self.process_died.emit(ProcessDied(entry.name, pid, reason, detail))
        self.state_changed.emit(ProcessStateChange(entry.name, ProcessState.NONEXISTENT))
        return True

    def _restate(self, entry: _Package, *, user_left: bool = False, announce: bool = False) -> None:
        if entry.state is ProcessState.NONEXISTENT:
            return
        if entry.has_activity:
            state = ProcessState.TOP
        elif entry.bindings:
            state = ProcessState.SERVICE
        elif user_left or entry.state in (ProcessState.TOP, ProcessState.CACHED_ACTIVITY):
            state = ProcessState.CACHED_ACTIVITY
        else:
            state = ProcessState.CACHED_EMPTY
        if state == entry.state and not announce:
            return
        entry.state = state
        entry.last_active_ms = self._sim.now_ms
        self._sim.record("device.process", package=entry.name, event="state", state=state.name)
        self.state_changed.emit(ProcessStateChange(entry.name, state))
        self._after_state(entry)

    def _after_state(self, entry: _Package) -> None:
        background = entry.state >= ProcessState.CACHED_ACTIVITY
        delay = self._settings.oem_background_kill_after_ms
        if delay is not None:
            if entry.oem_timer is None:
                entry.oem_timer = Timer(self._sim, lambda: self._oem_kill(entry))
            if background:
                entry.oem_timer.set_after(delay)
            else:
                entry.oem_timer.cancel()
        if background:
            self._trim_cached()

    def _oem_kill(self, entry: _Package) -> None:
        self._kill(entry, ExitReason.REASON_OTHER, "OEM battery manager")

    def _trim_cached(self) -> None:
        """``ProcessList``: beyond ``max_cached_processes`` the oldest cached process is killed."""
        cached = [
            e
            for e in self._packages.values()
            if ProcessState.CACHED_ACTIVITY <= e.state < ProcessState.NONEXISTENT
        ]
        excess = len(cached) - self._settings.max_cached_processes
        for victim in sorted(cached, key=lambda e: e.last_active_ms)[: max(0, excess)]:
            self._kill(victim, ExitReason.REASON_OTHER, "too many cached processes")
