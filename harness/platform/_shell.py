"""``cmd jobscheduler`` and ``dumpsys jobscheduler`` on the simulated device's adb shell.

Output strings follow ``JobSchedulerShellCommand.java`` and ``JobSchedulerService.dumpInternal``
(the subset a test or a runbook reads): ``Running job [FORCED]``, ``Timing out: #u0a.../ID ...``,
and per registered job its required, satisfied and unsatisfied constraints and why it waits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness._exceptions import JobShellError
from harness._units import format_duration_ms
from harness.device import ShellCommands
from harness.platform._decision import network_label
from harness.platform._job_info import JobNetworkType
from harness.platform._jobs import JobStatus, network_satisfied
from harness.platform._service import JobSchedulerService

_HELP = (
    "cmd jobscheduler supports: run [-f|--force] [-s|--satisfied] PACKAGE JOB_ID, "
    "timeout [PACKAGE [JOB_ID]], get-job-state PACKAGE JOB_ID"
)


def _uid(package: str) -> str:
    return f"u0a{sum(package.encode()) % 900 + 100}"


def _unique_id(status: JobStatus) -> str:
    return f"#{_uid(status.job.package)}/{status.job.job_id}"


def _job_id(text: str, usage: str) -> int:
    """A job id argument, or the shell's error (``Integer.parseInt`` fails on anything else)."""
    if not text.lstrip("-").isdigit():
        raise JobShellError(f"Error: job id {text!r} is not a number; {usage}")
    return int(text)


def cmd_jobscheduler(
    service: JobSchedulerService,
    args: Sequence[str],
    is_installed: Callable[[str], bool] | None = None,
) -> str:
    """Run ``cmd jobscheduler ARGS`` and return what it prints. ``is_installed`` tells an installed
    package with no such job ("Could not find job") from an unknown one ("Package not found")."""
    if not args:
        raise JobShellError(_HELP)
    command, rest = args[0], list(args[1:])
    if command == "run":
        force = satisfied = False
        positional: list[str] = []
        for arg in rest:
            if arg in ("-f", "--force"):
                force = True
            elif arg in ("-s", "--satisfied"):
                satisfied = True
            elif arg.startswith("-"):
                raise JobShellError(f"Error: unknown option '{arg}'")
            else:
                positional.append(arg)
        if force and satisfied:
            raise JobShellError("Cannot specify both --force and --satisfied")
        if len(positional) != 2:
            raise JobShellError("Error: run needs PACKAGE JOB_ID")
        package, job_id = positional[0], _job_id(positional[1], "run needs PACKAGE JOB_ID")
        installed = (
            is_installed(package)
            if is_installed is not None
            else any(s.job.package == package for s in service.all_jobs())
        )
        if not installed:
            raise JobShellError(f"Package not found: {package} / user 0")
        try:
            service.run_now(package, job_id, force=force, satisfied=satisfied)
        except LookupError:
            raise JobShellError(
                f"Could not find job {job_id} in package {package} / user 0"
            ) from None
        except ValueError:
            raise JobShellError(
                f"Job {job_id} in package {package} / user 0 has functional constraints but "
                "--force not specified"
            ) from None
        return "Running job [FORCED]\n" if force else "Running job\n"
    if command == "timeout":
        usage = "timeout [PACKAGE [JOB_ID]]"
        stopped = service.time_out(
            rest[0] if rest else None, _job_id(rest[1], usage) if len(rest) > 1 else None
        )
        if not stopped:
            return "No matching executing jobs found.\n"
        # Android 13 prints "Timing out:", 14+ runs the stop command and prints "Stopping job:"
        verb = "Timing out" if service.device.platform_version <= 13 else "Stopping job"
        return "".join(
            f"{verb}: {_unique_id(s)} {s.job.package}/{s.job.service}\n" for s in stopped
        )
    if command == "get-job-state":
        if len(rest) != 2:
            raise JobShellError("Error: get-job-state needs PACKAGE JOB_ID")
        status = service.job_status(rest[0], _job_id(rest[1], "get-job-state PACKAGE JOB_ID"))
        if status is None:
            return f"unknown({_uid(rest[0])}/jid{rest[1]})\n"
        if status.running:
            return "active\n"
        return "ready\n" if service.verdict(status).runnable else "waiting\n"
    raise JobShellError(f"Unknown command: {command}\n{_HELP}")


def _required(status: JobStatus) -> list[str]:
    job = status.job
    names = []
    if job.requires_charging:
        names.append("CHARGING")
    if job.requires_battery_not_low:
        names.append("BATTERY_NOT_LOW")
    if job.requires_storage_not_low:
        names.append("STORAGE_NOT_LOW")
    if job.earliest_ms > status.scheduled_ms:
        names.append("TIMING_DELAY")
    if job.requires_device_idle:
        names.append("IDLE")
    if job.network_type is not JobNetworkType.NETWORK_TYPE_NONE:
        names.append("CONNECTIVITY")
    return names


def _satisfied(service: JobSchedulerService, status: JobStatus) -> set[str]:
    device = service.device
    now = service.sim.now_ms
    satisfied = set()
    if device.charging:
        satisfied.add("CHARGING")
    if device.battery_not_low:
        satisfied.add("BATTERY_NOT_LOW")
    if device.storage_not_low:
        satisfied.add("STORAGE_NOT_LOW")
    if status.job.earliest_ms <= now:
        satisfied.add("TIMING_DELAY")
    if device.device_idle:
        satisfied.add("IDLE")
    if network_satisfied(status.job, device.network):
        satisfied.add("CONNECTIVITY")
    return satisfied


def dumpsys_jobscheduler(service: JobSchedulerService, args: Sequence[str] = ()) -> str:
    """``dumpsys jobscheduler [PACKAGE]``: the registered jobs and their constraint states."""
    now = service.sim.now_ms
    package_filter = args[0] if args else None
    jobs = [s for s in service.all_jobs() if package_filter in (None, s.job.package)]
    lines = [
        "Settings:",
        "  min_ready_non_active_jobs_count=5",
        "  max_non_active_job_batch_delay_ms=1860000",
        "  runtime_min_guarantee_ms=600000",
        "  runtime_min_ej_guarantee_ms=180000",
        "  runtime_free_quota_max_limit_ms=1800000",
        "",
        "Started users: [0]",
        f"Registered {len(jobs)} jobs:",
    ]
    if not jobs:
        lines.append("  None.")
    for status in jobs:
        job = status.job
        required = _required(status)
        satisfied = _satisfied(service, status)
        unsatisfied = [name for name in required if name not in satisfied]
        verdict = service.verdict(status)
        delay = job.earliest_ms - now
        lines += [
            f"  JOB {_unique_id(status)}: {job.package}/{job.service}",
            f"    Source: uid={_uid(job.package)} user=0 pkg={job.package}",
            "    JobInfo:",
            f"      Service: {job.package}/{job.service}",
            f"      Requires: charging={str(job.requires_charging).lower()} "
            f"batteryNotLow={str(job.requires_battery_not_low).lower()} "
            f"deviceIdle={str(job.requires_device_idle).lower()}",
            f"      Network type: {network_label(job.network_type, job.network_capabilities)}",
            f"      Backoff: policy={0 if job.backoff_linear else 1} "
            f"initial=+{format_duration_ms(job.backoff_delay_ms)}",
            f"    Required constraints: {' '.join(required) or 'none'}",
            f"    Satisfied constraints: {' '.join(n for n in required if n in satisfied)}",
            f"    Unsatisfied constraints: {' '.join(unsatisfied)}",
            f"    Standby bucket: {service.effective_bucket(job.package).name}",
            f"    Run time: earliest={'+' if delay > 0 else '-'}"
            f"{format_duration_ms(abs(delay))}, latest=none",
            f"    Num failures: {status.failures}",
            f"    Ready: {str(verdict.runnable or status.running).lower()}"
            + ("" if verdict.runnable or status.running else f" ({verdict.reason})"),
        ]
    running = [s for s in jobs if s.running]
    lines += ["", "Active jobs:"]
    if not running:
        lines.append("  None.")
    for index, status in enumerate(running):
        since = now - (status.running_since_ms or now)
        lines.append(f"  Slot #{index}: {_unique_id(status)} {status.job.package}")
        lines.append(
            f"    Running for: +{format_duration_ms(since)}, timeout at: "
            f"+{format_duration_ms(max(status.limit_ms - since, 0))}"
        )
    return "\n".join(lines) + "\n"


def register_jobscheduler_shell(
    shell: ShellCommands, service: JobSchedulerService, is_installed: Callable[[str], bool]
) -> None:
    """Join ``cmd jobscheduler`` and ``dumpsys jobscheduler`` to the device's adb shell (a shell
    error prints its message, as ``JobSchedulerShellCommand`` does)."""

    def cmd(args: list[str]) -> str:
        try:
            return cmd_jobscheduler(service, args, is_installed)
        except JobShellError as error:
            return f"{error}\n"

    shell.register(
        "cmd jobscheduler",
        cmd,
        usage="cmd jobscheduler run [-f] PKG ID | timeout [PKG [ID]] | get-job-state PKG ID",
    )
    shell.register(
        "dumpsys jobscheduler",
        lambda args: dumpsys_jobscheduler(service, args),
        usage="dumpsys jobscheduler [PKG]",
    )
