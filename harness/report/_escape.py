"""Untrusted text made safe for each output: XML 1.0, Markdown, the terminal, report links.

Scenario names, paths, check messages, exception text and every string in an edited
``summary.json`` are data, never markup: each writer passes them through the function for its
format here, so a name holding ``ESC[31m``, NUL, ``<script>`` or ``javascript:`` shows as text.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Final
from urllib.parse import quote

#: Characters XML 1.0 forbids (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
#: newline and carriage return, lone surrogates, U+FFFE and U+FFFF. (Written as those ranges, not
#: as the complement of the allowed ones, whose compiling took 5 ms of every command's start.)
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: What a terminal may act on: C0 controls (ESC starts colour, cursor and title sequences), DEL,
#: C1 controls (U+009B is a one-byte CSI), lone surrogates and the bidirectional overrides that
#: reorder what is shown.
_NOT_PRINTABLE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)

#: Markdown punctuation that starts emphasis, code, links and images (``[``; ``(`` and ``!``
#: need it), headings or table cells (CommonMark 0.31 "Backslash escapes", GFM tables and
#: strikethrough); ``&``, ``<`` and ``>`` (raw HTML, autolinks) become entities instead.
_MARKDOWN_PUNCTUATION: Final = re.compile(r"([\\`*_\[\]|~#])")


def _visible(match: re.Match[str]) -> str:
    """A control character as the escape a reader recognises (``\\x1b``, ``\\u202e``)."""
    return repr(match.group())[1:-1]


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids written as a visible ``\\xNN`` escape."""
    return _NOT_XML.sub(_visible, text)


def printable(text: str) -> str:
    """``text`` with terminal control characters written as visible escapes (``\\x1b[31m``).

    Tabs and newlines stay; every other C0 or C1 control, DEL, a lone surrogate or a bidi
    override becomes its Python escape, so it is shown and never acted on.
    """
    return _NOT_PRINTABLE.sub(_visible, text)


def printable_same_length(text: str) -> str:
    """Like :func:`printable`, but each control becomes one character (a Control Picture such
    as U+241B for ESC, else U+FFFD), so styled spans over ``text`` keep their offsets."""

    def picture(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code < 0x20:
            return chr(0x2400 + code)
        return "\u2421" if code == 0x7F else "\ufffd"

    return _NOT_PRINTABLE.sub(picture, text)


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline text: one line, no HTML, links, emphasis or tables."""
    flat = " ".join(printable(text).splitlines())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def _verbatim_safe(text: str) -> bool:
    """Whether ``text`` can stand in a code span or block as it is: one line, printable, and no
    character that is markup anywhere else (``<``, ``>``, ``&``, a backtick) or ends a table
    cell even inside a code span (``|``, GFM tables)."""
    return text == printable(text) and not any(char in text for char in "<>&`|\n\r")


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span, or as escaped text when it holds markup characters (a
    code span would keep ``<script>`` verbatim in the file for any tool that reads it raw)."""
    return f"`{text}`" if _verbatim_safe(text) else markdown_text(text)


def markdown_block(text: str) -> list[str]:
    """``text`` as the lines of a fenced code block, or one escaped line (see markdown_code)."""
    return ["```", text, "```"] if _verbatim_safe(text) else [markdown_text(text)]


def report_link(path: str | None) -> str | None:
    """The href for a file of the report directory, or None when ``path`` is not one.

    Reports link only to relative paths inside their own directory: a path with a scheme
    (``javascript:``, ``https:``), an absolute or drive path, a ``..`` segment, a backslash or
    a control character gives no link. The path is percent-encoded for use in ``href``.
    """
    if not isinstance(path, str) or not path or path != printable(path):
        return None
    if "\\" in path or ":" in path or path.startswith(("/", "#", "?")):
        return None
    parts = PurePosixPath(path).parts
    if ".." in parts:
        return None
    return quote(path, safe="/-_.~")
