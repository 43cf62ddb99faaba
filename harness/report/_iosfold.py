"""The iOS half of the fold behind :class:`RunPicture`: each app's background tasks as work rows,
their waits coloured by why, and lanes for iOS's switches and each app's state.

A ``BGTaskScheduler`` identifier of an app (``ios.submit`` ... ``ios.completed``) becomes a
:class:`WorkStory` (id ``BUNDLE/IDENTIFIER``, worker ``BGAppRefreshTask`` or
``BGProcessingTask``). While a request is pending, the reason it waits is read from the state the
trace has told so far, in the order ``harness.ios.explain_launch`` answers (the device off, before
the first unlock, force-quit, Low Power Mode, Background App Refresh off, the app in the
foreground, ``earliestBeginDate``, a processing task's idle, the modelled daily budget
(``ios.throttled``), else the modelled launch policy's predicted app open: docs/ios.md). A submit
that was refused leaves the row waiting with the error code. ``harness why`` gives the exact
answer at any instant; the picture shows the same reasons, as far as the trace tells them.

:class:`IOSFolding` is a base of :class:`~harness.report._folder.RunFolder`; it keeps its tasks'
stories in the folder's ``_works``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from harness._units import format_t_ms
from harness.report._iosfold_transfers import OWN_RULES, TRANSFER, on_continued, on_transfer
from harness.report._runview import Lane, Phase, WorkStory
from harness.report._workfold import StateSpans, text_of
from harness.sim import TraceRecord

#: The records the iOS fold reads (besides every ``ios.*`` one), once an ``ios.*`` was seen.
DEVICE_KINDS: Final = frozenset({"device.screen", "device.boot"})

_WORKERS: Final = {
    "app_refresh": "BGAppRefreshTask",
    "processing": "BGProcessingTask",
    "continued_processing": "BGContinuedProcessingTask",
    "url_session": "URLSession events",
    "transfer": "URLSession transfer",
}

#: ``IOSSystem.swipe_away``'s reason for the kill.
_FORCE_QUIT: Final = "force-quit in the app switcher"


@dataclass
class _Task:
    """One identifier of one app, as the fold knows it."""

    bundle: str
    kind: str
    story: WorkStory
    pending: bool = False
    running: bool = False
    #: earliestBeginDate (or the submission) of the pending request
    floor_ms: int = 0
    #: the last refused submit's error code, while nothing is pending
    refused: str | None = None
    #: a transfer's or a continued request's wait, as its own records said (_iosfold_transfers)
    wait: str | None = None


@dataclass
class _IOSState:
    """What iOS's switches and apps are, as the trace has told so far."""

    device_on: bool = True
    first_unlocked: bool = True
    low_power: bool = False
    refresh_global: bool = True
    screen_on: bool = True
    refresh_app: dict[str, bool] = field(default_factory=dict)
    force_quit: dict[str, bool] = field(default_factory=dict)
    foreground: dict[str, bool] = field(default_factory=dict)
    #: the modelled daily budget's end per app (``ios.throttled`` of a refresh)
    throttled_until: dict[str, int] = field(default_factory=dict)


class IOSFolding:
    """The iOS tasks' side of a run's fold (see the module docstring)."""

    _works: dict[str, WorkStory]

    def __init__(self) -> None:
        self._ios_seen = False
        self._ios = _IOSState()
        self._tasks: dict[str, _Task] = {}
        self._ios_lane = StateSpans()
        self._ios_apps: dict[str, StateSpans] = {}

    def _on_ios(self, record: TraceRecord) -> None:
        """An ``ios.*`` record, or a device record once iOS is in the run."""
        kind = record.kind
        if not kind.startswith("ios."):
            if not self._ios_seen:
                return
        elif not self._ios_seen:
            self._ios_seen = True
            self._ios_lane.set(record.t_ms, "on")
        t_ms = record.t_ms
        self._advance(t_ms)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, record)
        self._ios_lane.set(t_ms, self._switches())
        for task in self._tasks.values():
            self._settle(task, t_ms)

    # --- state ----------------------------------------------------------------------------

    def _switches(self) -> str:
        state = self._ios
        if not state.device_on:
            return "off"
        if not state.first_unlocked:
            return "not unlocked"
        if state.low_power:
            return "Low Power Mode"
        if not state.refresh_global:
            return "Background App Refresh off"
        return "on"

    def _reason(self, task: _Task, t_ms: int) -> tuple[str, int | None]:
        """Why ``task`` waits at ``t_ms`` and until when the reason holds by itself (if known)."""
        state = self._ios
        bundle = task.bundle
        if task.refused is not None and not task.pending:
            return f"no request: submit refused ({task.refused})", None
        if task.kind in OWN_RULES:
            return task.wait or "", None
        if not state.device_on:
            return "device off: nothing launches until it has booted", None
        if not state.first_unlocked:
            return "not unlocked since the reboot: no background launch", None
        if state.force_quit.get(bundle):
            return f"{_FORCE_QUIT}: no background launch until the user opens the app", None
        if state.low_power:
            return "Low Power Mode: Background App Refresh is off", None
        if not state.refresh_global or not state.refresh_app.get(bundle, True):
            where = "globally" if not state.refresh_global else "for the app"
            return f"Background App Refresh off {where}", None
        if state.foreground.get(bundle):
            return "in the foreground: no background launch while the app is on screen", None
        if task.floor_ms > t_ms:
            return (
                f"earliestBeginDate not reached (until {format_t_ms(task.floor_ms)})",
                task.floor_ms,
            )
        if task.kind == "processing":
            if state.screen_on:
                return "waiting for idle: processing tasks run with the screen off", None
            return "waiting for idle, power or a network as required (processing)", None
        until = state.throttled_until.get(bundle)
        if until is not None and until > t_ms:
            return (
                f"launch policy: daily budget spent (until {format_t_ms(until)}; modelled)",
                until,
            )
        return "launch policy: waiting for the predicted app open (modelled)", None

    def _settle(self, task: _Task, t_ms: int) -> None:
        """Put the task's row in the phase (and reason) its state gives at ``t_ms``."""
        story = task.story
        if task.running:
            story.move(t_ms, Phase.RUNNING)
        elif task.pending or task.refused is not None:
            story.move(t_ms, Phase.WAITING, self._reason(task, t_ms)[0])
        else:
            story.move(t_ms, None)

    def _advance(self, t_ms: int) -> None:
        """Reasons that end by themselves (``earliestBeginDate``, the daily budget) before
        ``t_ms``: the rows change at that instant, before the record at ``t_ms`` is read."""
        for task in self._tasks.values():
            for _ in range(2):
                if task.running or not task.pending or task.story._open is None:
                    break
                start = task.story._open[0]
                _, until = self._reason(task, start)
                if until is None or not start < until <= t_ms:
                    break
                self._settle(task, until)

    def _task(self, bundle: str, identifier: str, kind: str) -> _Task:
        key = f"{bundle}/{identifier}"
        task = self._tasks.get(key)
        if task is None:
            story = self._works.get(key) or WorkStory(key)
            self._works[key] = story
            story.worker = _WORKERS.get(kind, kind)
            story.unique_name = identifier
            story.title = f"{story.worker} {identifier}"
            task = self._tasks[key] = _Task(bundle, kind, story)
        return task

    # --- records ----------------------------------------------------------------------------

    def _on_submit(self, record: TraceRecord) -> None:
        task = self._task(
            text_of(record.get("bundle_id")),
            text_of(record.get("identifier")),
            text_of(record.get("task_kind")),
        )
        outcome = text_of(record.get("outcome"))
        earliest = record.get("earliest_begin_ms")
        if outcome in ("accepted", "replaced", "queued"):
            task.pending = True
            task.refused = None
            task.floor_ms = max(earliest if isinstance(earliest, int) else 0, record.t_ms)
            task.story.state = "RUNNING" if task.running else "PENDING"
            detail = f"{outcome}, earliestBeginDate {format_t_ms(task.floor_ms)}"
            task.story.note(record.t_ms, "submitted", detail)
        else:
            if not task.pending:
                task.refused = outcome
                task.story.state = "NOT_PENDING"
            task.story.note(record.t_ms, "submit refused", outcome)

    def _on_launch(self, record: TraceRecord) -> None:
        task = self._task(
            text_of(record.get("bundle_id")),
            text_of(record.get("identifier")),
            text_of(record.get("task_kind")),
        )
        task.pending = False
        task.running = True
        task.story.attempts += 1
        task.story.state = "RUNNING"
        cold = "cold start" if record.get("cold") else "resumed"
        task.story.note(record.t_ms, "launched", cold)

    def _on_expired(self, record: TraceRecord) -> None:
        task = self._tasks.get(f"{record.get('bundle_id')}/{record.get('identifier')}")
        if task is not None:
            task.story.note(record.t_ms, "expired", text_of(record.get("reason")))

    def _on_completed(self, record: TraceRecord) -> None:
        task = self._tasks.get(f"{record.get('bundle_id')}/{record.get('identifier')}")
        if task is None or not task.running:
            return
        task.running = False
        what = "finished" if record.get("success") else "failed"
        task.story.note(record.t_ms, what, text_of(record.get("reason")))
        task.story.state = "PENDING" if task.pending else "NOT_PENDING"

    def _on_terminated(self, record: TraceRecord) -> None:
        bundle = text_of(record.get("bundle_id"))
        reason = text_of(record.get("reason"))
        for task in self._tasks.values():
            if task.bundle == bundle and task.running and task.kind != TRANSFER:
                task.running = False
                task.story.note(record.t_ms, "stopped", f"app terminated: {reason}")
                task.story.state = "PENDING" if task.pending else "NOT_PENDING"
        if reason.startswith(_FORCE_QUIT):
            self._ios.force_quit[bundle] = True
        self._app_lane(bundle, record.t_ms, "force-quit" if reason.startswith(_FORCE_QUIT) else "")

    def _on_cancel(self, record: TraceRecord) -> None:
        bundle = text_of(record.get("bundle_id"))
        identifier = record.get("identifier")
        for key, task in self._tasks.items():
            if task.kind == TRANSFER:
                continue  # BGTaskScheduler's cancel: not the system's transfers
            if task.bundle == bundle and (identifier is None or key == f"{bundle}/{identifier}"):
                if task.pending:
                    task.story.note(record.t_ms, "cancelled", "cancelled by the app")
                task.pending = False
                task.refused = None
                task.story.state = "RUNNING" if task.running else "NOT_PENDING"

    def _on_throttled(self, record: TraceRecord) -> None:
        until = record.get("until_ms")
        if record.get("task_kind") == "app_refresh" and isinstance(until, int):
            self._ios.throttled_until[text_of(record.get("bundle_id"))] = until

    def _on_app(self, record: TraceRecord) -> None:
        bundle = text_of(record.get("bundle_id"))
        state = text_of(record.get("state"))
        self._ios.foreground[bundle] = state == "foreground"
        if state == "foreground" and text_of(record.get("reason")) == "user opened the app":
            self._ios.force_quit[bundle] = False
        if state == "not_running" and self._ios.force_quit.get(bundle):
            state = "force-quit"
        self._app_lane(bundle, record.t_ms, state)

    def _app_lane(self, bundle: str, t_ms: int, state: str) -> None:
        if state:
            self._ios_apps.setdefault(bundle, StateSpans()).set(t_ms, state)

    def _on_setting(self, record: TraceRecord) -> None:
        setting = record.get("setting")
        value = record.get("value") is True
        state = self._ios
        if setting == "low_power_mode":
            state.low_power = value
        elif setting == "first_unlocked":
            state.first_unlocked = value
        elif setting == "background_app_refresh":
            bundle = record.get("bundle_id")
            if bundle is None:
                state.refresh_global = value
            else:
                state.refresh_app[str(bundle)] = value

    def _on_ios_screen(self, record: TraceRecord) -> None:
        self._ios.screen_on = record.get("on") is True

    def _on_ios_boot(self, record: TraceRecord) -> None:
        event = record.get("event")
        if event in ("shutdown", "no_charge"):
            self._ios.device_on = False
        elif event == "boot_completed":
            self._ios.device_on = True

    def ios_lanes(self, end_ms: int, max_apps: int) -> list[Lane]:
        """iOS's switches and each app's state (the first ``max_apps`` apps)."""
        if not self._ios_seen:
            return []
        lanes = [self._ios_lane.lane("iOS background launches", "iOS", end_ms)]
        for bundle, spans in list(self._ios_apps.items())[:max_apps]:
            lanes.append(spans.lane(f"app {bundle}", "iOS app", end_ms))
        return lanes


_HANDLERS: Final = {
    "ios.submit": IOSFolding._on_submit,
    "ios.launch": IOSFolding._on_launch,
    "ios.expired": IOSFolding._on_expired,
    "ios.completed": IOSFolding._on_completed,
    "ios.terminated": IOSFolding._on_terminated,
    "ios.cancel": IOSFolding._on_cancel,
    "ios.throttled": IOSFolding._on_throttled,
    "ios.app": IOSFolding._on_app,
    "ios.setting": IOSFolding._on_setting,
    "ios.transfer": on_transfer,
    "ios.continued": on_continued,
    "device.screen": IOSFolding._on_ios_screen,
    "device.boot": IOSFolding._on_ios_boot,
}
