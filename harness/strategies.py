"""Hypothesis strategies for property tests of sync logic: device timelines and server faults.

They draw plain scenario data (the same shapes a YAML file holds), so a failing example shrinks
to the fewest events and can be written out as a scenario file that replays it::

    @given(timeline=timelines(days=7), faults=server_faults())
    def test_outbox_never_loses_or_duplicates_an_edit(timeline, faults):
        run = outbox.replace(timeline=timeline, backend={**base, "faults": faults}).run(seed=0)
        ...
"""

from __future__ import annotations

from typing import Any, Final

from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_MINUTE, format_duration_ms

__all__ = ["DEVICE_EVENTS", "server_faults", "timelines"]

#: Device events a drawn timeline may contain (adb shell strings and user actions).
DEVICE_EVENTS: Final = (
    "adb shell svc wifi disable",
    "adb shell svc wifi enable",
    "adb shell svc data disable",
    "adb shell svc data enable",
    "adb shell cmd connectivity airplane-mode enable",
    "adb shell cmd connectivity airplane-mode disable",
    "adb shell dumpsys battery unplug",
    "adb shell dumpsys battery set ac 1",
    "adb shell dumpsys battery set level 14",
    "adb shell dumpsys battery reset",
    "adb shell input keyevent KEYCODE_POWER",
    "adb shell dumpsys deviceidle force-idle",
    "adb shell dumpsys deviceidle unforce",
    "open app",
    "leave app",
    "swipe away",
    "kill app",
    "force-stop",
    "reboot",
)


def _at(t_ms: int) -> str:
    return format_duration_ms(t_ms) if t_ms else "0s"


@st.composite
def timelines(
    draw: st.DrawFn,
    *,
    days: int = 7,
    max_events: int = 30,
    events: tuple[str, ...] = DEVICE_EVENTS,
    app_actions: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """A timeline: ``open app`` at 0 s, then up to ``max_events`` events in time order.

    Times are whole minutes inside ``days``; ``app_actions`` (e.g. ``"app edit"``) are mixed in
    with the device events. Shrinks towards fewer, earlier events.
    """
    choices = events + app_actions
    count = draw(st.integers(min_value=0, max_value=max_events))
    minutes = draw(
        st.lists(
            st.integers(min_value=1, max_value=days * MS_PER_DAY // MS_PER_MINUTE - 1),
            min_size=count,
            max_size=count,
        )
    )
    chosen = draw(st.lists(st.sampled_from(choices), min_size=count, max_size=count))
    timeline: list[dict[str, Any]] = [{"at": "0s", "do": "open app"}]
    for minute, action in sorted(zip(minutes, chosen, strict=True)):
        timeline.append({"at": _at(minute * MS_PER_MINUTE), "do": action})
    return timeline


@st.composite
def server_faults(
    draw: st.DrawFn, *, days: int = 7, max_faults: int = 4, origin: str | None = None
) -> list[dict[str, Any]]:
    """Scheduled server faults: outages of every kind and rate limits, inside ``days``."""
    count = draw(st.integers(min_value=0, max_value=max_faults))
    faults: list[dict[str, Any]] = []
    for _ in range(count):
        start = draw(st.integers(min_value=0, max_value=days * MS_PER_DAY // MS_PER_MINUTE - 1))
        length = draw(st.integers(min_value=1, max_value=6 * 60))
        fault: dict[str, Any] = {
            "at": _at(start * MS_PER_MINUTE),
            "for": format_duration_ms(length * MS_PER_MINUTE),
        }
        if origin is not None:
            fault["origin"] = origin
        if draw(st.booleans()):
            fault["outage"] = {
                "kind": draw(st.sampled_from(("error", "timeout", "slow", "malformed", "reset")))
            }
        else:
            fault["rate_limit"] = {
                "per_minute": draw(st.integers(min_value=1, max_value=10)),
                "retry_after": f"{draw(st.integers(min_value=1, max_value=600))}s",
            }
        faults.append(fault)
    return faults
