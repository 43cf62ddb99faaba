"""``harness why`` on Android: each work's WorkManager state, then the phone's answer
(``World.why_not_running``) and JobScheduler's typed verdict (``JobSchedulerService.explain``)."""

from __future__ import annotations

from harness.scenario._why_answer import WorkWhy
from harness.scenario._world import World
from harness.workmanager import State


def explain_android(world: World) -> list[WorkWhy]:
    """Every work of every app of ``world`` now, in enqueue order per app."""
    answers: list[WorkWhy] = []
    for package in world.runtime.packages:
        database = world.runtime.database(package)
        for spec in database.work_spec_dao.all_work_specs():
            tags = sorted(database.work_tag_dao.get_tags_for_work_spec_id(spec.id))
            unique = database.work_name_dao.get_names_for_work_spec_id(spec.id)
            worker = spec.worker_class_name.rsplit(".", 1)[-1]
            # WorkManager tags every request with its worker's class name: not worth repeating
            own_tags = [tag for tag in tags if tag != spec.worker_class_name]
            label = worker
            if unique:
                label += f" (unique {', '.join(unique)})"
            if own_tags:
                label += f" [tags {', '.join(own_tags)}]"
            running = spec.state is State.RUNNING
            verdict = blocker = None
            if spec.state is State.ENQUEUED and spec.schedule_requested_at >= 0:
                decided = world.job_scheduler.explain(package, spec.id)
                verdict = decided.reason
                blocker = decided.blocker.value if decided.blocker is not None else None
            answers.append(
                WorkWhy(
                    t_ms=world.sim.now_ms,
                    package=package,
                    work=spec.id,
                    label=label,
                    state=spec.state.name,
                    running=running,
                    finished=spec.state.is_finished,
                    reason=world.why_not_running(spec.id, package),
                    verdict=verdict,
                    blocker=blocker,
                    names=(*tags, *unique),
                )
            )
    return answers
