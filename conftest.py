"""Repository-wide pytest set-up: no test may open a network socket.

Sockets are blocked with pytest-socket for every test (collection included: the block is armed
before any test module is imported), so a test that would touch the real network fails loudly with
``SocketBlockedError``. Unix-domain sockets stay allowed (pytest-xdist and asyncio internals use
them). Tests marked ``dask`` may use loopback only, for a local Dask cluster.

The suite writes bytecode for what it imports even where ``PYTHONDONTWRITEBYTECODE`` is set (some
CI images and this project's own machines set it): otherwise each xdist worker, and each
``harness`` child process a test starts, compiles the package and rewrites every test module
from source again, about 10 CPU seconds per worker on a fresh clone. Child processes keep the
variable; they read the bytecode the workers wrote.

Tests marked ``no_cover`` run without the coverage tracer also in xdist workers. pytest-cov 7.1
pauses only its own worker's measurement there; in a worker it has also started a second
``Coverage`` (its master's, from the ``-n`` option the worker sees), and coverage resumes that one
when the worker's stops, so such a test ran fully traced (the week's shrink of
tests/property/test_check.py: 87 s against 26 s without the tracer).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from pytest_socket import disable_socket

sys.dont_write_bytecode = False

#: harness's own pytest plugin (also registered as an entry point when harness is installed).
pytest_plugins = ["harness.pytest_plugin"]

LOOPBACK_HOSTS = ["127.0.0.1", "::1", "localhost"]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.option.disable_socket = True
    config.option.allow_unix_socket = True
    disable_socket(allow_unix_socket=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("dask") is not None:
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK_HOSTS))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A ``no_cover`` test runs untraced: stop whatever coverage still measures once pytest-cov
    has paused its own (trylast: this wrapper runs inside pytest-cov's), and restart it after."""
    coverage = sys.modules.get("coverage")
    if item.get_closest_marker("no_cover") is None or coverage is None:
        return (yield)
    stopped = []
    while (current := coverage.Coverage.current()) is not None:
        current.stop()
        stopped.append(current)
    try:
        return (yield)
    finally:
        for measurement in reversed(stopped):
            measurement.start()
