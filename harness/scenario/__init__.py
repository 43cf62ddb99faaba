"""Scenarios: YAML files describing a device, apps, backends, a timeline and checks; the runner."""

__all__: list[str] = []
