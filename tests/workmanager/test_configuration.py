"""WorkManager's Configuration and getInstance (_configuration.py; W/Configuration.kt,
W/WorkManager.kt, W/impl/utils/IdGenerator.kt)."""

from __future__ import annotations

import pytest

from harness._exceptions import InvalidRequestError
from harness.scenario import World, loads
from harness.sim import Simulation
from harness.workmanager import Configuration, FixedThreadPool, JobIds, WorkManager
from tests.workmanager.apps import configured


def test_builder_checks_the_scheduler_limit_and_the_job_id_range() -> None:
    """setMaxSchedulerLimit: below 20 throws, above 50 is lowered to 50;
    setJobSchedulerJobIdRange needs at least 1000 ids (Configuration.Builder)."""
    assert Configuration.builder().set_max_scheduler_limit(80).build().max_scheduler_limit == 50
    with pytest.raises(InvalidRequestError, match=r"^max scheduler limit 19 is below 20: "):
        Configuration.builder().set_max_scheduler_limit(19)
    with pytest.raises(InvalidRequestError, match=r"^job id range 10 \.\. 1009 is too small: "):
        Configuration.builder().set_job_scheduler_job_id_range(10, 1009)
    built = Configuration.builder().set_job_scheduler_job_id_range(10, 1010).build()
    assert (built.min_job_scheduler_id, built.max_job_scheduler_id) == (10, 1010)
    assert Configuration() == Configuration(20, 0, 2**31 - 1, None, None)
    with pytest.raises(InvalidRequestError, match=r"^a thread pool needs at least 1 thread"):
        FixedThreadPool(0)


def test_job_ids_restart_at_the_minimum_outside_the_range() -> None:
    """IdGenerator.nextJobSchedulerIdWithRange: an id outside min..max restarts at min."""
    ids = JobIds()
    assert [ids.job_id("p", f"w{n}") for n in range(3)] == [0, 1, 2]
    assert ids.job_id("p", "w3", min_id=1000, max_id=2000) == 1000
    assert ids.job_id("p", "w4", min_id=1000, max_id=2000) == 1001
    assert ids.job_id("p", "w0", min_id=1000, max_id=2000) == 0  # kept once allocated


def test_configuration_sets_the_scheduler_limit(sim: Simulation) -> None:
    """Configuration.maxSchedulerLimit is the limit Schedulers.schedule asks for."""
    configuration = Configuration.builder().set_max_scheduler_limit(30).build()
    work_manager = WorkManager(sim, configuration=configuration)
    assert work_manager.max_scheduler_limit == 30
    assert work_manager.configuration is configuration


def test_get_instance_needs_an_initialised_process_and_initialize_is_too_late(
    sim: Simulation,
) -> None:
    """getInstance throws for an uninitialised WorkManager; initialize throws once it is
    initialised (WorkManagerImpl.initialize: "WorkManager is already initialized")."""

    class Context:
        work_manager: WorkManager | None = None

    context = Context()
    with pytest.raises(InvalidRequestError, match=r"^WorkManager is not initialized properly"):
        WorkManager.get_instance(context)
    context.work_manager = WorkManager(sim)
    assert WorkManager.get_instance(context) is context.work_manager
    with pytest.raises(InvalidRequestError, match=r"^WorkManager is already initialized\. "):
        WorkManager.initialize(context, Configuration())


def test_an_apps_configuration_provider_sets_ids_factory_and_executor() -> None:
    """Configuration.Provider: the app's job ids come from its range, its factory is asked
    first, and its 1-thread executor runs one Worker.doWork at a time (Worker.kt)."""
    configured.ASKED.clear()
    scenario = loads(
        "name: configured\napp: tests.workmanager.apps.configured\ndevice: pixel-like\n"
        "duration: 1h\ntimeline:\n  - at: 1m\n    do: open app\n"
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("10m")
        scheduled = sorted({r["job_id"] for r in sim.trace.of_kind("job.scheduled")})
        assert scheduled == [5000, 5001, 5002]
        started = [r.t_ms for r in sim.trace.of_kind("work.started")]
        finished = [r.t_ms for r in sim.trace.of_kind("work.finished")]
    assert [f"{configured.__name__}.Blocking"] * 3 == configured.ASKED
    # all three start together (RUNNING), but one thread runs their doWork one after another
    assert len(set(started)) == 1
    assert [t - started[0] for t in finished] == [60_000, 120_000, 180_000]
