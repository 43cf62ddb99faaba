"""Reason classes of job.deferred (harness/report/_reasons.py)."""

from __future__ import annotations

import pytest

from harness.platform import (
    Blocker,
    Bucket,
    Constraint,
    JobStopReason,
    QuotaLimit,
    QuotaShortfall,
    SlotShortage,
    Unmet,
    Verdict,
    describe,
)
from harness.report._reasons import ReasonClass, reason_class

_STOP = JobStopReason.STOP_REASON_CONSTRAINT_CHARGING

#: One verdict per blocker and the class its wording must fall in.
_VERDICTS = [
    (Verdict(Blocker.DELAY, until_ms=60_000), ReasonClass.BACKOFF),
    (Verdict(Blocker.CONSTRAINT, unmet=Unmet(Constraint.CHARGING, _STOP)), ReasonClass.CONSTRAINT),
    (Verdict(Blocker.DOZE), ReasonClass.DOZE),
    (Verdict(Blocker.DOZE_EXIT), ReasonClass.DOZE),
    (
        Verdict(Blocker.QUOTA, quota=QuotaShortfall(QuotaLimit.JOBS, Bucket.RARE, 3, 3, 1)),
        ReasonClass.QUOTA,
    ),
    (Verdict(Blocker.BATCHING, bucket=Bucket.RARE), ReasonClass.QUOTA),
    (Verdict(Blocker.STANDBY_NEVER), ReasonClass.QUOTA),
    (Verdict(Blocker.BATTERY_SAVER), ReasonClass.SAVER),
    (Verdict(Blocker.PROCESS_CANNOT_START), ReasonClass.FORCE_STOP),
    (Verdict(Blocker.BACKGROUND_RESTRICTED), ReasonClass.FORCE_STOP),
    (Verdict(Blocker.DEVICE_OFF), ReasonClass.OTHER),
    (Verdict(Blocker.NOT_SCHEDULED), ReasonClass.OTHER),
    (Verdict(Blocker.CONCURRENCY, shortage=SlotShortage(16)), ReasonClass.OTHER),
]


def test_every_blocker_is_covered() -> None:
    """Each Blocker of JobStatus.isReady has a verdict in this table (a new one must be sorted)."""
    assert {verdict.blocker for verdict, _ in _VERDICTS} == set(Blocker)


@pytest.mark.parametrize(("verdict", "expected"), _VERDICTS, ids=lambda v: str(v)[:40])
def test_each_verdict_wording_falls_in_its_class(verdict: Verdict, expected: ReasonClass) -> None:
    """The class is read from describe()'s wording, the one job.deferred records."""
    assert reason_class(describe(verdict)) is expected
