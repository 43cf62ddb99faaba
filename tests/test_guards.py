"""Guards of this repository's test suite: no test reaches the real network."""

from __future__ import annotations

import socket

import httpx
import pytest
from pytest_socket import SocketBlockedError


def test_opening_a_socket_fails_loudly() -> None:
    """A test that opens an internet socket fails with SocketBlockedError (conftest.py)."""
    with (
        pytest.warns(UserWarning, match=r"tried to use socket"),
        pytest.raises(SocketBlockedError),
    ):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_real_http_fails_loudly() -> None:
    """httpx against a real host cannot get out either."""
    with (
        pytest.warns(UserWarning, match=r"tried to use socket"),
        pytest.raises(SocketBlockedError),
    ):
        httpx.get("https://example.com/", timeout=1)
