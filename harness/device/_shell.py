"""``ShellCommands``: the adb shell command table, extensible from higher layers.

A command string is split like a shell would (``shlex``), a leading ``adb [-s SERIAL] shell`` is
dropped, and the longest registered prefix of words picks the handler, which gets the remaining
words and returns what the phone prints. Higher layers add their own services without this
package knowing them::

    device.shell_commands.register("cmd jobscheduler", handler, usage="cmd jobscheduler ...")

A handler signals a failing command (what a phone prints with a non-zero exit) by raising
:class:`~harness._exceptions.ShellCommandError` with that text.

A command no handler takes fails with what a phone prints for it where the phone would not know
it either: ``/system/bin/sh: X: inaccessible or not found`` for a program that is not on the
phone's ``PATH`` (mksh), ``Can't find service: X`` for ``dumpsys X`` and ``cmd: Can't find
service: X`` for ``cmd X`` when no such binder service exists (``cmds/dumpsys/dumpsys.cpp``,
``cmds/cmd/cmd.cpp``). A program or service that exists on a phone but is not simulated fails
with a message that says so and lists the supported commands.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

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


#: Programs on a phone's ``PATH`` (``/system/bin``: toybox, the framework's command wrappers)
#: and mksh's builtins: a command starting with another word is "inaccessible or not found".
PHONE_PROGRAMS: Final = frozenset(
    """
    am app_process appops atrace awk base64 basename bc blockdev bmgr bu cal cat chcon chgrp
    chmod chown chroot cksum clear cmd cmp comm content cp cpio cut date dd device_config df
    diff dirname dmesg dpm du dumpstate dumpsys echo egrep env expr false fgrep file find free
    getenforce getevent getprop grep gunzip gzip head hostname id ifconfig ime input ip
    iptables kill killall ln locksettings log logcat ls lsof md5sum microcom mkdir mknod mktemp
    monkey more mount mv nc netstat nice nohup nproc od paste perfetto pgrep pidof ping ping6
    pkill pm pmap printenv printf ps pwd readlink realpath reboot renice requestsync rm rmdir
    run-as screencap screenrecord sed sendevent seq service setprop settings sh sha1sum
    sha256sum simpleperf sleep sm sort start stat stop strings svc sync sysctl tail tar tee
    telecom test time timeout toolbox top touch toybox tr true truncate tty uiautomator umount
    uname uniq unzip uptime usleep vmstat watch wc which whoami wm xargs xxd yes zcat alias bg
    cd exec exit export fg jobs read set source type ulimit umask unset wait
    """.split()  # noqa: SIM905 (a word list reads better than 200 quoted strings)
)

#: Binder services a phone registers (``service list``): ``dumpsys``/``cmd`` of another name
#: prints "Can't find service".
PHONE_SERVICES: Final = frozenset(
    """
    SurfaceFlinger account activity activity_task adb alarm app_hibernation appops appwidget
    audio autofill backup battery batteryproperties batterystats blob_store bluetooth_manager
    carrier_config clipboard companiondevice connectivity connmetrics content country_detector
    cpuinfo dbinfo device_config device_policy deviceidle devicestoragemonitor diskstats
    display dropbox gfxinfo graphicsstats imms input input_method ipsec isub jobscheduler
    launcherapps location lock_settings media_session meminfo midi mount netd netpolicy
    netstats network_management notification overlay package permission phone power procstats
    role rollback search sensorservice settings shortcut statusbar storagestats telecom
    telephony.registry thermalservice uimode usagestats usb user vibrator voiceinteraction
    wallpaper webviewupdate wifi wifiscanner window
    """.split()  # noqa: SIM905 (a word list reads better than 200 quoted strings)
)


def _not_found(words: list[str]) -> str | None:
    """What a phone prints for ``words`` when it has no such program or service (else None)."""
    if not words:
        return None
    program = words[0]
    service = words[1] if len(words) > 1 else None
    if program == "dumpsys" and service is not None and not service.startswith("-"):
        # cmds/dumpsys/dumpsys.cpp: aerr << "Can't find service: " << service_name
        return None if service in PHONE_SERVICES else f"Can't find service: {service}"
    if program == "cmd" and service is not None and not service.startswith("-"):
        # cmds/cmd/cmd.cpp: errorLog << "cmd: Can't find service: " << cmd
        return None if service in PHONE_SERVICES else f"cmd: Can't find service: {service}"
    if program.rsplit("/", 1)[-1] not in PHONE_PROGRAMS:
        return f"/system/bin/sh: {program}: inaccessible or not found"  # mksh: exit 127
    return None


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
        words = split_command(command)
        found = self._lookup(words)
        if found is not None:
            entry, arguments = found
            return entry.handler(arguments)
        phone_error = _not_found(words)
        if phone_error is not None:
            raise ShellCommandError(phone_error)
        raise ShellCommandError(
            f"adb shell command {command!r} is not supported by the simulated device; "
            f"supported: {'; '.join(self.supported())}"
        )


def expect(words: Sequence[str], count: int, usage: str) -> None:
    """Raise :class:`ShellCommandError` with ``usage`` unless there are ``count`` words."""
    if len(words) != count:
        raise ShellCommandError(f"usage: {usage} (got {' '.join(words) or 'no arguments'})")
