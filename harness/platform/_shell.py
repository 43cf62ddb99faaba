"""``cmd jobscheduler`` and ``dumpsys jobscheduler`` on the simulated device's adb shell.

Output strings follow ``JobSchedulerShellCommand.java`` and ``JobSchedulerService.dumpInternal``
(the subset a test or a runbook reads): ``Running job [FORCED]``, ``Timing out: #u0a.../ID ...``,
and per registered job its required, satisfied and unsatisfied constraints and why it waits.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

from harness._exceptions import JobShellError, ShellCommandError
from harness._units import format_duration_ms
from harness.device import ShellCommands, app_id
from harness.platform._job_info import JobNetworkType
from harness.platform._jobs import JobStatus, network_satisfied
from harness.platform._request_text import network_request_text
from harness.platform._service import JobSchedulerService
from harness.platform._view import Bucket, DozeState

_HELP = (
    "cmd jobscheduler supports: run [-f|--force] [-s|--satisfied] PACKAGE JOB_ID, "
    "timeout [PACKAGE [JOB_ID]], get-job-state PACKAGE JOB_ID"
)


#: ``JobSchedulerShellCommand.onCommand``'s commands (A15@0898a28d) the simulation lacks.
_PHONE_COMMANDS = frozenset(
    """
    cancel monitor-battery get-aconfig-flag-state get-battery-seq get-battery-charging
    get-battery-not-low get-config-value get-estimated-download-bytes get-estimated-upload-bytes
    get-storage-seq get-storage-not-low get-transferred-download-bytes
    get-transferred-upload-bytes heartbeat cache-config-changes reset-execution-quota
    reset-schedule-quota reset-flex-policy enable-flex-policy disable-flex-policy stop
    trigger-dock-state help -h
    """.split()  # noqa: SIM905 (a word list reads better than quoted strings)
)


def _uid_number(package: str) -> int:
    """The app's uid (``10000 + N`` is ``u0aN``; the device's ``app_id``)."""
    return app_id(package)


def _uid(package: str) -> str:
    """``UserHandle.formatUid``: ``u0aN`` for app id ``10000 + N``."""
    return f"u0a{app_id(package) - 10_000}"


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
    if command in _PHONE_COMMANDS:
        raise ShellCommandError(
            f"cmd jobscheduler {command} is not supported by the simulated device; {_HELP}"
        )
    # JobSchedulerShellCommand.onCommand -> ShellCommand.handleDefaultCommands
    raise JobShellError(f"Unknown command: {command}")


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


#: ``JobSchedulerService.dumpHelp``.
_DUMP_HELP = (
    "Job Scheduler (jobscheduler) dump options:\n"
    "  [-h] [package] [--proto] ...\n"
    "    -h: print this help\n"
    "  [package] is an optional package name to limit the output to.\n"
    "    --proto: output dump in protocol buffer format.\n"
)


def _identity_hash(status: JobStatus) -> str:
    """``Integer.toHexString(System.identityHashCode(this))``: a stable stand-in per job."""
    return f"{zlib.crc32(f'{status.job.package}/{status.job.job_id}'.encode()):x}"


def _java_bool(value: bool) -> str:
    return "true" if value else "false"


def _ready_not_dozing(service: JobSchedulerService, status: JobStatus) -> bool:
    """``JobStatus.mReadyNotDozing`` as ``DeviceIdleJobsController`` sets it: not in idle mode,
    or the app power-allowlisted, or an expedited job within its quota (``canRunInDoze``), or
    an important-while-foreground job of an active or temp-allowlisted uid (``allowInIdle``)."""
    device, job = service.device, status.job
    if device.doze is not DozeState.IDLE or device.is_power_allowlisted(job.package):
        return True
    if job.important_while_foreground and (
        device.is_uid_active(job.package) or device.is_temp_allowlisted(job.package)
    ):
        return True
    bucket = service.effective_bucket(job.package)
    return job.expedited and service.readiness.within_ej_quota(
        job.package, bucket, service.sim.now_ms
    )


def _ready_not_restricted_in_bg(service: JobSchedulerService, status: JobStatus) -> bool:
    """``JobStatus.mReadyNotRestrictedInBg`` as ``BackgroundJobsController`` sets it from
    ``AppStateTrackerImpl.areJobsRestricted`` (background restriction, battery saver)."""
    device, job = service.device, status.job
    # AppStateTrackerImpl.areJobsRestricted: isUidActive first, then the power and temp
    # exemptions (mPowerExemptAllAppIds, mTempExemptAppIds), then RUN_ANY_IN_BACKGROUND
    if device.is_uid_active(job.package) or device.is_power_allowlisted(job.package):
        return True
    if device.is_temp_allowlisted(job.package):
        return True
    if device.is_background_restricted(job.package):
        return False
    if not device.battery_saver:
        return True
    bucket = service.effective_bucket(job.package)
    if bucket is Bucket.EXEMPTED:
        return True
    return job.expedited and service.readiness.within_ej_quota(
        job.package, bucket, service.sim.now_ms
    )


def _job_lines(service: JobSchedulerService, status: JobStatus, now: int) -> list[str]:
    """One job of ``dumpInternal``: the ``JOB`` line, the subset of ``JobStatus.dump`` the
    simulation knows, then ``Restricted due to:`` and ``Ready:``."""
    job = status.job
    required = _required(status)
    satisfied = _satisfied(service, status)
    unsatisfied = [name for name in required if name not in satisfied]
    job_ready = service.verdict(status).runnable  # JobStatus.isReady()
    delay = job.earliest_ms - now
    lines = [
        # dumpInternal: "JOB " printUniqueId ": " toShortStringExceptUniqueId (hash batteryName)
        f"  JOB {_unique_id(status)}: {_identity_hash(status)} {job.package}/{job.service}",
        f"    Source: uid={_uid(job.package)} user=0 pkg={job.package}",
        "    JobInfo:",
        f"      Service: {job.package}/{job.service}",
        f"      Requires: charging={_java_bool(job.requires_charging)} "
        f"batteryNotLow={_java_bool(job.requires_battery_not_low)} "
        f"deviceIdle={_java_bool(job.requires_device_idle)}",
    ]
    # JobStatus.dump: "Network type: " + getRequiredNetwork() (a NetworkRequest), only when set
    request = network_request_text(job, service.device.platform_version, _uid_number(job.package))
    if request is not None:
        lines.append(f"      Network type: {request}")
    lines += [
        f"      Backoff: policy={0 if job.backoff_linear else 1} "
        f"initial=+{format_duration_ms(job.backoff_delay_ms)}",
        f"    Required constraints: {' '.join(required) or 'none'}",
        f"    Satisfied constraints: {' '.join(n for n in required if n in satisfied)}",
        f"    Unsatisfied constraints: {' '.join(unsatisfied)}",
    ]
    if service.device.is_power_allowlisted(job.package):
        lines.append("    Doze whitelisted: true")  # JobStatus.dump: dozeWhitelisted
    lines += [
        "    Implicit constraints:",
        f"      readyNotDozing: {_java_bool(_ready_not_dozing(service, status))}",
        f"      readyNotRestrictedInBg: {_java_bool(_ready_not_restricted_in_bg(service, status))}",
        f"    Standby bucket: {service.effective_bucket(job.package).name}",
        f"    Run time: earliest={'+' if delay > 0 else '-'}"
        f"{format_duration_ms(abs(delay))}, latest=none",
        f"    Num failures: {status.failures}",
        # dumpInternal: no JobRestriction (thermal) is simulated
        "    Restricted due to: none.",
        # dumpInternal: isReadyToBeExecutedLocked (job ready and not running; one user, no
        # backup, the component present) with its parts
        f"    Ready: {_java_bool(job_ready and not status.running)} (job={_java_bool(job_ready)}"
        f" user=true !restricted=true !pending=true !active={_java_bool(not status.running)}"
        " !backingup=true comp=true)",
    ]
    return lines


def dumpsys_jobscheduler(
    service: JobSchedulerService,
    args: Sequence[str] = (),
    is_installed: Callable[[str], bool] | None = None,
) -> str:
    """``dumpsys jobscheduler [-a] [-h] [PACKAGE]``: the registered jobs and their state, in
    ``JobSchedulerService.dumpInternal``'s layout (the parts the simulation models)."""
    package_filter: str | None = None
    for arg in args:  # JobSchedulerStub.dump's argument loop
        if arg == "-h":
            return _DUMP_HELP
        if arg == "-a":
            continue
        if arg == "--proto":
            raise ShellCommandError(
                "dumpsys jobscheduler --proto is not supported by the simulated device"
            )
        if arg.startswith("-"):
            return f"Unknown option: {arg}\n"
        installed = (
            is_installed(arg)
            if is_installed is not None
            else any(s.job.package == arg for s in service.all_jobs())
        )
        if not installed:
            return f"Invalid package: {arg}\n"  # getPackageUid threw NameNotFoundException
        package_filter = arg
        break
    now = service.sim.now_ms
    jobs = [s for s in service.all_jobs() if package_filter in (None, s.job.package)]
    # sortJobs: by uid, then job id
    jobs.sort(key=lambda s: (_uid_number(s.job.package), s.job.job_id))
    lines = [
        "Settings:",
        "  min_ready_non_active_jobs_count=5",
        "  max_non_active_job_batch_delay_ms=1860000",
        "  runtime_min_guarantee_ms=600000",
        "  runtime_min_ej_guarantee_ms=180000",
        "  runtime_free_quota_max_limit_ms=1800000",
        "",
        "Started users: [0]",
        "",
        f"Registered {len(service.all_jobs())} jobs:",
    ]
    if not jobs:
        lines.append("  None.")
    for status in jobs:
        lines += _job_lines(service, status, now)
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
        lambda args: dumpsys_jobscheduler(service, args, is_installed),
        usage="dumpsys jobscheduler [PKG]",
    )
