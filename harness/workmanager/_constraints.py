"""``Constraints``: the device conditions a request waits for (``W/Constraints.kt``).

Besides the network type and the charging/idle/battery/storage flags:

* **network requests** (``setRequiredNetworkRequest``, 2.10): a
  :class:`~harness.platform.NetworkRequest` with the capabilities and transports the network must
  have. On API 28+ (every device profile here) the builder keeps the request and sets the network
  type to NOT_REQUIRED; ``SystemJobInfoConverter`` then hands JobScheduler the request
  (``JobInfo.Builder.setRequiredNetwork``);
* **content-URI triggers** (``addContentUriTrigger``, API 24+): the work runs after a change of
  one of the ``content:`` URIs (or, for a trigger with descendants, of a URI below it), after the
  update delay with no further change and at most the maximum delay after the first
  (``setTriggerContentUpdateDelay``/``setTriggerContentMaxDelay``; -1 leaves JobScheduler's
  defaults of 10 s and 2 min). A scenario reports a change with the ``content change URI``
  action (``JobSchedulerService.notify_content_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from harness._exceptions import InvalidRequestError
from harness._units import Duration, to_ms
from harness.platform import NetworkRequest
from harness.workmanager._enums import NetworkType


@dataclass(frozen=True, slots=True)
class ContentUriTrigger:
    """``Constraints.ContentUriTrigger``: a ``content:`` URI the work observes."""

    uri: str
    is_triggered_for_descendants: bool = False


_ContentUriTrigger = ContentUriTrigger


@dataclass(frozen=True, slots=True)
class Constraints:
    """Conditions that must hold for work to run; :attr:`NONE` has none."""

    NONE: ClassVar[Constraints]
    ContentUriTrigger: ClassVar[type[_ContentUriTrigger]] = _ContentUriTrigger

    required_network_type: NetworkType = NetworkType.NOT_REQUIRED
    requires_charging: bool = False
    requires_device_idle: bool = False
    requires_battery_not_low: bool = False
    requires_storage_not_low: bool = False
    #: ``requiredNetworkRequest`` (API 28+), or ``None``.
    required_network_request: NetworkRequest | None = None
    #: ``contentTriggerUpdateDelayMillis`` / ``contentTriggerMaxDelayMillis`` (-1: default).
    content_trigger_update_delay_millis: int = -1
    content_trigger_max_delay_millis: int = -1
    #: ``contentUriTriggers``, in the order added (a set: no duplicates).
    content_uri_triggers: tuple[_ContentUriTrigger, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_network_type", NetworkType(self.required_network_type))
        object.__setattr__(
            self, "content_uri_triggers", tuple(dict.fromkeys(self.content_uri_triggers))
        )

    @staticmethod
    def builder() -> ConstraintsBuilder:
        """A ``Constraints.Builder``."""
        return ConstraintsBuilder()

    def has_content_uri_triggers(self) -> bool:
        """``hasContentUriTriggers``: whether any content-URI trigger is set (API 24+)."""
        return bool(self.content_uri_triggers)


class ConstraintsBuilder:
    """``Constraints.Builder``: set what you need, then :meth:`build`."""

    __slots__ = ("_constraints",)

    def __init__(self) -> None:
        self._constraints = Constraints()

    def set_required_network_type(self, network_type: NetworkType) -> ConstraintsBuilder:
        """The network the work needs (``NOT_REQUIRED`` by default); drops a network request."""
        self._constraints = replace(
            self._constraints, required_network_type=network_type, required_network_request=None
        )
        return self

    def set_required_network_request(
        self, network_request: NetworkRequest, network_type: NetworkType
    ) -> ConstraintsBuilder:
        """The network must satisfy ``network_request`` (API 28+: the type becomes NOT_REQUIRED;
        ``network_type`` is what an API < 28 device would use instead)."""
        if not isinstance(network_request, NetworkRequest):
            raise InvalidRequestError(
                f"network request {network_request!r} is not a harness.platform.NetworkRequest; "
                "build one with NetworkRequest.builder()"
            )
        NetworkType(network_type)  # checked, as androidx takes it, but unused on API 28+
        self._constraints = replace(
            self._constraints,
            required_network_request=network_request,
            required_network_type=NetworkType.NOT_REQUIRED,
        )
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

    def add_content_uri_trigger(
        self, uri: str, trigger_for_descendants: bool
    ) -> ConstraintsBuilder:
        """Run when the local ``content:`` ``uri`` changes (and below it, with descendants)."""
        if not isinstance(uri, str) or not uri.startswith("content://"):
            raise InvalidRequestError(
                f"content URI trigger {uri!r} is not a content: URI; observe a local URI such "
                "as 'content://media/external/images/media'"
            )
        trigger = ContentUriTrigger(uri, bool(trigger_for_descendants))
        self._constraints = replace(
            self._constraints,
            content_uri_triggers=(*self._constraints.content_uri_triggers, trigger),
        )
        return self

    def set_trigger_content_update_delay(self, duration: Duration) -> ConstraintsBuilder:
        """Wait this long after the latest change (more changes restart the wait)."""
        self._constraints = replace(
            self._constraints, content_trigger_update_delay_millis=to_ms(duration)
        )
        return self

    def set_trigger_content_max_delay(self, duration: Duration) -> ConstraintsBuilder:
        """Wait at most this long after the first change."""
        self._constraints = replace(
            self._constraints, content_trigger_max_delay_millis=to_ms(duration)
        )
        return self

    def build(self) -> Constraints:
        """The ``Constraints``."""
        return self._constraints


Constraints.NONE = Constraints()
