"""The property test in the README and docs/property-tests.md runs as written."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from harness.property import check

_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "property"


def test_the_base_scenario_passes_a_quiet_week() -> None:
    """examples/property/outbox_week.yaml holds with a drawn week of one edit and no faults."""
    result = check(
        _EXAMPLE / "outbox_week.yaml",
        timeline=[{"at": "0s", "do": "open app"}, {"at": "1h", "do": "app edit note"}],
        faults=[],
    )
    assert result.backend.received_ids() == result.app.created_ids()


def test_the_example_test_module_is_a_given_test() -> None:
    """The example module defines the README's @given test."""
    spec = importlib.util.spec_from_file_location(
        "test_outbox_property", _EXAMPLE / "test_outbox_property.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    test = module.test_the_outbox_never_loses_or_duplicates_an_edit
    assert hasattr(test, "hypothesis")
