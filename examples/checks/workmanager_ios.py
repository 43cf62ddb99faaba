"""Custom checks for the flutter ``workmanager`` scenarios on an iPhone
(``custom: examples.checks.workmanager_ios:NAME``)."""

from __future__ import annotations

from harness.scenario import RunView


def never_fires_without_ios_setup(run: RunView) -> bool:
    """Without the identifier in ``BGTaskSchedulerPermittedIdentifiers`` every submit is refused
    (``BGTaskSchedulerErrorDomain`` code 3, notPermitted) and iOS never launches the task."""
    submits = run.records("ios.submit")
    refused = all(record.get("outcome") == "NOT_PERMITTED" for record in submits)
    return bool(submits) and refused and not run.records("ios.launch")
