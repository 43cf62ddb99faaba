"""A tiny synchronous publish/subscribe signal: how lower layers tell higher ones what changed.

The device emits ``Signal`` events (battery level, network, doze state); the job scheduler above
subscribes. Subscribers run synchronously, in subscription order, at the virtual instant of the
change, so the order of reactions is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

_T = TypeVar("_T")


class Signal(Generic[_T]):
    """An event source with a fixed subscriber order."""

    __slots__ = ("_name", "_subscribers")

    def __init__(self, name: str) -> None:
        self._name = name
        #: A tuple, replaced (never changed) on connect and disconnect: an emit walks the
        #: subscribers of the moment it began without copying them.
        self._subscribers: tuple[Callable[[_T], None], ...] = ()

    @property
    def name(self) -> str:
        """What the signal is about, e.g. ``"device.network"``."""
        return self._name

    @property
    def subscribed(self) -> bool:
        """Whether anything is connected (so an emitter can skip building a value no one
        reads)."""
        return bool(self._subscribers)

    def connect(self, subscriber: Callable[[_T], None]) -> Callable[[], None]:
        """Call ``subscriber(value)`` on every emit; returns a function that disconnects it."""
        self._subscribers = (*self._subscribers, subscriber)

        def disconnect() -> None:
            subscribers = list(self._subscribers)
            if subscriber in subscribers:
                subscribers.remove(subscriber)
                self._subscribers = tuple(subscribers)

        return disconnect

    def emit(self, value: _T) -> None:
        """Deliver ``value`` to every subscriber, in the order they connected."""
        for subscriber in self._subscribers:
            subscriber(value)

    def __repr__(self) -> str:
        return f"Signal({self._name!r}, subscribers={len(self._subscribers)})"
