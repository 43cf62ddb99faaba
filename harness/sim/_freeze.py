"""Freezing a group of callbacks on the virtual loop: a frozen (or suspended) app process.

A :class:`FreezeGroup` is every callback that belongs to one unit of code, an app process: its
tasks (each step and wake-up of a task), the timers and ``call_soon`` callbacks it schedules
through asyncio (``asyncio.sleep``, ``loop.call_later``) and its futures' done callbacks.
Membership travels with :mod:`contextvars`: code run by :meth:`FreezeGroup.run` (or after
:meth:`FreezeGroup.enter`) belongs to the group, and so does everything it starts, because asyncio
copies the current context into every task, handle and done callback it creates. The harness's
own scheduling API (``Simulation.call_at``/``call_later``/``call_next``,
``VirtualEventLoop.call_at_ms``/``call_next``) schedules *system* callbacks that never belong to
a group, even when app code calls into a system service that sets a timer (``JobScheduler``
scheduling a job, the network finishing a transfer): the system keeps running while the app is
frozen.

While the group is frozen the loop holds its callbacks back instead of running them: a ready
callback is set aside in order, and a timer that falls due is set aside when it does. On
:meth:`FreezeGroup.thaw` the held callbacks run, in the order they were held, after the callbacks
ready at that moment: virtual time has moved on, so a timer that fell due while the group was
frozen fires at the thaw, as the messages of a frozen process run when the kernel thaws it
(AOSP ``CachedAppOptimizer``: a frozen process gets no CPU time). Nothing is reordered within a
group and nothing is lost; other groups and the system run as if nothing happened. A dissolved
group (its process died) releases what it held and never freezes again.

The loop pays for this only while some group is frozen (otherwise one test per callback).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from harness.sim._loop import VirtualEventLoop

_T = TypeVar("_T")

#: The group whose code is running: asyncio copies it into every task, handle and done callback.
GROUP: Final[contextvars.ContextVar[FreezeGroup | None]] = contextvars.ContextVar(
    "harness_freeze_group", default=None
)

#: Forget finished tasks of a group once its list has grown by this many since the last prune.
_PRUNE_TASKS_EVERY: Final = 64


class FreezeGroup:
    """The callbacks of one app process on a :class:`~harness.sim.VirtualEventLoop`.

    ``name`` labels it (``"com.example.app#3"``). See the module docstring for what belongs to it
    and what freezing does.
    """

    __slots__ = ("_dissolved", "_frozen_at_ms", "_held", "_loop", "_prune_at", "_tasks", "name")

    def __init__(self, loop: VirtualEventLoop, name: str) -> None:
        self.name = name
        self._loop = loop
        self._frozen_at_ms: int | None = None
        self._held: list[asyncio.Handle] = []
        self._dissolved = False
        self._tasks: list[asyncio.Task[Any]] = []
        self._prune_at = _PRUNE_TASKS_EVERY
        loop._note_group()

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "dissolved" if self._dissolved else "running"
        return f"<FreezeGroup {self.name} {state}, {len(self._held)} held>"

    # --- membership ---------------------------------------------------------------------------

    def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """Call ``function(*args)`` in a copy of the current context that belongs to this group."""
        context = contextvars.copy_context()
        context.run(GROUP.set, self)
        return context.run(function, *args)

    def enter(self) -> None:
        """Make the current context (the running task, or a context being prepared) belong here."""
        GROUP.set(self)

    @property
    def pending_tasks(self) -> list[asyncio.Task[Any]]:
        """The group's tasks that have not finished, in the order they were created."""
        self._tasks = [task for task in self._tasks if not task.done()]
        self._prune_at = len(self._tasks) + _PRUNE_TASKS_EVERY
        return list(self._tasks)

    def _add_task(self, task: asyncio.Task[Any]) -> None:
        self._tasks.append(task)
        if len(self._tasks) >= self._prune_at:
            self._tasks = [known for known in self._tasks if not known.done()]
            self._prune_at = len(self._tasks) + _PRUNE_TASKS_EVERY

    # --- freezing -----------------------------------------------------------------------------

    @property
    def frozen(self) -> bool:
        """Whether the group is frozen now (its callbacks are held back)."""
        return self._frozen_at_ms is not None

    @property
    def frozen_at_ms(self) -> int | None:
        """When the current freeze began, or ``None`` while the group is not frozen."""
        return self._frozen_at_ms

    @property
    def dissolved(self) -> bool:
        """Whether the group was dissolved (its process died)."""
        return self._dissolved

    @property
    def held(self) -> int:
        """How many callbacks are held back now (cancelled ones included until the thaw)."""
        return len(self._held)

    def freeze(self) -> bool:
        """Hold the group's callbacks back from now on; ``False`` if frozen or dissolved already."""
        if self._frozen_at_ms is not None or self._dissolved:
            return False
        self._frozen_at_ms = self._loop.now_ms
        self._loop._frozen_groups.append(self)
        return True

    def thaw(self) -> int:
        """Run what was held (in order, after what is ready now); returns how many were held."""
        if self._frozen_at_ms is None:
            return 0
        self._frozen_at_ms = None
        self._loop._frozen_groups.remove(self)
        held = self._held
        self._held = []
        self._loop._release(held)
        return len(held)

    def dissolve(self) -> int:
        """The process died: release what was held (its tasks unwind as they are cancelled) and
        never freeze again; returns how many callbacks were held."""
        released = self.thaw()
        self._dissolved = True
        return released

    def _hold(self, handle: asyncio.Handle) -> None:
        self._held.append(handle)


def current_group() -> FreezeGroup | None:
    """The group whose code is running now, or ``None`` for system code."""
    return GROUP.get()


def system_context() -> contextvars.Context:
    """A copy of the current context that belongs to no group (for a system callback)."""
    context = contextvars.copy_context()
    context.run(GROUP.set, None)
    return context
