"""Named, independent random streams derived from (seed, stream name).

Each component draws from its own stream, so adding a component (or a draw in one) never shifts
another component's draws. Streams are derived with SHA-256, never with ``hash()``, so they are the
same in every process whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import hashlib
import random

from harness._exceptions import DefinitionTypeError


def derive_seed(seed: int, name: str) -> int:
    """A 128-bit integer seed for stream ``name`` under run seed ``seed``."""
    digest = hashlib.sha256(f"harness/{seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


class RngStreams:
    """Lazily created ``random.Random`` streams, one per name, for one run seed."""

    __slots__ = ("_seed", "_streams")

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise DefinitionTypeError(f"seed {seed!r} must be an int")
        self._seed = seed
        self._streams: dict[str, random.Random] = {}

    @property
    def seed(self) -> int:
        """The run seed every stream derives from."""
        return self._seed

    def stream(self, name: str) -> random.Random:
        """The stream called ``name`` (created on first use; the same object afterwards)."""
        rng = self._streams.get(name)
        if rng is None:
            rng = random.Random(derive_seed(self._seed, name))
            self._streams[name] = rng
        return rng

    def __getitem__(self, name: str) -> random.Random:
        return self.stream(name)
