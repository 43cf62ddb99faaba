"""An app whose workers try real I/O, for the guard tests: ``app try CALL`` enqueues a worker
(sync, or async for ``async_socket``) that makes the call named ``CALL``."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

import httpx

from harness.app import current_app
from harness.workmanager import CoroutineWorker, Data, OneTimeWorkRequest, Result, Worker

PACKAGE = "com.example.realio"
#: Where the file-write call writes (the test names a path that must stay absent).
WRITE_TARGET = Path(os.environ.get("REAL_IO_WRITE_TARGET", "/nonexistent/real-io-app.txt"))
#: Where the refused calls would go: nothing listens there, and nothing may try.
NOWHERE = ("127.0.0.1", 9)


def _socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(NOWHERE)


def _thread() -> None:
    threading.Thread(target=lambda: None).start()


def _write_file() -> None:
    WRITE_TARGET.write_text("real bytes")


CALLS: dict[str, Callable[[], object]] = {
    "socket": _socket,
    "getaddrinfo": lambda: socket.getaddrinfo("localhost", 80),
    "gethostbyname": lambda: socket.gethostbyname("localhost"),
    "subprocess_run": lambda: subprocess.run(["true"], check=False),
    "os_system": lambda: os.system("true"),
    "urlopen": lambda: urllib.request.urlopen("http://127.0.0.1:9/", timeout=1),
    "httpx_client": lambda: httpx.Client().get("http://127.0.0.1:9/"),
    "thread": _thread,
    "write_file": _write_file,
    # the audit events os.fork (and so os.spawn*), os.exec* and os.posix_spawn raise, raised
    # directly: the same refusal without the risk of a real fork in the test process
    "fork_event": lambda: sys.audit("os.fork"),
    "exec_event": lambda: sys.audit("os.exec", "/bin/true", ["true"], None),
    "posix_spawn_event": lambda: sys.audit("os.posix_spawn", "/bin/true", ["true"], None),
}


class CallWorker(Worker):
    """Makes the call named by its input ``call`` (a blocking worker: its own thread)."""

    def do_work(self) -> Result:
        CALLS[str(self.input_data.get_string("call"))]()
        return Result.success()


class AsyncSocketWorker(CoroutineWorker):
    """Opens a connection with asyncio, or with a plain ``httpx.AsyncClient``."""

    async def do_work(self) -> Result:
        if self.input_data.get_string("call") == "async_httpx_client":
            async with httpx.AsyncClient() as client:
                await client.get("http://api.example.invalid/")  # refused at its DNS lookup
        else:
            await asyncio.open_connection(*NOWHERE)
        return Result.success()


def main() -> None:
    """Nothing on launch: the timeline's ``app try CALL`` enqueues the work."""


def try_call(call: str) -> None:
    worker = AsyncSocketWorker if call.startswith("async_") else CallWorker
    request = OneTimeWorkRequest.builder(worker).set_input_data(Data({"call": call})).build()
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue(request)


def call_in_action(call: str) -> None:
    """Makes the call straight from an app action (not a worker)."""
    CALLS[call]()


ACTIONS = {"try": try_call, "call": call_in_action}
