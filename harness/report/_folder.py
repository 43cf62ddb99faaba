"""``RunFolder``: one run's trace folded, in one pass, into a :class:`RunPicture`: device
lanes, markers (kills, reboots, force-stops, server faults), HTTP requests and the app's
failures here, each work's story in :class:`WorkFolding`, each iOS task's and iOS's lanes in
:class:`IOSFolding`.

The fold reads each record once (a streamed trace is never held whole) and keeps small facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from harness.report._iosfold import DEVICE_KINDS, IOSFolding
from harness.report._runview import (
    MAX_PACKAGES,
    MAX_SPANS,
    Failure,
    Marker,
    MarkerKind,
    Request,
    RunPicture,
)
from harness.report._workfold import StateSpans, WorkFolding, frame_of, text_of
from harness.sim import TraceRecord


class RunFolder(WorkFolding, IOSFolding):
    """Folds trace records into a :class:`RunPicture` (:meth:`feed`, then :meth:`picture`)."""

    def __init__(self) -> None:
        WorkFolding.__init__(self)
        IOSFolding.__init__(self)
        self._battery: list[tuple[int, float]] = []
        self._charging = StateSpans()
        self._saver = StateSpans()
        self._screen = StateSpans()
        self._network = StateSpans()
        #: the network lane's text before the link: transport and its flags, and the transport
        self._network_text = ("NONE", "NONE")
        #: each transport's link quality, as ``device.network.link`` last set it
        self._links: dict[str, str] = {}
        self._doze = StateSpans()
        self._light = StateSpans()
        self._standby: dict[str, StateSpans] = {}
        self._process: dict[str, StateSpans] = {}
        self._markers: list[Marker] = []
        self._requests: list[Request] = []
        self._requests_dropped = 0
        self._failures: list[Failure] = []
        self._handlers: dict[str, Callable[[TraceRecord], None]] = {
            "device.battery": self._on_battery,
            "device.power": self._on_power,
            "device.screen": self._on_screen,
            "device.network": self._on_network,
            "device.network.link": self._on_link,
            "device.doze": self._on_doze,
            "device.light_doze": self._on_light_doze,
            "device.standby": self._on_standby,
            "device.process": self._on_process,
            "device.boot": self._on_boot,
            "backend.outage": self._on_server_fault,
            "backend.rate_limit": self._on_server_fault,
            "backend.tokens_expired": self._on_server_fault,
            "http.unmatched": self._on_server_fault,
            "http.request": self._on_request,
            "job.deferred": self._on_job_deferred,
            "job.started": self._on_job,
            "job.scheduled": self._on_job,
            "job.stopped": self._on_job,
            "work.not_enqueued": self._on_not_enqueued,
            "work.failed": self._on_failure,
            "app.crash": self._on_failure,
            "flutter.task_error": self._on_failure,
            "sim.task_error": self._on_failure,
            "run.error": self._on_failure,
        }

    def feed(self, record: TraceRecord) -> None:
        """Take one record into account."""
        kind = record.kind
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(record)
        elif kind.startswith("work."):
            self._on_work(record)
        if kind.startswith("ios.") or kind in DEVICE_KINDS:
            self._on_ios(record)

    @classmethod
    def of(cls, records: Iterable[TraceRecord], duration_ms: int) -> RunPicture:
        """The picture of records already written."""
        folder = cls()
        for record in records:
            folder.feed(record)
        return folder.picture(duration_ms)

    # device lanes -----------------------------------------------------------------------

    def _on_battery(self, record: TraceRecord) -> None:
        level = record.get("level")
        if isinstance(level, int | float) and len(self._battery) < MAX_SPANS:
            self._battery.append((record.t_ms, float(level)))

    def _on_power(self, record: TraceRecord) -> None:
        if record.get("event") == "battery_saver" or record.get("battery_saver") is not None:
            saver = record.get("battery_saver")
            self._saver.set(record.t_ms, "on" if saver else "off")
        plugged = record.get("plugged")
        if plugged is not None:
            self._charging.set(record.t_ms, str(plugged).upper())

    def _on_screen(self, record: TraceRecord) -> None:
        on = record.get("on")
        locked = " locked" if record.get("locked") else ""
        self._screen.set(record.t_ms, f"on{locked}" if on else "off")

    def _on_network(self, record: TraceRecord) -> None:
        transport = str(record.get("transport") or record.get("type") or "NONE").upper()
        quality = []
        if transport != "NONE":
            quality.append("metered" if record.get("metered") else "unmetered")
            if record.get("validated") is False:
                quality.append("not validated")
            if record.get("roaming"):
                quality.append("roaming")
        self._network_text = (" ".join([transport, *quality]), transport)
        self._set_network(record.t_ms)

    def _on_link(self, record: TraceRecord) -> None:
        down = int(record.get("down_bytes_per_s") or 0)
        loss = float(record.get("loss") or 0.0)
        self._links[str(record.get("transport", "")).upper()] = (
            f"link {record.get('latency_ms')} ms, {down // 1000} KB/s down"
            + (f", {loss:.0%} loss" if loss else "")
        )
        self._set_network(record.t_ms)

    def _set_network(self, t_ms: int) -> None:
        text, transport = self._network_text
        link = self._links.get(transport)
        self._network.set(t_ms, f"{text} · {link}" if link else text)

    def _on_doze(self, record: TraceRecord) -> None:
        self._doze.set(record.t_ms, str(record.get("state", "")).upper())

    def _on_light_doze(self, record: TraceRecord) -> None:
        self._light.set(record.t_ms, str(record.get("state", "")).upper())

    def _on_standby(self, record: TraceRecord) -> None:
        package = text_of(record.get("package"))
        self._standby.setdefault(package, StateSpans()).set(
            record.t_ms, str(record.get("bucket", ""))
        )

    def _on_process(self, record: TraceRecord) -> None:
        event = record.get("event")
        package = text_of(record.get("package"))
        if event == "state":
            self._process.setdefault(package, StateSpans()).set(
                record.t_ms, str(record.get("state", ""))
            )
        elif event == "died":
            self._process.setdefault(package, StateSpans()).set(record.t_ms, "dead")
            reason = text_of(record.get("reason"))
            self._mark(record.t_ms, MarkerKind.KILL, f"{package} died ({reason})")
        elif event == "force_stopped":
            self._mark(record.t_ms, MarkerKind.FORCE_STOP, f"{package} force-stopped")

    def _on_boot(self, record: TraceRecord) -> None:
        event = record.get("event")
        if event in ("shutdown", "no_charge"):
            reason = text_of(record.get("reason")) or text_of(event)
            what = "reboot" if record.get("reboot") else "shutdown"
            self._mark(record.t_ms, MarkerKind.REBOOT, f"{what} ({reason})")
        elif event == "boot_completed" and (record.get("boot_count") or 1) > 1:
            self._mark(record.t_ms, MarkerKind.REBOOT, "boot completed")

    def _on_server_fault(self, record: TraceRecord) -> None:
        if record.kind == "http.unmatched":
            text = f"no route for {record.get('method')} {record.get('url')}"
        elif record.kind == "backend.tokens_expired":
            text = f"tokens expired at {record.get('origin')}"
        else:
            text = text_of(record.get("action")) or record.kind
        self._mark(record.t_ms, MarkerKind.SERVER_FAULT, text)

    def _mark(self, t_ms: int, kind: MarkerKind, text: str) -> None:
        if len(self._markers) < MAX_SPANS:
            self._markers.append(Marker(t_ms, kind, text))

    def _on_request(self, record: TraceRecord) -> None:
        if len(self._requests) >= MAX_SPANS:
            self._requests_dropped += 1
            return
        status = record.get("status")
        duration = record.get("duration_ms")
        error = record.get("error")
        fault = record.get("fault")
        self._requests.append(
            Request(
                record.t_ms,
                text_of(record.get("method")),
                text_of(record.get("url")),
                status if isinstance(status, int) else None,
                None if error is None else str(error),
                duration if isinstance(duration, int) else None,
                None if fault is None else str(fault),
            )
        )

    # failures ------------------------------------------------------------------------------

    def _on_failure(self, record: TraceRecord) -> None:
        if record.kind == "work.failed":
            self._on_work(record)
        traceback = text_of(record.get("traceback"))
        file, line = record.get("file"), record.get("line")
        if not isinstance(file, str) or not isinstance(line, int):
            file, line = frame_of(traceback)
        failed_at = record.get("failed_at_ms")
        work_id = record.get("id") or record.get("work_id")
        self._failures.append(
            Failure(
                failed_at if isinstance(failed_at, int) else record.t_ms,
                record.kind,
                text_of(record.get("error")),
                work_id if isinstance(work_id, str) else None,
                file,
                line,
                traceback,
            )
        )

    def picture(self, duration_ms: int) -> RunPicture:
        """The folded run, its open spans closed at ``duration_ms``."""
        for story in self._works.values():
            story.finish(duration_ms)
        lanes = [
            self._charging.lane("charging", "charging", duration_ms),
            self._saver.lane("battery saver", "saver", duration_ms),
            self._screen.lane("screen", "screen", duration_ms),
            self._network.lane("network", "network", duration_ms),
            self._doze.lane("doze (deep)", "doze", duration_ms),
            self._light.lane("doze (light)", "doze", duration_ms),
        ]
        packages = list(self._packages) + [p for p in self._process if p not in self._packages]
        for package in packages[:MAX_PACKAGES]:
            if package in self._standby:
                lanes.append(
                    self._standby[package].lane(f"standby {package}", "standby", duration_ms)
                )
            if package in self._process:
                lanes.append(
                    self._process[package].lane(f"process {package}", "process", duration_ms)
                )
        lanes.extend(self.ios_lanes(duration_ms, MAX_PACKAGES))
        return RunPicture(
            duration_ms=duration_ms,
            battery=tuple(self._battery),
            lanes=tuple(lane for lane in lanes if lane.spans),
            markers=tuple(self._markers),
            works=tuple(story for story in self._works.values() if story.worker or story.events),
            requests=tuple(self._requests),
            requests_dropped=self._requests_dropped,
            decisions=tuple(self._decisions),
            failures=tuple(self._failures),
        )
