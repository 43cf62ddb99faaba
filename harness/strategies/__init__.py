"""Hypothesis strategies for property tests of sync logic: timelines, faults, requests, worlds.

They draw plain scenario data (the same shapes a YAML file holds), so a failing example shrinks
to the fewest, earliest, mildest events and is written out as a scenario file that replays it
(:func:`harness.property.save_failure`)::

    @given(timeline=timelines(days=7), faults=server_faults())
    def test_outbox_never_loses_or_duplicates_an_edit(timeline, faults):
        check(outbox, timeline=timeline, faults=faults)

Timelines are walks of a small model of the phone (:class:`PhoneModel`): every drawn event is
one the phone can produce in the state the earlier ones left (docs/property-tests.md).
"""

from harness.strategies._faults import FAULT_KINDS, server_faults
from harness.strategies._model import AppState, EventGroup, PhoneModel, timeline_problems
from harness.strategies._requests import WorkRequestPlan, constraints, work_requests
from harness.strategies._timelines import DEVICE_EVENTS, timelines
from harness.strategies._worlds import device_profiles, lives

__all__ = [
    "DEVICE_EVENTS",
    "FAULT_KINDS",
    "AppState",
    "EventGroup",
    "PhoneModel",
    "WorkRequestPlan",
    "constraints",
    "device_profiles",
    "lives",
    "server_faults",
    "timeline_problems",
    "timelines",
    "work_requests",
]
