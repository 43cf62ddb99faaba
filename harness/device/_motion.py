"""``Motion``: whether the phone is moving, and the significant-motion sensor doze arms.

DeviceIdleController arms the one-shot ``TYPE_SIGNIFICANT_MOTION`` wake-up sensor from
IDLE_PENDING on; it fires once when the phone moves (walking, a commute) and must be armed again.
AnyMotionDetector, used in SENSING, reads the accelerometer and reports moved or stationary.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.device._profile import SensorSettings
from harness.sim import Signal, Simulation


class Motion:
    """The phone's motion and its motion sensors."""

    def __init__(self, sim: Simulation, settings: SensorSettings) -> None:
        self._sim = sim
        self._settings = settings
        self._moving = False
        self._armed: Callable[[], None] | None = None
        #: The phone started or stopped moving.
        self.changed: Signal[bool] = Signal("device.motion")

    @property
    def moving(self) -> bool:
        """Whether the phone is moving now."""
        return self._moving

    @property
    def has_significant_motion_sensor(self) -> bool:
        """Whether the device has a significant-motion sensor (profile ``sensors``)."""
        return self._settings.significant_motion

    def set_moving(self, moving: bool) -> None:
        """The phone starts (a walk, a commute) or stops moving."""
        if moving == self._moving:
            return
        self._moving = moving
        self._sim.record("device.motion", moving=moving)
        self.changed.emit(moving)
        if moving:
            self._trigger()

    def significant_motion(self) -> None:
        """One significant motion event (picked up, carried a few steps)."""
        self._sim.record("device.motion", event="significant_motion")
        self._trigger()

    def arm_significant_motion(self, listener: Callable[[], None]) -> None:
        """Arm the one-shot sensor: ``listener()`` runs once at the next motion (now if moving)."""
        if not self._settings.significant_motion:
            return
        self._armed = listener
        if self._moving:
            # the sensor fires right away, after the arming call returns
            self._sim.call_at(self._sim.now_ms, self._trigger)

    def disarm_significant_motion(self) -> None:
        """Stop listening for significant motion."""
        self._armed = None

    @property
    def significant_motion_armed(self) -> bool:
        """Whether the sensor is armed (``mMotionListener.active``)."""
        return self._armed is not None

    def _trigger(self) -> None:
        listener, self._armed = self._armed, None
        if listener is not None:
            listener()
