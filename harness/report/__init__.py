"""Reports of scenario runs: summary.json (versioned), junit.xml, summary.md, index.html."""

from harness.report._compare import compare_reports
from harness.report._escape import printable, printable_same_length
from harness.report._fleet import FleetReport, write_fleet_report
from harness.report._junit import junit_xml
from harness.report._summary import SCHEMA_VERSION, Interruption, summary_json, summary_markdown
from harness.report._timeline import timeline_svg
from harness.report._write import read_records, rerender, write_report

__all__ = [
    "SCHEMA_VERSION",
    "FleetReport",
    "Interruption",
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
