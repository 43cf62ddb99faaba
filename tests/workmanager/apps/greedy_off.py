"""An app (androidx.work 2.12) whose ``Configuration`` turns the in-process GreedyScheduler off."""

from __future__ import annotations

from harness.workmanager import Configuration

PACKAGE = "com.example.greedyoff"


def work_manager_configuration() -> Configuration:
    return Configuration.builder().set_greedy_scheduler_enabled(False).build()


def main() -> None:
    """Nothing to schedule: the test reads the process's schedulers."""
