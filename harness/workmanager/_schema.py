"""The sqlite schema of WorkManager's database and the mapping of a ``WorkSpec`` to its row.

The ``CREATE`` statements are androidx 2.10's Room schema (``W/impl/WorkDatabase.kt``, the
generated ``createAllTables``) with 2.11's ``backoff_on_system_interruptions`` column, so a
database written here has the layout of one pulled off a phone, plus three partial indexes of
the harness's own for the two scheduling queries (see ``SCHEMA``). Enums are stored as ordinals,
``Data`` as its V1 bytes; content-URI triggers and network requests as ``ObjectOutputStream``
BLOBs (``_constraint_codec.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Final

from harness.workmanager._constraint_codec import (
    bytes_to_network_request,
    bytes_to_triggers,
    network_request_to_bytes,
    triggers_to_bytes,
)
from harness.workmanager._constraints import Constraints
from harness.workmanager._data import Data
from harness.workmanager._enums import (
    BackoffPolicy,
    NetworkType,
    OutOfQuotaPolicy,
    State,
    StopReason,
)
from harness.workmanager._spec import WorkSpec

SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS `Dependency` (`work_spec_id` TEXT NOT NULL, `prerequisite_id` TEXT
 NOT NULL, PRIMARY KEY(`work_spec_id`, `prerequisite_id`), FOREIGN KEY(`work_spec_id`)
 REFERENCES `WorkSpec`(`id`) ON UPDATE CASCADE ON DELETE CASCADE , FOREIGN KEY(`prerequisite_id`)
 REFERENCES `WorkSpec`(`id`) ON UPDATE CASCADE ON DELETE CASCADE );
CREATE INDEX IF NOT EXISTS `index_Dependency_work_spec_id` ON `Dependency` (`work_spec_id`);
CREATE INDEX IF NOT EXISTS `index_Dependency_prerequisite_id` ON `Dependency` (`prerequisite_id`);
CREATE TABLE IF NOT EXISTS `WorkSpec` (`id` TEXT NOT NULL, `state` INTEGER NOT NULL,
 `worker_class_name` TEXT NOT NULL, `input_merger_class_name` TEXT NOT NULL, `input` BLOB NOT
 NULL, `output` BLOB NOT NULL, `initial_delay` INTEGER NOT NULL, `interval_duration` INTEGER NOT
 NULL, `flex_duration` INTEGER NOT NULL, `run_attempt_count` INTEGER NOT NULL, `backoff_policy`
 INTEGER NOT NULL, `backoff_delay_duration` INTEGER NOT NULL, `last_enqueue_time` INTEGER NOT
 NULL DEFAULT -1, `minimum_retention_duration` INTEGER NOT NULL, `schedule_requested_at` INTEGER
 NOT NULL, `run_in_foreground` INTEGER NOT NULL, `out_of_quota_policy` INTEGER NOT NULL,
 `period_count` INTEGER NOT NULL DEFAULT 0, `generation` INTEGER NOT NULL DEFAULT 0,
 `next_schedule_time_override` INTEGER NOT NULL DEFAULT 9223372036854775807,
 `next_schedule_time_override_generation` INTEGER NOT NULL DEFAULT 0, `stop_reason` INTEGER NOT
 NULL DEFAULT -256, `trace_tag` TEXT, `backoff_on_system_interruptions` INTEGER,
 `required_network_type` INTEGER NOT NULL,
 `required_network_request` BLOB NOT NULL DEFAULT x'', `requires_charging` INTEGER NOT NULL,
 `requires_device_idle` INTEGER NOT NULL, `requires_battery_not_low` INTEGER NOT NULL,
 `requires_storage_not_low` INTEGER NOT NULL, `trigger_content_update_delay` INTEGER NOT NULL,
 `trigger_max_content_delay` INTEGER NOT NULL, `content_uri_triggers` BLOB NOT NULL, PRIMARY
 KEY(`id`));
CREATE INDEX IF NOT EXISTS `index_WorkSpec_schedule_requested_at` ON `WorkSpec`
 (`schedule_requested_at`);
CREATE INDEX IF NOT EXISTS `index_WorkSpec_last_enqueue_time` ON `WorkSpec` (`last_enqueue_time`);
CREATE TABLE IF NOT EXISTS `WorkTag` (`tag` TEXT NOT NULL, `work_spec_id` TEXT NOT NULL, PRIMARY
 KEY(`tag`, `work_spec_id`), FOREIGN KEY(`work_spec_id`) REFERENCES `WorkSpec`(`id`) ON UPDATE
 CASCADE ON DELETE CASCADE );
CREATE INDEX IF NOT EXISTS `index_WorkTag_work_spec_id` ON `WorkTag` (`work_spec_id`);
CREATE TABLE IF NOT EXISTS `SystemIdInfo` (`work_spec_id` TEXT NOT NULL, `generation` INTEGER NOT
 NULL DEFAULT 0, `system_id` INTEGER NOT NULL, PRIMARY KEY(`work_spec_id`, `generation`), FOREIGN
 KEY(`work_spec_id`) REFERENCES `WorkSpec`(`id`) ON UPDATE CASCADE ON DELETE CASCADE );
CREATE TABLE IF NOT EXISTS `WorkName` (`name` TEXT NOT NULL, `work_spec_id` TEXT NOT NULL,
 PRIMARY KEY(`name`, `work_spec_id`), FOREIGN KEY(`work_spec_id`) REFERENCES `WorkSpec`(`id`) ON
 UPDATE CASCADE ON DELETE CASCADE );
CREATE INDEX IF NOT EXISTS `index_WorkName_work_spec_id` ON `WorkName` (`work_spec_id`);
CREATE TABLE IF NOT EXISTS `WorkProgress` (`work_spec_id` TEXT NOT NULL, `progress` BLOB NOT NULL,
 PRIMARY KEY(`work_spec_id`), FOREIGN KEY(`work_spec_id`) REFERENCES `WorkSpec`(`id`) ON UPDATE
 CASCADE ON DELETE CASCADE );
CREATE TABLE IF NOT EXISTS `Preference` (`key` TEXT NOT NULL, `long_value` INTEGER, PRIMARY
 KEY(`key`));
"""
    + (
        # Not Room's: two partial indexes for getEligibleWorkForScheduling, which runs after every
        # work run. With Room's indexes alone its slot count scans every row (finished rows keep
        # schedule_requested_at) and its FIFO order sorts every unscheduled row, so a batch of N
        # works cost O(N^2). Each index's WHERE names exactly that query's terms, so sqlite uses it
        # for that query only (a partial index serves a query whose WHERE contains the index's
        # terms) and every other query keeps its plan, hence its row order. Rows are unchanged; a
        # phone's database opened here just gains the two indexes.
        "CREATE INDEX IF NOT EXISTS `index_harness_WorkSpec_unscheduled_enqueued` ON `WorkSpec` "
        "(`state`, `schedule_requested_at`, `last_enqueue_time`) "
        "WHERE state=0 AND schedule_requested_at=-1;\n"
        "CREATE INDEX IF NOT EXISTS `index_harness_WorkSpec_scheduled_unfinished` ON `WorkSpec` "
        "(`schedule_requested_at`) WHERE schedule_requested_at<>-1 AND "
        "LENGTH(content_uri_triggers)=0 AND state NOT IN (2, 3, 5);\n"
        # And one for getAllEligibleWorkSpecsForScheduling (state=0 ORDER BY last_enqueue_time
        # LIMIT 200), which Schedulers.schedule runs after every run once GreedyScheduler is
        # registered: Room's last_enqueue_time index made it step over every finished row. Its
        # order is the same, (last_enqueue_time, rowid), so the same rows come back.
        "CREATE INDEX IF NOT EXISTS `index_harness_WorkSpec_enqueued` ON `WorkSpec` "
        "(`last_enqueue_time`) WHERE state=0;\n"
    )
)

COLUMNS: Final = (
    "id, state, worker_class_name, input_merger_class_name, input, output, initial_delay, "
    "interval_duration, flex_duration, run_attempt_count, backoff_policy, backoff_delay_duration, "
    "last_enqueue_time, minimum_retention_duration, schedule_requested_at, run_in_foreground, "
    "out_of_quota_policy, period_count, generation, next_schedule_time_override, "
    "next_schedule_time_override_generation, stop_reason, required_network_type, "
    "requires_charging, requires_device_idle, requires_battery_not_low, "
    "requires_storage_not_low, trigger_content_update_delay, trigger_max_content_delay, "
    "content_uri_triggers, backoff_on_system_interruptions, required_network_request"
)
COLUMN_COUNT: Final = COLUMNS.count(",") + 1
INSERT: Final = (
    f"INSERT OR IGNORE INTO workspec ({COLUMNS}) VALUES ({', '.join('?' * COLUMN_COUNT)})"
)
UPDATE: Final = (
    "UPDATE workspec SET "
    + ", ".join(f"{column.strip()}=?" for column in COLUMNS.split(",")[1:])
    + " WHERE id=?"
)
#: ``WorkTypeConverters.StateIds.COMPLETED_STATES``: SUCCEEDED, FAILED, CANCELLED.
COMPLETED: Final = "(2, 3, 5)"
#: Preference keys (``W/impl/utils/PreferenceUtils``).
KEY_RESCHEDULE_NEEDED: Final = "reschedule_needed"
KEY_LAST_CANCEL_ALL_TIME_MS: Final = "last_cancel_all_time_ms"
KEY_LAST_FORCE_STOP_MS: Final = "last_force_stop_ms"


def to_row(spec: WorkSpec) -> tuple[Any, ...]:
    constraints = spec.constraints
    return (
        spec.id,
        int(spec.state),
        spec.worker_class_name,
        spec.input_merger_class_name,
        spec.input.to_byte_array(),
        spec.output.to_byte_array(),
        spec.initial_delay,
        spec.interval_duration,
        spec.flex_duration,
        spec.run_attempt_count,
        int(spec.backoff_policy),
        spec.backoff_delay_duration,
        spec.last_enqueue_time,
        spec.minimum_retention_duration,
        spec.schedule_requested_at,
        int(spec.expedited),
        int(spec.out_of_quota_policy),
        spec.period_count,
        spec.generation,
        spec.next_schedule_time_override,
        spec.next_schedule_time_override_generation,
        int(spec.stop_reason),
        int(constraints.required_network_type),
        int(constraints.requires_charging),
        int(constraints.requires_device_idle),
        int(constraints.requires_battery_not_low),
        int(constraints.requires_storage_not_low),
        constraints.content_trigger_update_delay_millis,
        constraints.content_trigger_max_delay_millis,
        _triggers_blob(constraints.content_uri_triggers),
        None
        if spec.backoff_on_system_interruptions is None
        else int(spec.backoff_on_system_interruptions),
        _request_blob(constraints.required_network_request),
    )


def from_row(row: Sequence[Any]) -> WorkSpec:
    """The ``WorkSpec`` of a row (Room's generated cursor mapping in ``WorkSpecDao_Impl``).

    Memoised on the row's values: a ``WorkSpec`` is a frozen value (its ``Data`` and
    ``Constraints`` too), and the engine reads the same unchanged row several times per
    operation (the wrapper's checks, each ``work.*`` record), so an identical row returns the
    ``WorkSpec`` already built instead of decoding its ``Data`` and enums again.
    """
    return _from_values(tuple(row))


#: The members of each stored enum by the ordinal Room stores (a dict lookup instead of an
#: ``Enum`` call per column; an unknown value still goes through the call and raises).
_STATES: Final = {int(member): member for member in State}
_BACKOFF_POLICIES: Final = {int(member): member for member in BackoffPolicy}
_OUT_OF_QUOTA_POLICIES: Final = {int(member): member for member in OutOfQuotaPolicy}
_NETWORK_TYPES: Final = {int(member): member for member in NetworkType}
_STOP_REASONS: Final = {int(member): member for member in StopReason}


def state_of(value: int) -> State:
    """The ``State`` stored as ``value`` (Room's ordinal)."""
    member = _STATES.get(value)
    return State(value) if member is None else member


def stop_reason_of(value: int) -> StopReason:
    """The ``StopReason`` stored as ``value`` (an unknown value is UNKNOWN)."""
    member = _STOP_REASONS.get(value)
    return StopReason.from_value(value) if member is None else member


@functools.lru_cache(maxsize=64)
def data_of(raw: bytes) -> Data:
    """``Data.fromByteArray``, memoised: ``Data`` is immutable, and a work's input is read back
    on every run."""
    return Data.from_byte_array(raw)


_data = data_of


# Most work has neither triggers nor a network request: empty BLOBs, memoised either way.
_triggers = functools.lru_cache(maxsize=64)(bytes_to_triggers)
_network_request = functools.lru_cache(maxsize=64)(bytes_to_network_request)
_triggers_blob = functools.lru_cache(maxsize=64)(triggers_to_bytes)
_request_blob = functools.lru_cache(maxsize=64)(network_request_to_bytes)


@functools.lru_cache(maxsize=256)
def _from_values(row: tuple[Any, ...]) -> WorkSpec:
    backoff_policy = _BACKOFF_POLICIES.get(row[10])
    out_of_quota_policy = _OUT_OF_QUOTA_POLICIES.get(row[16])
    stop_reason = _STOP_REASONS.get(row[21])
    return WorkSpec(
        id=row[0],
        state=state_of(row[1]),
        worker_class_name=row[2],
        input_merger_class_name=row[3],
        input=_data(row[4]),
        output=_data(row[5]),
        initial_delay=row[6],
        interval_duration=row[7],
        flex_duration=row[8],
        run_attempt_count=row[9],
        backoff_policy=BackoffPolicy(row[10]) if backoff_policy is None else backoff_policy,
        backoff_delay_duration=row[11],
        last_enqueue_time=row[12],
        minimum_retention_duration=row[13],
        schedule_requested_at=row[14],
        expedited=bool(row[15]),
        out_of_quota_policy=(
            OutOfQuotaPolicy(row[16]) if out_of_quota_policy is None else out_of_quota_policy
        ),
        period_count=row[17],
        generation=row[18],
        next_schedule_time_override=row[19],
        next_schedule_time_override_generation=row[20],
        stop_reason=StopReason.from_value(row[21]) if stop_reason is None else stop_reason,
        backoff_on_system_interruptions=None if row[30] is None else bool(row[30]),
        constraints=_constraints(row[22:30], row[31]),
    )


@functools.lru_cache(maxsize=64)
def _constraints(columns: tuple[Any, ...], network_request: bytes) -> Constraints:
    """The ``Constraints`` of a row's constraint columns (``required_network_type`` to
    ``content_uri_triggers``, then ``required_network_request``), memoised: a frozen value, and
    most rows hold one of a few (every row of a batch of alike works the same)."""
    network_type = _NETWORK_TYPES.get(columns[0])
    constraints = Constraints(
        required_network_type=NetworkType(columns[0]) if network_type is None else network_type,
        requires_charging=bool(columns[1]),
        requires_device_idle=bool(columns[2]),
        requires_battery_not_low=bool(columns[3]),
        requires_storage_not_low=bool(columns[4]),
        content_trigger_update_delay_millis=columns[5],
        content_trigger_max_delay_millis=columns[6],
        content_uri_triggers=_triggers(columns[7]),
        required_network_request=_network_request(network_request),
    )
    # no constraint: the one NONE value, so that has_constraints() answers by identity
    return Constraints.NONE if constraints == Constraints.NONE else constraints
