"""Hypothesis settings profiles for property tests of scenarios: ``ci``, ``dev``, ``nightly``.

Registered under ``harness-NAME`` (so a project's own ``ci`` profile is left alone) by the
pytest plugin, and chosen with ``pytest --harness-profile NAME``:

* ``ci``: derandomized (the same examples on every run, so CI is reproducible), no deadline,
  50 examples, no example database, shrinking bounded by hypothesis's own limits;
* ``dev``: random, no deadline, 25 examples, the example database on (a failure found once is
  tried first next time);
* ``nightly``: random, no deadline, 1,000 examples.

Every profile suppresses the ``too_slow`` and ``data_too_large`` health checks (a week of a
phone is slow by hypothesis's standards and a drawn week is large) and leaves out the
``explain`` phase: it traces every line the shrinker's examples run, which makes each run of a
simulated week about ten times slower, so a week's shrink would hit hypothesis's five-minute
limit instead of finishing in seconds.
"""

from __future__ import annotations

from typing import Final

from hypothesis import HealthCheck, Phase, settings

#: The profiles, by their short name: examples per test and whether they are derandomized.
PROFILES: Final = {
    "ci": {"max_examples": 50, "derandomize": True, "database": None},
    "dev": {"max_examples": 25},
    "nightly": {"max_examples": 1000},
}
_PREFIX: Final = "harness-"
#: Every phase but ``explain`` (see the module docs).
PHASES: Final = tuple(phase for phase in Phase if phase is not Phase.explain)


def register_profiles() -> None:
    """Register :data:`PROFILES` with hypothesis as ``harness-ci``, ``harness-dev``, ...."""
    for name, options in PROFILES.items():
        settings.register_profile(
            _PREFIX + name,
            deadline=None,
            phases=PHASES,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            **options,  # type: ignore[arg-type]
        )


def load_profile(name: str) -> None:
    """Register the profiles and make ``name`` (``ci``, ``dev`` or ``nightly``) hypothesis's
    current settings."""
    if name not in PROFILES:
        raise ValueError(
            f"hypothesis profile {name!r} is not one of harness's; choose one of: "
            f"{', '.join(PROFILES)}"
        )
    register_profiles()
    settings.load_profile(_PREFIX + name)
