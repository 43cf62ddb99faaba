"""``TestDriver``: work-testing's driver for tests written against androidx's test API.

``TestDriver(workmanager)`` drives the :class:`TestScheduler` of that WorkManager, exactly as
``WorkManagerTestInitHelper.getTestDriver(context)`` drives androidx's (``T/TestDriver.kt``,
``T/TestScheduler.kt``). A test such as::

    testDriver.setAllConstraintsMet(request.id)
    testDriver.setInitialDelayMet(request.id)

translates to ``driver.set_all_constraints_met(request.id)`` and
``driver.set_initial_delay_met(request.id)``. ``set_initial_delay_met`` and
``set_period_delay_met`` need the scheduler's non-time-based mode
(``TestScheduler.factory(time_based=False)``, androidx's default); under time-based scheduling
advance the simulation instead, as androidx makes them throw there.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from harness._exceptions import InvalidRequestError
from harness.workmanager._test_scheduler import TestScheduler

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager


class TestDriver:
    """Declares delays and constraints met for work run by a :class:`TestScheduler`."""

    __test__ = False  # not a pytest test class

    def __init__(self, workmanager: WorkManager) -> None:
        for scheduler in workmanager.schedulers:
            if isinstance(scheduler, TestScheduler):
                self._scheduler = scheduler
                break
        else:
            raise InvalidRequestError(
                "TestDriver needs a WorkManager whose schedulers include a TestScheduler (the "
                "default); this one has "
                f"{[type(scheduler).__name__ for scheduler in workmanager.schedulers]}"
            )

    @property
    def scheduler(self) -> TestScheduler:
        """The scheduler this driver drives."""
        return self._scheduler

    def set_all_constraints_met(self, work_spec_id: uuid.UUID) -> None:
        """Pretend every constraint of the work is met (``TestDriver.setAllConstraintsMet``)."""
        self._scheduler.set_all_constraints_met(work_spec_id)

    def set_initial_delay_met(self, work_spec_id: uuid.UUID) -> None:
        """Pretend the initial delay has passed (``TestDriver.setInitialDelayMet``)."""
        self._scheduler.set_initial_delay_met(work_spec_id)

    def set_period_delay_met(self, work_spec_id: uuid.UUID) -> None:
        """Pretend the period has passed (``TestDriver.setPeriodDelayMet``)."""
        self._scheduler.set_period_delay_met(work_spec_id)
