"""No real I/O from app code: sockets, DNS, subprocesses, threads and file writes raise.

The simulated phone has no real network, no shell and no real threads: everything app code
reaches goes through the harness (``harness.app.http``, app storage, workers). A Python audit hook
(``sys.addaudithook``, :pep:`578`) sees the calls that would leave the simulation and refuses
them with :class:`~harness.sim.RealIOError`, which app code sees as the failure of the task that
made the call (recorded, ``no_crashes`` fails). New threads are refused by a wrapper around
``_thread.start_new_thread``, which ``threading.Thread.start`` calls (Python 3.11 has no audit
event for it).

An audit hook cannot be removed, so the hook is installed once per process and does nothing
unless all of these hold: a simulation is started, the current context runs app code (an app
instance is current: ``main()``, a worker, an app action) and the nearest caller that is not
standard-library or third-party code is user code, not harness's own (harness's lockstep thread
for blocking workers, its sqlite storage, its traceback records stay allowed).

File access: app code may read files (its own modules and the data shipped with them); creating,
writing, deleting or renaming a file is refused, because an app's storage on the simulated phone
is the harness's app storage (``SharedPreferences``, ``Hive``, ``open_database``), which survives
kills and is wiped by ``clear data`` as on a phone.
"""

from __future__ import annotations

import _thread
import os
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

from harness.app._context import _CURRENT
from harness.app._imports import harness_directory, is_library_file
from harness.sim import RealIOError, Simulation

_NETWORK: Final = "the simulated phone has no real network; send HTTP through harness.app.http"
_PROCESS: Final = "the simulated phone runs no real processes"
_FILES: Final = (
    "app code may read files but not write them; keep data in app storage "
    "(SharedPreferences, Hive, open_database), which survives kills as on a phone"
)

#: audit event -> (what the call is, the way out)
_REFUSED: Final[dict[str, tuple[str, str]]] = {
    "socket.__new__": ("a socket", _NETWORK),
    "socket.connect": ("a socket connect", _NETWORK),
    "socket.bind": ("a socket bind", _NETWORK),
    "socket.sendto": ("a socket send", _NETWORK),
    "socket.getaddrinfo": ("getaddrinfo (DNS)", _NETWORK),
    "socket.gethostbyname": ("gethostbyname (DNS)", _NETWORK),
    "socket.gethostbyaddr": ("gethostbyaddr (DNS)", _NETWORK),
    "socket.getnameinfo": ("getnameinfo (DNS)", _NETWORK),
    "urllib.Request": ("urllib.request.urlopen", _NETWORK),
    "http.client.connect": ("http.client", _NETWORK),
    "subprocess.Popen": ("a subprocess", _PROCESS),
    "os.system": ("os.system", _PROCESS),
    "os.exec": ("os.exec*", _PROCESS),
    "os.posix_spawn": ("os.posix_spawn", _PROCESS),
    "os.fork": ("os.fork (and os.spawn*)", _PROCESS),
    "os.forkpty": ("os.forkpty", _PROCESS),
    "os.kill": ("os.kill", _PROCESS),
    "os.killpg": ("os.killpg", _PROCESS),
    "open": ("writing a file", _FILES),
    "os.remove": ("deleting a file", _FILES),
    "os.rename": ("renaming a file", _FILES),
    "os.mkdir": ("making a directory", _FILES),
    "os.rmdir": ("removing a directory", _FILES),
    "os.truncate": ("truncating a file", _FILES),
    "shutil.rmtree": ("removing a directory tree", _FILES),
}

_WRITE_MODE_CHARACTERS: Final = frozenset("wax+")
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _writes(args: tuple[Any, ...]) -> bool:
    """Whether an ``open`` audit event (path, mode, flags) opens a file for writing."""
    path, mode, flags = (*args, None, None, None)[:3]
    if isinstance(path, int):
        return False  # wraps a descriptor already open
    if isinstance(mode, str):
        return not _WRITE_MODE_CHARACTERS.isdisjoint(mode)
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _app_code_called() -> bool:
    """Whether the nearest caller outside the stdlib and third-party packages is user code
    (harness's own code may do what app code may not, e.g. start its lockstep thread)."""
    harness = harness_directory()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(harness):
            return False
        if not is_library_file(filename):
            return True
        frame = frame.f_back
    return False


def _guarded() -> bool:
    return _CURRENT.get() is not None and Simulation.active() is not None and _app_code_called()


def _refuse(what: str, way_out: str) -> RealIOError:
    simulation = Simulation.active()
    return RealIOError(
        f"app code tried {what}, which would do real I/O outside the simulation; {way_out}",
        t_ms=simulation.now_ms if simulation is not None else 0,
    )


def _audit(event: str, args: tuple[Any, ...]) -> None:
    refused = _REFUSED.get(event)
    if refused is None or (event == "open" and not _writes(args)) or not _guarded():
        return
    raise _refuse(*refused)


_real_start_new_thread: Callable[..., int] | None = None


def _start_new_thread(function: Callable[..., Any], args: tuple[Any, ...], *rest: Any) -> int:
    """``threading``'s thread start, refused for app code during a simulation."""
    if _guarded():
        raise _refuse(
            "to start a real thread",
            "run blocking work in a Worker (it runs in lockstep with virtual time) or use "
            "asyncio tasks",
        )
    assert _real_start_new_thread is not None
    return _real_start_new_thread(function, args, *rest)


_installed = False


def install_guard() -> None:
    """Install the audit hook and the thread-start wrapper in this process (once)."""
    global _installed, _real_start_new_thread
    if _installed:
        return
    _installed = True
    sys.addaudithook(_audit)
    _real_start_new_thread = _thread.start_new_thread
    threading._start_new_thread = _start_new_thread  # type: ignore[attr-defined]
    _thread.start_new_thread = _start_new_thread
    _thread.start_new = _start_new_thread
