"""``Constraints``: the device conditions a request waits for (``W/Constraints.kt``).

Content-URI triggers (API 24+) and ``NetworkRequest`` constraints (2.10) are not modelled: the
simulated device has no content providers, and a ``NetworkType`` covers every case the harness
simulates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from harness.workmanager._enums import NetworkType


@dataclass(frozen=True, slots=True)
class Constraints:
    """Conditions that must hold for work to run; :attr:`NONE` has none."""

    NONE: ClassVar[Constraints]

    required_network_type: NetworkType = NetworkType.NOT_REQUIRED
    requires_charging: bool = False
    requires_device_idle: bool = False
    requires_battery_not_low: bool = False
    requires_storage_not_low: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_network_type", NetworkType(self.required_network_type))

    @staticmethod
    def builder() -> ConstraintsBuilder:
        """A ``Constraints.Builder``."""
        return ConstraintsBuilder()

    def has_content_uri_triggers(self) -> bool:
        """Always ``False``: content-URI triggers are not modelled (module docstring)."""
        return False


class ConstraintsBuilder:
    """``Constraints.Builder``: set what you need, then :meth:`build`."""

    __slots__ = ("_constraints",)

    def __init__(self) -> None:
        self._constraints = Constraints()

    def set_required_network_type(self, network_type: NetworkType) -> ConstraintsBuilder:
        """The network the work needs (``NOT_REQUIRED`` by default)."""
        self._constraints = replace(self._constraints, required_network_type=network_type)
        return self

    def set_requires_charging(self, requires_charging: bool) -> ConstraintsBuilder:
        """Run only while the device is charging."""
        self._constraints = replace(self._constraints, requires_charging=requires_charging)
        return self

    def set_requires_device_idle(self, requires_device_idle: bool) -> ConstraintsBuilder:
        """Run only while the device is idle (API 23+; JobScheduler enforces it)."""
        self._constraints = replace(self._constraints, requires_device_idle=requires_device_idle)
        return self

    def set_requires_battery_not_low(self, requires_battery_not_low: bool) -> ConstraintsBuilder:
        """Run only while the battery is not low."""
        self._constraints = replace(
            self._constraints, requires_battery_not_low=requires_battery_not_low
        )
        return self

    def set_requires_storage_not_low(self, requires_storage_not_low: bool) -> ConstraintsBuilder:
        """Run only while storage is not low."""
        self._constraints = replace(
            self._constraints, requires_storage_not_low=requires_storage_not_low
        )
        return self

    def build(self) -> Constraints:
        """The ``Constraints``."""
        return self._constraints


Constraints.NONE = Constraints()
