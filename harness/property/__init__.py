"""Property tests of sync code on the simulated phone: a hypothesis state machine over a
scenario's device, app and servers (:class:`DeviceMachine`)."""

from harness.property._machine import DEFAULT_SERVER_EVENTS, DeviceMachine

__all__ = ["DEFAULT_SERVER_EVENTS", "DeviceMachine"]
