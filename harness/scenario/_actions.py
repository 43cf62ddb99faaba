"""Timeline actions: what a scenario's ``do:`` and ``then:`` strings may say.

Parsed when the scenario loads (so a typo fails before anything runs) into an :class:`Action`;
the runner carries them out on the device, the apps and the servers. Forms:

==================================  ===============================================================
``open app [PKG]``                  the user opens the app (process starts, ``main()`` runs)
``leave app [PKG]``                 the user goes home: the app is in the background
``swipe away [PKG]``                the user swipes the app from recents
``force-stop [PKG]``                ``am force-stop``: stopped until the next launch
``kill app [PKG]``                  a low-memory kill (``am kill``): work survives
``clear data [PKG]``                ``pm clear``: the app's data is wiped
``reboot``                          the device reboots
``adb shell CMD``                   any supported adb shell command, e.g. ``svc wifi disable``
``app NAME [ARG...]``               call the app module's ``ACTIONS[NAME](*ARGS)`` in the app
``server add N items to URL``       N new items appear in the resource at URL
``server update N items at URL``    N existing items change
``server expire tokens at ORIGIN``  every token of that origin's auth stops working
``server outage D [KIND [DELAY]] [at O]``  from now, for duration D, the servers fail (KIND:
                                    error, timeout, slow, malformed, reset; slow and timeout
                                    wait DELAY, 30 s by default); all servers or origin O
``server rate limit N per W for D [at O]``  from now, for D: N requests per window W, then 429
``plug in [ac|usb|wireless]``       a charger is connected (the battery charges)
``unplug``                          the charger is disconnected
``use phone for DURATION``          the user wakes, unlocks and uses the phone (screen on)
``wifi out of range``               the known Wi-Fi network is out of reach (a commute)
``wifi in range``                   it is back in reach
``set storage free N% | N MB``      free space becomes N % of the total, or N B/KB/MB/GB (KiB, MiB,
                                    GiB); stock Android reports storage low below min(5 %, 500 MiB)
==================================  ===============================================================

``PKG`` defaults to the scenario's only app.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Final

from harness._exceptions import ActionError
from harness._units import parse_duration

ACTION_HELP: Final = (
    "'open app', 'leave app', 'swipe away', 'force-stop', 'kill app', 'clear data', 'reboot', "
    "'adb shell CMD', 'app NAME [ARGS]', 'server add N items to URL', "
    "'server update N items at URL', 'server expire tokens at ORIGIN', "
    "'server outage DURATION [KIND [DELAY]] [at ORIGIN]', "
    "'server rate limit N per WINDOW for DURATION [at ORIGIN]', "
    "'plug in [ac|usb|wireless]', 'unplug', 'use phone for DURATION', 'wifi out of range', "
    "'wifi in range', 'set storage free N% | N MB'"
)

_USER_VERBS: Final = {
    "open app": "open_app",
    "leave app": "leave_app",
    "swipe away": "swipe_away",
    "force-stop": "force_stop",
    "force stop": "force_stop",
    "kill app": "kill_app",
    "clear data": "clear_data",
}
_SERVER_RE: Final = re.compile(
    r"^server\s+(?P<verb>add|update)\s+(?P<count>\d+)\s+items?\s+(?:to|at|in)\s+(?P<url>\S+)$"
)
_EXPIRE_RE: Final = re.compile(r"^server\s+expire\s+tokens\s+at\s+(?P<origin>\S+)$")
_OUTAGE_RE: Final = re.compile(
    r"^server\s+outage\s+(?P<duration>\S+)(?:\s+(?P<kind>error|timeout|slow|malformed|reset))?"
    r"(?:\s+(?P<delay>\d\S*))?(?:\s+at\s+(?P<origin>\S+))?$"
)
_LIMIT_RE: Final = re.compile(
    r"^server\s+rate\s+limit\s+(?P<count>\d+)\s+per\s+(?P<window>\S+)\s+for\s+(?P<duration>\S+)"
    r"(?:\s+at\s+(?P<origin>\S+))?$"
)
_PLUG_RE: Final = re.compile(r"^plug in(?:\s+(?P<charger>ac|usb|wireless|dock))?$")
_USE_RE: Final = re.compile(r"^use phone for\s+(?P<duration>\S+)$")
_STORAGE_RE: Final = re.compile(
    r"^set storage free\s+(?P<amount>\d+)\s*(?P<unit>%|b|kb|mb|gb|kib|mib|gib)$"
)
#: Bytes per unit of ``set storage free N UNIT`` (decimal as storage is sold, binary as ``df``).
_STORAGE_UNITS: Final = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}


def _duration(text: str, action: str) -> int:
    try:
        return parse_duration(text)
    except ValueError:
        raise ActionError(f"action {action!r}: {text!r} is not a duration like '30m'") from None


@dataclass(frozen=True, slots=True)
class Action:
    """A parsed timeline action: ``kind`` plus its arguments, and the text it came from."""

    kind: str
    text: str
    package: str | None = None
    command: str | None = None
    name: str | None = None
    args: tuple[str, ...] = ()
    count: int = 0
    url: str | None = None


def parse_action(text: str) -> Action:
    """Parse a ``do:``/``then:`` string; :class:`ActionError` names the allowed forms."""
    stripped = " ".join(str(text).split())
    lowered = stripped.lower()
    if lowered == "reboot" or lowered == "adb reboot":
        return Action("reboot", stripped)
    for prefix in ("adb shell ", "shell "):
        if lowered.startswith(prefix):
            command = stripped[len(prefix) :].strip()
            if not command:
                break
            return Action("shell", stripped, command=command)
    for phrase, kind in _USER_VERBS.items():
        if lowered == phrase or lowered.startswith(phrase + " "):
            rest = stripped[len(phrase) :].strip()
            if " " in rest:
                raise ActionError(f"action {text!r}: '{phrase}' takes at most a package name")
            return Action(kind, stripped, package=rest or None)
    if lowered.startswith("app "):
        try:
            parts = shlex.split(stripped[4:])
        except ValueError as error:
            raise ActionError(f"action {text!r}: {error}") from None
        if not parts:
            raise ActionError(f"action {text!r}: name the app action, e.g. 'app edit_note'")
        return Action("app", stripped, name=parts[0], args=tuple(parts[1:]))
    server = _SERVER_RE.match(stripped)
    if server:
        return Action(
            f"server_{server['verb']}", stripped, count=int(server["count"]), url=server["url"]
        )
    expire = _EXPIRE_RE.match(stripped)
    if expire:
        return Action("server_expire_tokens", stripped, url=expire["origin"])
    outage = _OUTAGE_RE.match(stripped)
    if outage:
        if outage["delay"] is not None and outage["kind"] not in ("slow", "timeout"):
            raise ActionError(
                f"action {text!r}: a delay goes with 'slow' or 'timeout', e.g. "
                "'server outage 30m slow 5s'"
            )
        delay = () if outage["delay"] is None else (str(_duration(outage["delay"], text)),)
        return Action(
            "server_outage",
            stripped,
            name=outage["kind"] or "error",
            count=_duration(outage["duration"], text),
            url=outage["origin"],
            args=delay,
        )
    limit = _LIMIT_RE.match(stripped)
    if limit:
        return Action(
            "server_rate_limit",
            stripped,
            count=_duration(limit["duration"], text),
            args=(limit["count"], str(_duration(limit["window"], text))),
            url=limit["origin"],
        )
    plug = _PLUG_RE.match(lowered)
    if plug:
        return Action("plug", stripped, name=plug["charger"] or "ac")
    if lowered == "unplug":
        return Action("unplug", stripped)
    use = _USE_RE.match(lowered)
    if use:
        try:
            count = parse_duration(use["duration"])
        except ValueError:
            raise ActionError(f"action {text!r}: {use['duration']!r} is not a duration") from None
        return Action("use_phone", stripped, count=count)
    if lowered in ("wifi out of range", "wifi in range"):
        return Action("wifi_range", stripped, name="out" if "out" in lowered else "in")
    storage = _STORAGE_RE.match(lowered)
    if storage:
        amount, unit = int(storage["amount"]), storage["unit"]
        if unit == "%":
            if amount > 100:
                raise ActionError(f"action {text!r}: free space is at most 100 %")
            return Action("storage_free", stripped, name="percent", count=amount)
        return Action("storage_free", stripped, name="bytes", count=amount * _STORAGE_UNITS[unit])
    raise ActionError(f"action {text!r} is not one of: {ACTION_HELP}")
