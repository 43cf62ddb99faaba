"""``ShellCommands``: the adb shell command table, extensible from higher layers.

A command string is split like a shell would (``shlex``), a leading ``adb [-s SERIAL] shell`` is
dropped, and the longest registered prefix of words picks the handler, which gets the remaining
words and returns what the phone prints. Higher layers add their own services without this
package knowing them::

    device.shell_commands.register("cmd jobscheduler", handler, usage="cmd jobscheduler ...")

A handler signals a failing command (what a phone prints with a non-zero exit) by raising
:class:`~harness._exceptions.ShellCommandError` with that text.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness._exceptions import DefinitionError, ShellCommandError

#: A command handler: the words after its prefix in, what the phone prints out.
ShellHandler = Callable[[list[str]], str]


@dataclass(frozen=True, slots=True)
class _Entry:
    handler: ShellHandler
    usage: str


def split_command(command: str) -> list[str]:
    """Split an adb shell command into words, dropping ``adb [-s SERIAL] shell``."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise ShellCommandError(
            f"adb shell command {command!r} cannot be parsed ({error}); check its quotes"
        ) from None
    if words[:1] == ["adb"]:
        words = words[1:]
        while words[:1] in (["-s"], ["-t"]) and len(words) >= 2:
            words = words[2:]
        while words[:1] in (["-d"], ["-e"]):
            words = words[1:]
        if words[:1] != ["shell"]:
            raise ShellCommandError(
                f"command {command!r} is not an adb shell command; write 'adb shell CMD' or CMD"
            )
    if words[:1] == ["shell"]:
        words = words[1:]
    return words


class ShellCommands:
    """Prefix -> handler table of the device's adb shell."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], _Entry] = {}

    def register(
        self, prefix: str, handler: ShellHandler, *, usage: str | None = None, replace: bool = False
    ) -> None:
        """Handle commands starting with the words of ``prefix`` (e.g. ``"cmd jobscheduler"``)."""
        key = tuple(prefix.split())
        if not key:
            raise DefinitionError("a shell command prefix needs at least one word")
        if key in self._entries and not replace:
            raise DefinitionError(
                f"shell command {prefix!r} is already registered; pass replace=True to replace it"
            )
        self._entries[key] = _Entry(handler, usage or prefix)

    def unregister(self, prefix: str) -> None:
        """Forget the handler of ``prefix`` (no error if none)."""
        self._entries.pop(tuple(prefix.split()), None)

    def supported(self) -> list[str]:
        """Usage lines of every supported command, sorted."""
        return sorted(entry.usage for entry in self._entries.values())

    def _lookup(self, words: list[str]) -> tuple[_Entry, list[str]] | None:
        """The handler of the longest registered prefix of ``words``, and the words after it."""
        for length in range(len(words), 0, -1):
            entry = self._entries.get(tuple(words[:length]))
            if entry is not None:
                return entry, words[length:]
        return None

    def handles(self, command: str) -> bool:
        """Whether a handler takes ``command`` (its arguments are checked only when it runs);
        :class:`ShellCommandError` if it is not an adb shell command at all."""
        return self._lookup(split_command(command)) is not None

    def run(self, command: str) -> str:
        """Run ``command``; :class:`ShellCommandError` when no handler takes it."""
        found = self._lookup(split_command(command))
        if found is not None:
            entry, arguments = found
            return entry.handler(arguments)
        raise ShellCommandError(
            f"adb shell command {command!r} is not supported by the simulated device; "
            f"supported: {'; '.join(self.supported())}"
        )


def expect(words: Sequence[str], count: int, usage: str) -> None:
    """Raise :class:`ShellCommandError` with ``usage`` unless there are ``count`` words."""
    if len(words) != count:
        raise ShellCommandError(f"usage: {usage} (got {' '.join(words) or 'no arguments'})")
