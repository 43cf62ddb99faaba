"""Custom checks for bundled scenarios (``custom: examples.checks.MODULE:NAME``)."""
