"""Typed scheduling decisions (harness/platform/_decision.py): one wording per blocker, and code
acts on the blocker, never on the words."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.platform import (
    Blocker,
    Bucket,
    Constraint,
    JobNetworkType,
    JobStopReason,
    NetCapability,
    NetworkNeed,
    NetworkProblem,
    QuotaLimit,
    QuotaShortfall,
    SlotShortage,
    Unmet,
    Verdict,
    describe,
    network_label,
)

_NO_CAPS: frozenset[NetCapability] = frozenset()
_WITH_DATA = {
    Blocker.DELAY,
    Blocker.CONSTRAINT,
    Blocker.QUOTA,
    Blocker.BATCHING,
    Blocker.CONCURRENCY,
}
_CELL = NetworkNeed(
    JobNetworkType.NETWORK_TYPE_UNMETERED, _NO_CAPS, NetworkProblem.DOES_NOT_QUALIFY, "CELLULAR"
)

#: Each verdict and the exact words the trace has always carried for it (digests depend on them).
WORDS = [
    (Verdict(), "ready"),
    (Verdict(running_since_ms=90_000), "running since 0d00:01:30.000"),
    (Verdict(Blocker.DEVICE_OFF), "the device is off"),
    (
        Verdict(Blocker.DELAY, until_ms=3_600_000),
        "waiting until 0d01:00:00.000 (initial delay, period or backoff)",
    ),
    (Verdict(Blocker.STANDBY_NEVER), "app is in the NEVER standby bucket (never opened)"),
    (
        Verdict(Blocker.CONSTRAINT, unmet=Unmet(Constraint.CHARGING, JobStopReason(6))),
        "constraint unmet: needs charging",
    ),
    (
        Verdict(Blocker.CONSTRAINT, unmet=Unmet(Constraint.CONNECTIVITY, JobStopReason(7), _CELL)),
        "constraint unmet: needs network UNMETERED: CELLULAR does not qualify",
    ),
    (Verdict(Blocker.DOZE), "doze: deferred to the next maintenance window"),
    (Verdict(Blocker.DOZE_EXIT), "doze ended: background jobs wait 3 s to be re-evaluated"),
    (Verdict(Blocker.BACKGROUND_RESTRICTED), "the user restricted the app's background activity"),
    (Verdict(Blocker.BATTERY_SAVER), "battery saver: background jobs are paused"),
    (
        Verdict(
            Blocker.QUOTA,
            quota=QuotaShortfall(QuotaLimit.TIME, Bucket.RARE, 0, 600, 86_400_000),
        ),
        "out of quota: standby bucket RARE: 0 s of the 600 s quota left per 1440 min window",
    ),
    (
        Verdict(Blocker.QUOTA, quota=QuotaShortfall(QuotaLimit.USED_UP, Bucket.FREQUENT)),
        "out of quota: standby bucket FREQUENT: quota used up",
    ),
    (
        Verdict(Blocker.BATCHING, bucket=Bucket.WORKING_SET),
        "batching: waiting for 5 ready jobs or 31 min (standby bucket WORKING_SET)",
    ),
    (
        Verdict(Blocker.CONCURRENCY, shortage=SlotShortage(16)),
        "waiting for a job slot: 16 jobs are running (JobScheduler's concurrency limit)",
    ),
    (
        Verdict(Blocker.CONCURRENCY, shortage=SlotShortage(3, expedited=True)),
        "waiting for a job slot: the app runs its 3 expedited jobs allowed while all slots are "
        "wanted",
    ),
    (
        Verdict(
            Blocker.CONSTRAINT,
            unmet=Unmet(Constraint.CHARGING, JobStopReason(6), battery_low=True),
        ),
        "constraint unmet: needs charging: charging, but the battery is low (no stable power)",
    ),
    (Verdict(Blocker.PROCESS_CANNOT_START), "the app's process cannot start (force-stopped?)"),
    (Verdict(Blocker.NOT_SCHEDULED), "no job is scheduled for it in JobScheduler"),
]


@pytest.mark.parametrize(("verdict", "words"), WORDS)
def test_describe_words_each_verdict_as_the_trace_has_it(verdict: Verdict, words: str) -> None:
    """``describe`` is the one wording of a verdict; ``Verdict.reason`` is that wording."""
    assert describe(verdict) == words
    assert verdict.reason == words
    assert verdict.runnable is (verdict.blocker is None)


def test_every_blocker_has_words() -> None:
    """No blocker is left without a wording."""
    covered = {verdict.blocker for verdict, _ in WORDS}
    assert covered >= set(Blocker)


def test_verdicts_compare_by_blocker_and_data_not_stop_reason() -> None:
    """A ``job.deferred`` record is written when the blocker or its data change; the stop reason
    a running job would get is not part of what the user reads."""
    charging = Verdict(
        Blocker.CONSTRAINT,
        JobStopReason.STOP_REASON_CONSTRAINT_CHARGING,
        unmet=Unmet(Constraint.CHARGING, JobStopReason.STOP_REASON_CONSTRAINT_CHARGING),
    )
    standby = Verdict(
        Blocker.CONSTRAINT,
        JobStopReason.STOP_REASON_APP_STANDBY,
        unmet=Unmet(Constraint.CHARGING, JobStopReason.STOP_REASON_APP_STANDBY),
    )
    assert charging == standby
    assert Verdict(Blocker.DELAY, until_ms=1) != Verdict(Blocker.DELAY, until_ms=2)


@pytest.mark.parametrize(
    ("network_type", "capabilities", "label"),
    [
        (JobNetworkType.NETWORK_TYPE_NONE, _NO_CAPS, "NOT_REQUIRED"),
        (JobNetworkType.NETWORK_TYPE_ANY, _NO_CAPS, "CONNECTED"),
        (JobNetworkType.NETWORK_TYPE_UNMETERED, _NO_CAPS, "UNMETERED"),
        (JobNetworkType.NETWORK_TYPE_NOT_ROAMING, _NO_CAPS, "NOT_ROAMING"),
        (JobNetworkType.NETWORK_TYPE_CELLULAR, _NO_CAPS, "METERED"),
        (
            JobNetworkType.NETWORK_TYPE_ANY,
            frozenset({NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED}),
            "TEMPORARILY_UNMETERED",
        ),
    ],
)
def test_network_label_names_the_request_as_the_trace_does(
    network_type: JobNetworkType, capabilities: frozenset[NetCapability], label: str
) -> None:
    """A JobInfo network request is named by the WorkManager type it came from
    (``SystemJobInfoConverter.convertNetworkType`` read backwards)."""
    assert network_label(network_type, capabilities) == label


# The network requests SystemJobInfoConverter makes: a network type with no capability, or
# TEMPORARILY_UNMETERED as NETWORK_TYPE_ANY plus NET_CAPABILITY_TEMPORARILY_NOT_METERED.
_requests = st.one_of(
    st.tuples(
        st.sampled_from([t for t in JobNetworkType if t is not JobNetworkType.NETWORK_TYPE_NONE]),
        st.just(_NO_CAPS),
    ),
    st.just(
        (
            JobNetworkType.NETWORK_TYPE_ANY,
            frozenset({NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED}),
        )
    ),
)
_needs = st.builds(
    lambda request, problem, transport: NetworkNeed(request[0], request[1], problem, transport),
    _requests,
    st.sampled_from(list(NetworkProblem)),
    st.sampled_from(["WIFI", "CELLULAR"]),
).map(
    lambda need: (
        need if need.problem is not NetworkProblem.NO_NETWORK else replace(need, transport=None)
    )
)
_unmets = st.one_of(
    st.builds(
        Unmet,
        st.sampled_from([c for c in Constraint if c is not Constraint.CONNECTIVITY]),
        st.sampled_from(list(JobStopReason)),
    ),
    st.builds(
        Unmet, st.just(Constraint.CONNECTIVITY), st.sampled_from(list(JobStopReason)), _needs
    ),
    st.builds(
        lambda reason: Unmet(Constraint.CHARGING, reason, battery_low=True),
        st.sampled_from(list(JobStopReason)),
    ),
)
_buckets = st.sampled_from([b for b in Bucket if b is not Bucket.NEVER])
_shortfalls = st.one_of(
    st.builds(
        QuotaShortfall,
        st.sampled_from([QuotaLimit.TIME, QuotaLimit.JOBS, QuotaLimit.SESSIONS]),
        _buckets,
        st.integers(0, 3),
        st.integers(0, 3),
        st.sampled_from([10 * 60_000, 120 * 60_000]),
    ),
    st.builds(
        QuotaShortfall,
        st.sampled_from([QuotaLimit.RATE_JOBS, QuotaLimit.RATE_SESSIONS]),
        st.none(),
        st.integers(0, 3),
        st.just(0),
        st.just(60_000),
    ),
)
_verdicts = st.one_of(
    st.builds(Verdict, st.sampled_from([b for b in Blocker if b not in _WITH_DATA])),
    st.builds(lambda t: Verdict(Blocker.DELAY, until_ms=t), st.integers(0, 3)),
    st.builds(lambda u: Verdict(Blocker.CONSTRAINT, unmet=u), _unmets),
    st.builds(lambda q: Verdict(Blocker.QUOTA, quota=q), _shortfalls),
    st.builds(lambda b: Verdict(Blocker.BATCHING, bucket=b), _buckets),
    st.builds(
        lambda limit, expedited: Verdict(
            Blocker.CONCURRENCY, shortage=SlotShortage(limit, expedited)
        ),
        st.sampled_from([3, 8, 16]),
        st.sampled_from([None, True, False]),
    ),
)


@given(_verdicts, _verdicts)
def test_verdicts_are_equal_exactly_when_their_words_are(first: Verdict, second: Verdict) -> None:
    """``job.deferred`` is recorded when the verdict changes; that is exactly when its words
    change, so typed deduplication writes the same records the text did."""
    assert (first == second) is (first.reason == second.reason)
