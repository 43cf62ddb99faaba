"""Timeline action grammar (harness/scenario/_actions.py)."""

from __future__ import annotations

import pytest

from harness._exceptions import ActionError
from harness.scenario._actions import parse_action


@pytest.mark.parametrize(
    ("text", "name", "count"),
    [
        ("set storage free 3%", "percent", 3),
        ("set storage free 300 MB", "bytes", 300_000_000),
        ("set storage free 400MiB", "bytes", 400 * 2**20),
        ("set storage free 1 GB", "bytes", 10**9),
    ],
)
def test_storage_free_as_a_share_or_an_amount(text: str, name: str, count: int) -> None:
    """Free space as a percentage of the disk or as bytes (decimal or binary units)."""
    action = parse_action(text)
    assert (action.kind, action.name, action.count) == ("storage_free", name, count)


def test_storage_free_above_100_percent_is_refused() -> None:
    with pytest.raises(ActionError, match=r"free space is at most 100 %"):
        parse_action("set storage free 150%")


def test_unknown_action_lists_every_form_with_its_brackets() -> None:
    """The allowed forms keep their optional parts ([KIND], [at ORIGIN], [ac|usb|wireless])."""
    with pytest.raises(ActionError) as info:
        parse_action("frob app")
    message = str(info.value)
    for form in (
        "[KIND [DELAY]] [at ORIGIN]",
        "'plug in [ac|usb|wireless]'",
        "'set storage free N% | N MB'",
    ):
        assert form in message


def test_a_slow_outage_takes_its_delay() -> None:
    """'server outage 30m slow 5s': answers take 5 s (shorter than a client's timeout)."""
    action = parse_action("server outage 30m slow 5s at https://api.example.com")
    assert (action.name, action.count, action.args, action.url) == (
        "slow",
        1_800_000,
        ("5000",),
        "https://api.example.com",
    )
    assert parse_action("server outage 30m slow").args == ()
    with pytest.raises(ActionError, match=r"a delay goes with 'slow' or 'timeout'"):
        parse_action("server outage 30m error 5s")
