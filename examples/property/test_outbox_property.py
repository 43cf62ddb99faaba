"""A property test a user writes: the outbox keeps every edit, whatever week the phone has.

Run it with ``pytest examples/property/test_outbox_property.py --harness-profile ci``.
"""

from typing import Any

from hypothesis import given

from harness.property import check
from harness.strategies import server_faults, timelines


@given(
    timeline=timelines(days=7, app_actions=("app edit note",)),
    faults=server_faults(days=7),
)
def test_the_outbox_never_loses_or_duplicates_an_edit(
    timeline: list[dict[str, Any]], faults: list[dict[str, Any]]
) -> None:
    check("examples/property/outbox_week.yaml", timeline=timeline, faults=faults)
