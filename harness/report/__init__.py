"""Reports of scenario runs: summary.json (versioned), junit.xml, summary.md, index.html."""

from typing import TYPE_CHECKING, Final

from harness._lazy import lazy_names

if TYPE_CHECKING:
    from harness.report._compare import compare_reports
    from harness.report._escape import printable, printable_same_length
    from harness.report._fleet import FleetReport, write_fleet_report
    from harness.report._junit import junit_xml
    from harness.report._summary import SCHEMA_VERSION, Interruption, summary_json, summary_markdown
    from harness.report._timeline import timeline_svg
    from harness.report._write import Timelines, read_records, rerender, write_report

#: Each public name's private module, imported when the name is first read (module
#: ``__getattr__``, PEP 562): a run imports only the parts it uses (issue 14 (h)).
_LAZY: Final[dict[str, str]] = {
    "FleetReport": "_fleet",
    "Interruption": "_summary",
    "SCHEMA_VERSION": "_summary",
    "Timelines": "_write",
    "compare_reports": "_compare",
    "junit_xml": "_junit",
    "printable": "_escape",
    "printable_same_length": "_escape",
    "read_records": "_write",
    "rerender": "_write",
    "summary_json": "_summary",
    "summary_markdown": "_summary",
    "timeline_svg": "_timeline",
    "write_fleet_report": "_fleet",
    "write_report": "_write",
}

__all__ = [
    "SCHEMA_VERSION",
    "FleetReport",
    "Interruption",
    "Timelines",
    "compare_reports",
    "junit_xml",
    "printable",
    "printable_same_length",
    "read_records",
    "rerender",
    "summary_json",
    "summary_markdown",
    "timeline_svg",
    "write_fleet_report",
    "write_report",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
