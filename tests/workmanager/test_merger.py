"""Input mergers (_merger.py; OverwritingInputMerger.kt, ArrayCreatingInputMerger.kt)."""

from __future__ import annotations

import pytest

from harness.workmanager import ArrayCreatingInputMerger, Data, OverwritingInputMerger


def test_overwriting_merger_lets_later_inputs_win() -> None:
    """putAll for each input in order: the later value (and its type) wins."""
    merged = OverwritingInputMerger().merge(
        [Data({"a": 1, "b": "x"}), Data.builder().put_long("a", 2).build()]
    )
    assert merged == Data.builder().put_long("a", 2).put_string("b", "x").build()


def test_array_creating_merger_builds_one_array_per_key() -> None:
    """Scalars become arrays, same-type arrays concatenate, null counts as a String."""
    merged = ArrayCreatingInputMerger().merge(
        [Data({"n": 1, "s": None}), Data({"n": [2, 3], "s": "x"}), Data({"n": 4})]
    )
    assert merged.get_int_array("n") == [1, 2, 3, 4]
    assert merged.get_string_array("s") == [None, "x"]


def test_array_creating_merger_refuses_mixed_types() -> None:
    """Int then Long under one key throws IllegalArgumentException (ArrayCreatingInputMerger.kt)."""
    with pytest.raises(ValueError, match=r"key 'n' holds INTEGER_ARRAY and gets LONG"):
        ArrayCreatingInputMerger().merge([Data({"n": 1}), Data({"n": 2**40})])
