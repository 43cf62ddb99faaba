"""A ``content:`` URI changes: what a provider's ``ContentResolver.notifyChange(uri)`` reports.

Work with content-URI triggers (``Constraints.Builder.add_content_uri_trigger``) waits for such a
change; JobScheduler's ``ContentObserverController`` notes it and runs the job after the trigger
delays (``harness.platform.JobSchedulerService.notify_content_changed``). A new photo in the
gallery is ``content change content://media/external/images/media/42``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self

from harness.scenario._actions._base import ANDROID_ONLY, Action, fail, register

if TYPE_CHECKING:
    from harness.scenario._world import World

_CONTENT_RE: Final = re.compile(r"^content change\s+(?P<uri>\S+)$", re.IGNORECASE)


@register
@dataclass(frozen=True, slots=True)
class ContentChange(Action):
    """A ``content:`` URI changes (``ContentResolver.notifyChange``)."""

    platforms = ANDROID_ONLY
    kind = "content_change"
    form = "content change URI"
    summary = (
        "a content: URI changes (ContentResolver.notifyChange): jobs with a trigger on it, or "
        "on a parent with descendants, run after their trigger delays"
    )
    example = "content change content://media/external/images/media/42"

    #: The URI that changed.
    uri: str = ""

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.lower().startswith("content change"):
            return None
        match = _CONTENT_RE.match(text)
        if match is None or not match["uri"].startswith("content://"):
            raise fail(
                text,
                "name the changed content: URI, e.g. "
                "'content change content://media/external/images/media/42'",
            )
        return cls(text, uri=match["uri"])

    def apply(self, world: World) -> None:
        world.job_scheduler.notify_content_changed(self.uri)
