"""The command line's plain console prints exactly what its rich console prints off a terminal."""

from __future__ import annotations

import io
import sys

import pytest
from rich.markup import escape

from harness import cli

_NAMES = [
    "daily sync",
    "sync [beta] on a pixel",
    "ends with a backslash \\",
    "a :smile: in the name",
    "t=0:00:10 at 12:30",
    "tab\there",
    "escape \x1b[31m red",
    "bidi \u202e override",
    "✓ · ✗ — unicode",
    "",
    "[bold] an open tag",
    "[link=x] a tag with a value",
]
_LINES = [
    *(f"[green]✓[/green] {escape(name)}  3/3 seeds pass" for name in _NAMES),
    *(f"[red]✗[/red] {escape(name)}: {escape(name)}" for name in _NAMES),
    *(f"path: [bold]{escape(name)}[/bold] (app; 1h; 5 seeds)" for name in _NAMES),
    "[red]--seeds must be at least 1[/red]",
    "[blue]another colour[/blue]",
    "1 runs in 0.3 s · report: reports/2026-12-04T000000/index.html",
]


def _rich_output(text: str, markup: bool | None) -> str:
    console = cli._rich_console()
    console.file = io.StringIO()
    console.print(text, highlight=False, markup=markup)
    output = console.file.getvalue()
    assert isinstance(output, str)
    return output


@pytest.mark.parametrize("markup", [None, False])
@pytest.mark.parametrize("text", _LINES + _NAMES)
def test_plain_console_prints_what_rich_prints(
    text: str, markup: bool | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Off a terminal the plain console writes what rich writes (no colour, soft wrap)."""
    console = cli._PlainConsole()
    console.print(text, highlight=False, markup=markup)
    assert capsys.readouterr().out == _rich_output(text, markup)


def test_escape_is_rich_markup_escape() -> None:
    """The command line's own escape gives rich.markup.escape's text (it runs without rich)."""
    for name in [*_NAMES, "a\\[b]", "[x]\\", "\\\\[bold]", "[@click]", "[#fff]"]:
        assert cli._escape(name) == escape(name)


def test_console_is_plain_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off a terminal the console is plain; FORCE_COLOR (rich's switch) gives rich's."""
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    assert isinstance(cli._console(), cli._PlainConsole)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not isinstance(cli._console(), cli._PlainConsole)
