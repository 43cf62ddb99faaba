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
"""

from __future__ import annotations

import sys

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
