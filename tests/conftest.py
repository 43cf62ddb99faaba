"""Settings for harness's own tests (fixtures such as ``sim`` come from harness.pytest_plugin)."""

from __future__ import annotations

from hypothesis import settings

# No per-example wall-clock deadline: CI machines vary, and speed is measured in benchmarks/.
settings.register_profile("harness", deadline=None)
settings.load_profile("harness")
