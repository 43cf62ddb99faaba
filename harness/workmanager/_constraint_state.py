"""``ConstraintState``: what WorkManager's in-process constraint trackers currently read.

On a phone, WorkManager's trackers (``W/impl/constraints/trackers/``) follow battery, charging,
storage and network broadcasts. Here a small mutable object stands in for them: tests set it, and
later the platform layer keeps it in step with the simulated device. It emits :attr:`changed`
on every change, so a scheduler can start work whose constraints now hold and stop running work
whose constraints no longer do.

Which constraint counts as unmet, and which stop reason a lost one gives, follows
``ContraintControllers.kt`` (@1d7dc4d1) and ``WorkConstraintsTracker.kt``: the controllers are
checked in list order, charging (6), battery not low (5), storage not low (9), then the network
controllers (7), and the first unmet one names the stop reason. Network rules (API 28+): CONNECTED
needs connected *and* validated; UNMETERED and TEMPORARILY_UNMETERED need connected and not metered
(the in-process path treats them alike); NOT_ROAMING needs connected and not roaming; METERED needs
connected and metered; a network request (2.10) needs connected and its VALIDATED, NOT_METERED,
NOT_ROAMING capabilities (transports are not tracked here). The greedy in-process scheduler ignores
device idle (left to JobScheduler); this state checks it last, with stop reason 8, as JobScheduler
would.
"""

from __future__ import annotations

from typing import Final

from harness._exceptions import DefinitionTypeError
from harness.platform import NetCapability, NetworkRequest
from harness.sim import Signal
from harness.workmanager._constraints import Constraints
from harness.workmanager._enums import NetworkType, StopReason

_FIELDS = (
    "network_connected",
    "network_validated",
    "network_metered",
    "network_roaming",
    "battery_not_low",
    "charging",
    "storage_not_low",
    "device_idle",
)
_FIELD_SET: Final = frozenset(_FIELDS)


class ConstraintState:
    """The device conditions as WorkManager's trackers see them.

    By default every condition is met on an unmetered, validated, non-roaming network (so
    METERED work waits until ``network_metered=True``). Change it with :meth:`update`.
    """

    __slots__ = (
        "_values",
        "changed",
    )

    def __init__(
        self,
        *,
        network_connected: bool = True,
        network_validated: bool = True,
        network_metered: bool = False,
        network_roaming: bool = False,
        battery_not_low: bool = True,
        charging: bool = True,
        storage_not_low: bool = True,
        device_idle: bool = True,
    ) -> None:
        self._values: dict[str, bool] = {
            "network_connected": network_connected,
            "network_validated": network_validated,
            "network_metered": network_metered,
            "network_roaming": network_roaming,
            "battery_not_low": battery_not_low,
            "charging": charging,
            "storage_not_low": storage_not_low,
            "device_idle": device_idle,
        }
        #: Emitted with this object after every :meth:`update` that changed something.
        self.changed: Signal[ConstraintState] = Signal("workmanager.constraints")

    @classmethod
    def none_met(cls) -> ConstraintState:
        """No network, battery low, not charging, storage low, not idle: nothing constrained runs.

        With this state, constrained work runs only after ``TestDriver.set_all_constraints_met``,
        as under androidx's own ``TestScheduler``.
        """
        return cls(
            network_connected=False,
            network_validated=False,
            battery_not_low=False,
            charging=False,
            storage_not_low=False,
            device_idle=False,
        )

    def update(self, **changes: bool) -> None:
        """Set conditions by name (e.g. ``update(network_connected=False)``); emits ``changed``."""
        if not _FIELD_SET.issuperset(changes):  # the phone's trackers call this on every change
            unknown = sorted(set(changes) - _FIELD_SET)
            raise DefinitionTypeError(
                f"unknown constraint condition(s) {unknown}; the conditions are {list(_FIELDS)}"
            )
        values = self._values
        changed = False
        for name, value in changes.items():
            if value is not True and value is not False:  # isinstance(value, bool)
                raise DefinitionTypeError(
                    f"constraint condition {name}={value!r} must be True or False"
                )
            if values[name] != value:
                values[name] = value
                changed = True
        if changed:
            self.changed.emit(self)

    @property
    def network_connected(self) -> bool:
        """A network with internet capability is up."""
        return self._values["network_connected"]

    @property
    def network_validated(self) -> bool:
        """Android validated that the network reaches the internet."""
        return self._values["network_validated"]

    @property
    def network_metered(self) -> bool:
        """The network is metered (cellular, or a metered Wi-Fi)."""
        return self._values["network_metered"]

    @property
    def network_roaming(self) -> bool:
        """The network is roaming."""
        return self._values["network_roaming"]

    @property
    def battery_not_low(self) -> bool:
        """The battery is not low (it fell to 15 % unplugged, or rose to 20 %)."""
        return self._values["battery_not_low"]

    @property
    def charging(self) -> bool:
        """The device is charging (status CHARGING or FULL)."""
        return self._values["charging"]

    @property
    def storage_not_low(self) -> bool:
        """Storage is not low."""
        return self._values["storage_not_low"]

    @property
    def device_idle(self) -> bool:
        """The device is idle."""
        return self._values["device_idle"]

    def _network_met(self, network_type: NetworkType) -> bool:
        connected = self.network_connected
        if network_type is NetworkType.NOT_REQUIRED:
            return True
        if network_type is NetworkType.CONNECTED:
            return connected and self.network_validated
        if network_type in (NetworkType.UNMETERED, NetworkType.TEMPORARILY_UNMETERED):
            return connected and not self.network_metered
        if network_type is NetworkType.NOT_ROAMING:
            return connected and not self.network_roaming
        return connected and self.network_metered  # METERED

    def _request_met(self, request: NetworkRequest) -> bool:
        """``NetworkRequestConstraintController`` (2.10, API 28+): a connected network with the
        request's capabilities; this state knows no transports, so they are not checked."""
        if not self.network_connected:
            return False
        needs = request.capabilities
        return not (
            (NetCapability.NET_CAPABILITY_VALIDATED in needs and not self.network_validated)
            or (NetCapability.NET_CAPABILITY_NOT_METERED in needs and self.network_metered)
            or (NetCapability.NET_CAPABILITY_NOT_ROAMING in needs and self.network_roaming)
            or (
                NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED in needs
                and self.network_metered
            )
        )

    def unmet_reason(self, constraints: Constraints) -> StopReason | None:
        """The stop reason of the first unmet constraint in androidx's order, or ``None``."""
        if constraints.requires_charging and not self.charging:
            return StopReason.STOP_REASON_CONSTRAINT_CHARGING
        if constraints.requires_battery_not_low and not self.battery_not_low:
            return StopReason.STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW
        if constraints.requires_storage_not_low and not self.storage_not_low:
            return StopReason.STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW
        if not self._network_met(constraints.required_network_type):
            return StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
        request = constraints.required_network_request
        if request is not None and not self._request_met(request):
            return StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
        if constraints.requires_device_idle and not self.device_idle:
            return StopReason.STOP_REASON_CONSTRAINT_DEVICE_IDLE
        return None

    def are_met(self, constraints: Constraints) -> bool:
        """Whether every constraint in ``constraints`` holds now."""
        return self.unmet_reason(constraints) is None

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={value}" for name, value in self._values.items())
        return f"ConstraintState({body})"
