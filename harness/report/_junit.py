"""JUnit XML: one test case per (scenario, seed), loadable by CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from harness.report._escape import xml_text
from harness.report._summary import Interruption
from harness.scenario import RunRecord


def junit_xml(records: Sequence[RunRecord], *, interrupted: Interruption | None = None) -> str:
    """Render ``records`` as a JUnit ``<testsuites>`` document (UTF-8 text with declaration).

    Each scenario is a ``<testsuite>``; each seed a ``<testcase name="seed N">``. A failed run
    has a ``<failure>`` whose message is the first broken check and whose text lists every
    broken check and the replay command; a run that could not complete has an ``<error>``. An
    interrupted run of the suite adds a ``<testsuite name="interrupted">`` whose one case is an
    ``<error>`` saying how many runs finished, so CI shows the report as partial.
    Characters XML 1.0 forbids (ESC, NUL, ...) in names and messages are written as ``\\xNN``.
    """
    root = ET.Element("testsuites", name="harness")
    total_tests = total_failures = total_errors = 0
    total_time = 0.0
    ordered = sorted(records, key=lambda record: (record.path, record.seed))
    for path, group in groupby(ordered, key=lambda record: record.path):
        runs = list(group)
        failures = sum(1 for run in runs if run.error is None and not run.passed)
        errors = sum(1 for run in runs if run.error is not None)
        time = sum(run.real_seconds for run in runs)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=runs[0].scenario,
            file=path,
            tests=str(len(runs)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{time:.3f}",
        )
        for run in runs:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=runs[0].scenario,
                name=f"seed {run.seed}",
                file=path,
                time=f"{run.real_seconds:.3f}",
            )
            if run.error is not None:
                error = ET.SubElement(case, "error", message=(run.error.splitlines() or [""])[0])
                error.text = f"{run.error}\nreplay: {run.replay_command()}"
            elif not run.passed:
                broken = run.failed_checks
                failure = ET.SubElement(
                    case, "failure", message=f"{broken[0].spec}: {broken[0].message}"
                )
                lines = []
                for check in broken:
                    lines.append(f"{check.spec}: {check.message}")
                    lines.extend(f"  {detail}" for detail in check.details)
                lines.append(f"replay: {run.replay_command()}")
                failure.text = "\n".join(lines)
            out = ET.SubElement(case, "system-out")
            out.text = f"digest {run.digest}" + (
                f"\ntrace {run.trace_path}" if run.trace_path else ""
            )
        total_tests += len(runs)
        total_failures += failures
        total_errors += errors
        total_time += time
    if interrupted is not None:
        suite = ET.SubElement(
            root, "testsuite", name="interrupted", tests="1", failures="0", errors="1"
        )
        suite.set("skipped", "0")
        suite.set("time", "0.000")
        case = ET.SubElement(suite, "testcase", classname="harness", name="interrupted")
        error = ET.SubElement(case, "error", message=interrupted.describe(), type="interrupted")
        error.text = (
            f"{interrupted.describe()}: the run was stopped by {interrupted.signal}; "
            "this report holds only the runs that finished"
        )
        total_tests += 1
        total_errors += 1
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    root.set("time", f"{total_time:.3f}")
    _make_well_formed(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _make_well_formed(root: ET.Element) -> None:
    """Rewrite every attribute and text so the document parses (ElementTree escapes ``<``, ``&``
    and ``]]>`` but writes forbidden control characters as they are)."""
    for element in root.iter():
        for key, value in element.attrib.items():
            element.set(key, xml_text(value))
        if element.text is not None:
            element.text = xml_text(element.text)
