"""The flutter workmanager facade (harness/flutter/): API, defaults, mappings, engine life."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from harness._exceptions import DefinitionError
from harness.app import AppInstance
from harness.app._context import run_as
from harness.app._runtime import App, AppRuntime
from harness.backends import Internet
from harness.flutter import (
    DART_INITIALIZATION_TIMEOUT_MS,
    DEFAULT_PLUGIN_VERSION,
    ENGINE_START_MS,
    INIT_REQUIRED,
    BackoffPolicy,
    Constraints,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    NetworkType,
    PlatformException,
    PluginVersion,
    StopReason,
    UnsupportedError,
    Workmanager,
    WorkState,
)
from harness.sim import Simulation
from harness.workmanager import BackoffPolicy as AndroidBackoff
from harness.workmanager import NetworkType as AndroidNetworkType
from harness.workmanager import State, WorkInfo
from tests.app.test_http import WIFI, FakeNetwork
from tests.flutter import sample_app

_T = TypeVar("_T")
PACKAGE = sample_app.PACKAGE


def make_runtime(sim: Simulation, plugin_version: str | None = None) -> AppRuntime:
    sample_app.SEEN.clear()
    sample_app.STOPPED.clear()
    internet = Internet(sim)
    internet.backend(sample_app.API).route("GET", "/data", json={"items": 3})
    versions = {} if plugin_version is None else {"flutter_workmanager": plugin_version}
    app_runtime = AppRuntime(
        sim, internet, network_for=lambda _package: FakeNetwork(WIFI), versions=versions
    )
    app_runtime.install(App.from_module("tests.flutter.sample_app"))
    app_runtime.launch(PACKAGE)
    sim.run_for(1)
    return app_runtime


@pytest.fixture
def runtime(sim: Simulation) -> AppRuntime:
    return make_runtime(sim)


def ui(runtime: AppRuntime) -> AppInstance:
    process = runtime.process(PACKAGE)
    assert process is not None
    return process.instance


def in_app(runtime: AppRuntime, action: Callable[[], _T]) -> _T:
    return run_as(ui(runtime), action)  # type: ignore[no-any-return]


def infos(runtime: AppRuntime, name: str) -> list[WorkInfo]:
    process = runtime.process(PACKAGE)
    assert process is not None
    return process.work_manager.get_work_infos_for_unique_work(name)


def test_periodic_task_runs_handler_every_15_minutes(sim: Simulation, runtime: AppRuntime) -> None:
    """register_periodic_task defaults to a 15-minute frequency; true maps to success."""
    in_app(runtime, lambda: Workmanager().register_periodic_task("sync", "ok"))
    sim.run_for("46m")
    starts = [r.t_ms for r in sim.trace.of_kind("work.started")]
    assert len(starts) == 4
    assert [b - a for a, b in itertools.pairwise(starts)] == [900_150] * 3
    assert {r["result"] for r in sim.trace.of_kind("flutter.task_result")} == {"success"}


def test_register_before_initialize_fails_with_the_plugin_error(sim: Simulation) -> None:
    """Registering before any initialize() is a PlatformException with INIT_REQUIRED."""
    internet = Internet(sim)
    app_runtime = AppRuntime(sim, internet, network_for=lambda _p: FakeNetwork(WIFI))
    app_runtime.install(App.from_module("tests.flutter.sample_app"))
    process = app_runtime.start_process(PACKAGE, reason="test")
    call = run_as(process.instance, lambda: Workmanager().register_one_off_task("a", "ok"))
    with pytest.raises(PlatformException) as error:
        call.result()
    assert (error.value.code, error.value.message) == ("Exception", INIT_REQUIRED)
    assert sim.trace.of_kind("flutter.platform_error")[0]["call"] == "registerOneOffTask"


def test_initialize_is_remembered_across_launches(sim: Simulation, runtime: AppRuntime) -> None:
    """The dispatcher handle is persisted: a later process may register without initialize."""
    runtime.kill_process(PACKAGE, reason="test")
    process = runtime.start_process(PACKAGE, reason="test")
    call = run_as(process.instance, lambda: Workmanager().register_one_off_task("a", "ok"))
    assert call.result() is None


def test_false_maps_to_retry_with_workmanager_default_backoff(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """false -> Result.retry(); without backoff arguments WorkManager's 30 s exponential applies."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("r", "retry"))
    sim.run_for("4m")
    starts = [r.t_ms - 1 for r in sim.trace.of_kind("work.started")]
    # each run ends 150 ms (engine start) after it starts; backoff counts from there
    assert starts == [0, 30_150, 90_300, 210_450]


def test_exception_maps_to_failure(sim: Simulation, runtime: AppRuntime) -> None:
    """A handler that throws fails the work (one-off: FAILED), with the error traced."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("b", "boom"))
    sim.run_for("1m")
    assert infos(runtime, "b")[0].state is State.FAILED
    assert "ValueError: the sync failed" in sim.trace.of_kind("flutter.task_error")[0]["error"]


def test_non_bool_result_is_a_failure(sim: Simulation, runtime: AppRuntime) -> None:
    """A handler returning something other than a bool fails (a Dart type error)."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("n", "not_bool"))
    sim.run_for("1m")
    assert infos(runtime, "n")[0].state is State.FAILED


def test_one_off_default_policy_is_keep(sim: Simulation, runtime: AppRuntime) -> None:
    """A second one-off under the same name while the first is enqueued is ignored (KEEP)."""

    def register_twice() -> None:
        wm = Workmanager()
        wm.register_one_off_task("k", "ok", initial_delay=timedelta(hours=1))
        wm.register_one_off_task("k", "ok", initial_delay=timedelta(minutes=1))

    in_app(runtime, register_twice)
    [info] = infos(runtime, "k")
    assert info.next_schedule_time_millis == 1 + 3_600_000


def test_one_off_append_and_update_map_to_append_or_replace(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """The plugin maps one-off 'append' and 'update' to APPEND_OR_REPLACE."""
    assert ExistingWorkPolicy.APPEND.to_android().name == "APPEND_OR_REPLACE"
    assert ExistingWorkPolicy.UPDATE.to_android().name == "APPEND_OR_REPLACE"

    def register() -> None:
        wm = Workmanager()
        wm.register_one_off_task("c", "boom")
        wm.register_one_off_task("c", "ok", existing_work_policy=ExistingWorkPolicy.APPEND)

    in_app(runtime, register)
    assert [info.state for info in infos(runtime, "c")] == [State.ENQUEUED, State.BLOCKED]
    sim.run_for("1m")
    # the first failed: APPEND_OR_REPLACE made the second fail with it (a chain), not replace it
    assert sorted(info.state.name for info in infos(runtime, "c")) == ["FAILED", "FAILED"]


def test_periodic_default_policy_is_update(sim: Simulation, runtime: AppRuntime) -> None:
    """Re-registering a periodic task updates it in place (UPDATE): same id, generation + 1."""

    def register_twice() -> None:
        wm = Workmanager()
        wm.register_periodic_task("p", "ok", frequency=timedelta(hours=1))
        wm.register_periodic_task("p", "ok", frequency=timedelta(hours=2))

    in_app(runtime, register_twice)
    [info] = infos(runtime, "p")
    assert info.generation == 1
    assert info.periodicity_info is not None
    assert info.periodicity_info.repeat_interval_millis == 7_200_000


def test_frequency_below_15_minutes_is_raised_by_workmanager(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """A 5-minute frequency becomes 15 minutes (WorkManager's minimum), as on Android."""
    in_app(
        runtime,
        lambda: Workmanager().register_periodic_task("f", "ok", frequency=timedelta(minutes=5)),
    )
    [info] = infos(runtime, "f")
    assert info.periodicity_info is not None
    assert info.periodicity_info.repeat_interval_millis == 900_000


def test_flex_only_when_given(sim: Simulation, runtime: AppRuntime) -> None:
    """Without flex_interval the first run is at enqueue + initial delay (no hidden flex)."""

    def register() -> None:
        wm = Workmanager()
        wm.register_periodic_task("noflex", "ok", frequency=timedelta(hours=1))
        wm.register_periodic_task(
            "flex", "ok", frequency=timedelta(hours=1), flex_interval=timedelta(minutes=15)
        )

    in_app(runtime, register)
    assert infos(runtime, "noflex")[0].next_schedule_time_millis == 1
    assert infos(runtime, "flex")[0].next_schedule_time_millis == 1 + 2_700_000


def test_initial_delay_travels_in_whole_seconds(sim: Simulation, runtime: AppRuntime) -> None:
    """Dart's Duration.inSeconds truncates: 1.9 s of initial delay becomes 1 s."""
    in_app(
        runtime,
        lambda: Workmanager().register_one_off_task(
            "d", "ok", initial_delay=timedelta(milliseconds=1900)
        ),
    )
    assert infos(runtime, "d")[0].initial_delay_millis == 1000


def test_backoff_only_when_policy_and_delay_are_both_given(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """A policy without a delay is dropped (WorkManager's default applies); both set it."""

    def register() -> None:
        wm = Workmanager()
        wm.register_one_off_task("half", "ok", backoff_policy=BackoffPolicy.LINEAR)
        wm.register_one_off_task(
            "both",
            "ok",
            backoff_policy=BackoffPolicy.LINEAR,
            backoff_policy_delay=timedelta(minutes=1),
        )

    in_app(runtime, register)
    process = runtime.process(PACKAGE)
    assert process is not None
    db = process.work_manager.database
    half = db.work_spec_dao.get_work_spec(str(infos(runtime, "half")[0].id))
    both = db.work_spec_dao.get_work_spec(str(infos(runtime, "both")[0].id))
    assert half is not None
    assert both is not None
    assert (half.backoff_policy, half.backoff_delay_duration) == (
        AndroidBackoff.EXPONENTIAL,
        30_000,
    )
    assert (both.backoff_policy, both.backoff_delay_duration) == (AndroidBackoff.LINEAR, 60_000)


def test_constraints_apply_only_given_fields(sim: Simulation, runtime: AppRuntime) -> None:
    """Dart Constraints map field by field; unset fields stay unconstrained."""
    constraints = Constraints(network_type=NetworkType.UNMETERED, requires_charging=True)
    in_app(
        runtime,
        lambda: Workmanager().register_one_off_task("c", "ok", constraints=constraints, tag="sync"),
    )
    [info] = infos(runtime, "c")
    assert info.constraints.required_network_type is AndroidNetworkType.UNMETERED
    assert info.constraints.requires_charging
    assert not info.constraints.requires_battery_not_low
    assert "sync" in info.tags


def test_input_data_round_trip_and_empty_default(sim: Simulation, runtime: AppRuntime) -> None:
    """The handler gets the input back (lists, maps via JSON, nulls dropped) or {} without."""
    payload: dict[str, Any] = {
        "n": 3,
        "s": "x",
        "f": 0.5,
        "ok": True,
        "ids": ["a", "b"],
        "nested": {"k": [1, None]},
        "mixed": [1, "a"],
        "gone": None,
    }

    def register() -> None:
        wm = Workmanager()
        wm.register_one_off_task("with", "ok", input_data=payload)
        wm.register_one_off_task("without", "ok")

    in_app(runtime, register)
    sim.run_for("1m")
    seen = {task_input.get("s", "none"): task_input for _, task_input, _ in sample_app.SEEN}
    assert seen["x"] == {k: v for k, v in payload.items() if k != "gone"}
    assert seen["none"] == {}


def test_unsupported_input_type_is_a_platform_exception(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """A value the plugin cannot encode fails the call with IllegalArgumentException."""
    call = in_app(
        runtime,
        lambda: Workmanager().register_one_off_task("x", "ok", input_data={"when": object()}),
    )
    with pytest.raises(PlatformException, match=r"Unsupported payload type for key 'when'"):
        call.result()


def test_every_run_gets_a_fresh_isolate(sim: Simulation, runtime: AppRuntime) -> None:
    """Each background run is a new app instance: in-memory state does not carry over."""
    in_app(runtime, lambda: Workmanager().register_periodic_task("p", "ok"))
    sim.run_for("31m")
    instance_ids = [instance for _, _, instance in sample_app.SEEN]
    assert len(instance_ids) == len(set(instance_ids)) == 3
    assert ui(runtime).instance_id not in instance_ids


def test_engine_teardown_cuts_off_unawaited_requests(sim: Simulation, runtime: AppRuntime) -> None:
    """Returning true before an un-awaited request finishes destroys the engine under it."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("u", "fetch_unawaited"))
    sim.run_for("1m")
    destroyed = sim.trace.of_kind("flutter.engine_destroyed")[0]
    assert destroyed["cut_off_tasks"] == 1
    assert sim.trace.of_kind("http.request")[0]["error"].startswith("cancelled")


def test_awaited_request_completes_and_is_stored(sim: Simulation, runtime: AppRuntime) -> None:
    """An awaited request finishes before the engine goes; its result reaches storage."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("f", "fetch"))
    sim.run_for("1m")
    assert sim.trace.of_kind("http.request")[0]["status"] == 200
    assert sim.trace.of_kind("flutter.engine_destroyed")[0]["cut_off_tasks"] == 0


def test_on_task_stopped_gets_darts_mapping_of_the_stop_reason(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """A stop calls on_task_stopped with StopReason.fromRawValue of Android's raw reason."""
    in_app(runtime, lambda: Workmanager().register_one_off_task("s", "slow"))
    sim.run_for("1m")
    in_app(runtime, lambda: Workmanager().cancel_by_unique_name("s"))
    sim.run_for("1m")
    # Android STOP_REASON_CANCELLED_BY_APP = 1, which Dart's enum reads as `timeout`
    assert sample_app.STOPPED == [("slow", StopReason.TIMEOUT)]
    assert "stopped" in sim.trace.of_kind("flutter.engine_destroyed")[0]["reason"]


def test_is_scheduled_and_get_work_info(sim: Simulation, runtime: AppRuntime) -> None:
    """is_scheduled_by_unique_name is true only while all of the name's work is active."""

    def check() -> tuple[bool, bool]:
        wm = Workmanager()
        wm.register_one_off_task("later", "ok", initial_delay=timedelta(hours=1))
        return (
            wm.is_scheduled_by_unique_name("later").result(),
            wm.is_scheduled_by_unique_name("nothing").result(),
        )

    assert in_app(runtime, check) == (True, False)
    info = in_app(runtime, lambda: Workmanager().get_work_info("later").result())
    assert info is not None
    assert (info.state, info.is_periodic, info.task_name) == (WorkState.SCHEDULED, False, None)
    sim.run_for("2h")
    assert (
        in_app(runtime, lambda: Workmanager().is_scheduled_by_unique_name("later").result())
        is False
    )


def test_cancel_by_tag_and_all(sim: Simulation, runtime: AppRuntime) -> None:
    """cancel_by_tag and cancel_all cancel the matching unfinished work."""

    def register_and_cancel() -> None:
        wm = Workmanager()
        wm.register_one_off_task("a", "ok", tag="t", initial_delay=timedelta(hours=1))
        wm.register_one_off_task("b", "ok", initial_delay=timedelta(hours=1))
        wm.cancel_by_tag("t")

    in_app(runtime, register_and_cancel)
    assert infos(runtime, "a")[0].state is State.CANCELLED
    assert infos(runtime, "b")[0].state is State.ENQUEUED
    in_app(runtime, lambda: Workmanager().cancel_all())
    assert infos(runtime, "b")[0].state is State.CANCELLED


def test_dispatcher_must_be_top_level(sim: Simulation, runtime: AppRuntime) -> None:
    """initialize() needs a top-level function, as PluginUtilities.getCallbackHandle does."""
    with pytest.raises(DefinitionError, match=r"not a top-level function"):
        in_app(runtime, lambda: Workmanager().initialize(lambda: None))


def test_dispatcher_without_execute_task_hangs_the_run_in_0_10_7(sim: Simulation) -> None:
    """0.10.7 waits for the Dart side forever when the dispatcher never calls execute_task
    (BackgroundWorker.kt @af5d75a: no watchdog)."""
    runtime = make_runtime(sim, "0.10.7")
    in_app(runtime, lambda: Workmanager().initialize(sample_app.silent_dispatcher))
    in_app(runtime, lambda: Workmanager().register_one_off_task("h", "ok"))
    sim.run_for("5m")
    assert infos(runtime, "h")[0].state is State.RUNNING
    assert sim.trace.of_kind("flutter.waiting_for_dart")


def test_the_0_10_9_watchdog_fails_a_run_whose_dispatcher_never_calls_back(
    sim: Simulation, runtime: AppRuntime
) -> None:
    """0.10.9 BackgroundWorker.kt: DartInitializationWatchdog, DART_INITIALIZATION_TIMEOUT_MILLIS =
    30_000, then stopEngine(Result.failure(), ...): the one-off work is FAILED 30 s after start."""
    in_app(runtime, lambda: Workmanager().initialize(sample_app.silent_dispatcher))
    in_app(runtime, lambda: Workmanager().register_one_off_task("h", "ok"))
    sim.run_for("29s")
    assert infos(runtime, "h")[0].state is State.RUNNING
    sim.run_for("2s")
    assert infos(runtime, "h")[0].state is State.FAILED
    error = sim.trace.of_kind("flutter.task_error")[0]
    assert (error["phase"], error["error"]) == (
        "initialization",
        "Dart engine did not initialize the background channel within 30000 ms",
    )
    started = sim.trace.of_kind("flutter.engine_started")[0].t_ms
    assert error.t_ms - started == ENGINE_START_MS + DART_INITIALIZATION_TIMEOUT_MS
    assert sim.trace.of_kind("flutter.engine_destroyed")


def test_on_task_stopped_never_reaches_dart_in_0_10_7(sim: Simulation) -> None:
    """0.10.7 BackgroundWorker.onStopped calls onTaskStopped off the main thread, the engine
    throws, the plugin catches it and stops the engine: Dart's handler never runs (#732)."""
    runtime = make_runtime(sim, "0.10.7")
    in_app(runtime, lambda: Workmanager().register_one_off_task("s", "slow"))
    sim.run_for("1m")
    in_app(runtime, lambda: Workmanager().cancel_by_unique_name("s"))
    sim.run_for("1m")
    assert sample_app.STOPPED == []
    assert sim.trace.of_kind("flutter.task_error")[0]["phase"] == "on_task_stopped"
    assert "Dart not told" in sim.trace.of_kind("flutter.engine_destroyed")[0]["reason"]


@pytest.mark.parametrize(
    ("plugin", "state"),
    [("0.10.7", State.RUNNING), ("0.10.9", State.FAILED), ("0.10.10", State.SUCCEEDED)],
)
def test_a_dispatcher_slow_to_register_loses_its_task_before_0_10_10(
    sim: Simulation, plugin: str, state: State
) -> None:
    """Plugin #738, fixed in 0.10.10 (PR #739): up to 0.10.9 BackgroundWorker sent
    backgroundChannelInitialized right after executeDartCallback, so a dispatcher that registers
    its handler later loses it (0.10.7 hangs, 0.10.9's watchdog fails the run at 30 s); from
    0.10.10 Dart signals notifyBackgroundChannelInitialized after executeTask and the task runs."""
    runtime = make_runtime(sim, plugin)
    in_app(runtime, lambda: Workmanager().initialize(sample_app.slow_boot_dispatcher))
    in_app(runtime, lambda: Workmanager().register_one_off_task("h", "ok"))
    sim.run_for("5m")
    assert infos(runtime, "h")[0].state is state
    assert bool(sample_app.SEEN) is (state is State.SUCCEEDED)
    lost = sim.trace.of_kind("flutter.waiting_for_dart")
    assert bool(lost) is (state is not State.SUCCEEDED)
    if lost:
        assert "#738" in lost[0]["reason"]


def test_0_10_10_keeps_the_watchdog_for_a_dispatcher_that_never_calls_back(
    sim: Simulation,
) -> None:
    """0.10.10 keeps the 30 s DartInitializationWatchdog as a dead-engine guard (PR #739)."""
    runtime = make_runtime(sim, "0.10.10")
    in_app(runtime, lambda: Workmanager().initialize(sample_app.silent_dispatcher))
    in_app(runtime, lambda: Workmanager().register_one_off_task("h", "ok"))
    sim.run_for("31s")
    assert infos(runtime, "h")[0].state is State.FAILED


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("0.10.7", PluginVersion.V0_10_7),
        ("0.10.9", PluginVersion.V0_10_9),
        ("0.10.10", PluginVersion.V0_10_10),
        ("0.10.12+1", PluginVersion.V0_10_10),
    ],
)
def test_plugin_versions_parse(value: str, member: PluginVersion) -> None:
    """0.10.7, 0.10.9, and 0.10.10 standing for every later 0.10.x release; the default is the
    newest stable release, 0.10.10 (2026-09-07)."""
    assert PluginVersion.parse(value) is member
    assert DEFAULT_PLUGIN_VERSION is PluginVersion.V0_10_10


@pytest.mark.parametrize("value", ["0.10.8", "0.9.0", "1.0.0", "0.10", 0.1])
def test_an_unknown_plugin_version_names_field_value_and_the_allowed_ones(value: object) -> None:
    """A bad value is an error naming the field, the value and the allowed values."""
    with pytest.raises(
        DefinitionError,
        match=r"^versions\.flutter_workmanager: .+ is not a modelled flutter workmanager plugin "
        r"version; allowed: 0\.10\.7, 0\.10\.9, 0\.10\.10 ",
    ):
        PluginVersion.parse(value)


def test_ios_only_calls_are_unsupported_on_android(sim: Simulation, runtime: AppRuntime) -> None:
    """Processing tasks, continued-processing tasks and printScheduledTasks throw
    UnsupportedError on Android."""
    with pytest.raises(UnsupportedError, match=r"Processing tasks are not supported"):
        in_app(runtime, lambda: Workmanager().register_processing_task("p", "p"))
    with pytest.raises(UnsupportedError, match=r"printScheduledTasks"):
        in_app(runtime, lambda: Workmanager().print_scheduled_tasks())
    # workmanager_android.dart registerContinuedProcessingTask (iOS 26 only)
    with pytest.raises(UnsupportedError, match=r"^Continued processing tasks are not supported"):
        in_app(runtime, lambda: Workmanager().register_continued_processing_task("c.*", "c"))


def test_periodic_policy_mapping() -> None:
    """Periodic policies keep their names in androidx."""
    assert ExistingPeriodicWorkPolicy.UPDATE.to_android().name == "UPDATE"
    assert ExistingPeriodicWorkPolicy.REPLACE.to_android().name == "REPLACE"
