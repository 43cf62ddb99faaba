"""Property tests of sync code: ``check()`` inside ``@given``, failures saved as scenario files.

::

    from hypothesis import given
    from harness.property import check
    from harness.strategies import server_faults, timelines

    @given(timeline=timelines(days=7), faults=server_faults())
    def test_the_outbox_never_loses_an_edit(timeline, faults):
        check("scenarios/outbox/happy_path.yaml", timeline=timeline, faults=faults)

A failure lists the checks that broke; the shrunk example is saved as a scenario YAML file and
printed with the ``harness replay FILE --seed S`` command that reproduces it, to the same trace
digest. Settings profiles for CI, development and nightly runs: :data:`PROFILES`
(``pytest --harness-profile ci``). See docs/property-tests.md.
"""

from harness.property._check import STOP_KINDS, base_scenario, check, early_stop, with_drawn
from harness.property._failures import FAILURES_ENV, failure_text, replay_command, save_failure
from harness.property._profiles import PHASES, PROFILES, load_profile, register_profiles

__all__ = [
    "FAILURES_ENV",
    "PHASES",
    "PROFILES",
    "STOP_KINDS",
    "base_scenario",
    "check",
    "early_stop",
    "failure_text",
    "load_profile",
    "register_profiles",
    "replay_command",
    "save_failure",
    "with_drawn",
]
