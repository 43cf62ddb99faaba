"""Hypothesis strategies for property tests: ``from harness.strategies import timelines``."""

from harness.scenario._strategies import DEVICE_EVENTS, server_faults, timelines

__all__ = ["DEVICE_EVENTS", "server_faults", "timelines"]
