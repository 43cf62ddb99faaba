"""Input mergers: how a one-time work's input is built from its own and its parents' data.

``WorkerWrapper`` merges ``[own input] + prerequisites' outputs`` in that order (the parents in
the database's order), so with the default :class:`OverwritingInputMerger` a parent's output
*overrides* the work's own input on a shared key, and the last parent wins among parents.
Periodic work never merges: it gets its own input (``W/impl/WorkerWrapper.kt``).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from harness._exceptions import DefinitionError
from harness.workmanager._data import Data, DataBuilder
from harness.workmanager._data_codec import DataType as _Type
from harness.workmanager._data_codec import Entry as _Entry


class InputMerger(abc.ABC):
    """Turns several ``Data`` into one (``androidx.work.InputMerger``); needs a no-arg init."""

    @abc.abstractmethod
    def merge(self, inputs: Sequence[Data]) -> Data:
        """The merged input; raise to fail the work."""


class OverwritingInputMerger(InputMerger):
    """Later inputs overwrite earlier ones key by key (``W/OverwritingInputMerger.kt``)."""

    def merge(self, inputs: Sequence[Data]) -> Data:
        """Every key of every input; on a clash the later input's value (and type) wins."""
        builder = DataBuilder()
        for data in inputs:
            builder.put_all(data)
        return builder.build()


class ArrayCreatingInputMerger(InputMerger):
    """Collects each key's values into one array (``W/ArrayCreatingInputMerger.kt`` @1d7dc4d1).

    A scalar becomes a one-element array of its type (``None`` counts as a String); an array of
    the same type is concatenated, a scalar of the element type appended; any other mix raises
    ``ValueError`` (androidx: a bare ``IllegalArgumentException``), which fails the work.
    """

    def merge(self, inputs: Sequence[Data]) -> Data:
        """One array per key, in input order."""
        merged: dict[str, _Entry] = {}
        for data in inputs:
            for key, (kind, value) in data._entries.items():
                merged[key] = _merge_value(key, merged.get(key), kind, value)
        builder = DataBuilder()
        for key, entry in merged.items():
            builder._put_entry(key, entry)
        return builder.build()


def _merge_value(key: str, existing: _Entry | None, kind: _Type, value: object) -> _Entry:
    if existing is None:
        if kind.is_array:
            return kind, value
        return kind.array, (value,)
    existing_kind, existing_value = existing
    if existing_kind is kind and kind.is_array:  # same array class: concatenate
        assert isinstance(existing_value, tuple)
        assert isinstance(value, tuple)
        return existing_kind, existing_value + value
    value_kind = _Type.STRING if kind is _Type.NULL else kind
    if not kind.is_array and existing_kind.element is value_kind:  # component type matches
        assert isinstance(existing_value, tuple)
        return existing_kind, (*existing_value, value)
    raise DefinitionError(
        f"ArrayCreatingInputMerger: key {key!r} holds {existing_kind.name} and gets "
        f"{kind.name}; androidx throws IllegalArgumentException for mixed types"
    )
