"""Escaping in every output (harness/report/_escape.py and the writers that use it)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.report import rerender, timeline_svg, write_report
from harness.report._escape import (
    markdown_block,
    markdown_code,
    markdown_text,
    printable,
    printable_same_length,
    report_link,
    xml_text,
)
from harness.scenario._record import CheckResult, RunRecord
from harness.sim import Trace
from tests.report.hostile import HOSTILE

_LONG = "n" * 5000 + HOSTILE


class _Elements(HTMLParser):
    """Every start tag and its attributes, and the text outside tags, of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _assert_inert_html(page: str) -> _Elements:
    elements = _Elements()
    elements.feed(page)
    elements.close()
    assert "script" not in {tag for tag, _ in elements.tags}
    assert "img" not in {tag for tag, _ in elements.tags}
    for tag, attrs in elements.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href"):
                assert value is not None
                assert ":" not in value, (tag, name, value)  # no scheme: relative links only
    assert "\x1b" not in page
    assert "\x00" not in page
    return elements


def _hostile_record(tmp_path: Path, *, trace_path: str | None) -> RunRecord:
    return RunRecord(
        scenario=HOSTILE,
        path=f"scenarios/{HOSTILE}.yaml",
        seed=0,
        checks=(
            CheckResult(HOSTILE, f"custom: {HOSTILE}", False, HOSTILE, 60_000, (HOSTILE, _LONG)),
        ),
        digest="ab" * 32,
        duration_ms=3_600_000,
        real_seconds=0.1,
        metrics={HOSTILE: 1},
        notes=(HOSTILE,),
        trace_path=trace_path,
        error=f"RuntimeError: {HOSTILE}\n{HOSTILE}",
    )


@pytest.fixture
def hostile_report(tmp_path: Path) -> Path:
    # a report renders whatever a trace holds, hostile or hand-edited: no kind checks here
    trace = Trace(tmp_path / "runs" / "x" / "trace.jsonl", keep=False, strict=False)
    trace.emit(0, "work.started", id="w", worker=HOSTILE)
    trace.emit(10, "http.request", method=HOSTILE, url=HOSTILE, status=500)
    trace.emit(20, "work.finished", id="w", state=HOSTILE)
    trace.close()
    records = [_hostile_record(tmp_path, trace_path="runs/x/trace.jsonl")]
    write_report(tmp_path, records, created_at=HOSTILE)
    return tmp_path


def test_xml_text_rewrites_what_xml_forbids() -> None:
    """XML 1.0 allows tab, newline, CR and U+0020..U+FFFD (bar surrogates) and the astral planes."""
    assert xml_text("a\x1b[31mb\x00c\x0bd\ud800e\ufffff\t\n\r😀") == (
        "a\\x1b[31mb\\x00c\\x0bd\\ud800e\\ufffff\t\n\r😀"
    )


def test_printable_shows_terminal_controls() -> None:
    """ESC, C1 controls (a one-byte CSI), DEL and bidi overrides never reach the terminal raw."""
    assert printable("\x1b[2J\x9b2J\x7f\u202eab\tc\nd") == "\\x1b[2J\\x9b2J\\x7f\\u202eab\tc\nd"
    same = printable_same_length("\x1b[31m\x00\x9b\x7fok")
    assert same == "\u241b[31m\u2400\ufffd\u2421ok"
    assert len(same) == len("\x1b[31m\x00\x9b\x7fok")


def test_markdown_text_is_literal() -> None:
    """Markdown text keeps no raw HTML, link, emphasis, table pipe or line break."""
    text = markdown_text("<script>x</script> [a](javascript:b) *c* `d` | e & f\ng")
    assert text == (
        "&lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:b) \\*c\\* \\`d\\` \\| e &amp; f g"
    )


def test_markdown_code_only_holds_plain_text() -> None:
    """A code span holds text without markup characters; anything else is escaped text."""
    assert markdown_code("max_staleness: 2h") == "`max_staleness: 2h`"
    assert markdown_code("a`b") == "a\\`b"
    assert markdown_code("<b>") == "&lt;b&gt;"
    assert markdown_block("harness replay a.yaml --seed 1") == [
        "```",
        "harness replay a.yaml --seed 1",
        "```",
    ]
    assert markdown_block("harness replay <x>.yaml") == ["harness replay &lt;x&gt;.yaml"]


@pytest.mark.parametrize(
    "path",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "https://example.com/x",
        "//example.com/x",
        "/etc/passwd",
        "../../etc/passwd",
        "runs/../../x",
        "runs\\..\\x",
        "#x",
        "",
        "runs/\x1b/trace.jsonl",
        None,
    ],
)
def test_report_link_refuses_anything_but_a_relative_file(path: str | None) -> None:
    """Links in reports go only to relative files inside the report directory."""
    assert report_link(path) is None


def test_report_link_quotes_a_relative_file() -> None:
    """A relative path inside the directory is kept, percent-encoded for href."""
    assert report_link("runs/a-b/seed-1/trace.jsonl") == "runs/a-b/seed-1/trace.jsonl"
    assert report_link('runs/a "b"/t.jsonl') == "runs/a%20%22b%22/t.jsonl"


def test_junit_is_well_formed_with_control_characters(hostile_report: Path) -> None:
    """junit.xml parses with control characters, markup and ]]> in names and messages."""
    root = ET.parse(hostile_report / "junit.xml").getroot()
    case = root.find("testsuite/testcase")
    assert case is not None
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name", "").startswith("\\x1b[31mred\\x1b[0m")
    error = case.find("error")
    assert error is not None
    assert error.get("message", "").startswith("RuntimeError: \\x1b[31mred")
    assert "<script>alert(1)</script>" in (error.text or "")  # as text, parsed back
    assert "]]>" in (error.text or "")
    assert "\\x00" in (error.text or "")


def test_junit_keeps_an_empty_error_message() -> None:
    """A run error with no text still gives a well-formed <error> (no IndexError)."""
    from harness.report import junit_xml

    record = RunRecord("s", "s.yaml", 0, (), "ab", 1, 0.0, error="")
    ET.fromstring(junit_xml([record]))


def test_summary_md_carries_no_raw_html_or_links(hostile_report: Path) -> None:
    """summary.md escapes names, messages, details and notes: no <script>, no link, no ESC."""
    text = (hostile_report / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in text
    assert "<img" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # only escaped brackets: no link
    assert not re.search(r"(?<!\\)\\\\\|", text)  # no escaped backslash before a bare pipe
    assert "\x1b" not in text
    assert "\x00" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_index_html_is_inert(hostile_report: Path) -> None:
    """index.html shows hostile text as text: no script, no on* attribute, no javascript: link."""
    page = (hostile_report / "index.html").read_text(encoding="utf-8")
    elements = _assert_inert_html(page)
    assert any("<script>alert(1)</script>" in text for text in elements.text)
    assert any(
        tag == "a" and ("href", "runs/x/trace.jsonl") in attrs for tag, attrs in elements.tags
    )
    assert "<svg" in page  # the timeline is drawn, its labels escaped


def test_timeline_svg_escapes_every_label() -> None:
    """The SVG timeline is well-formed XML whatever the trace and check texts hold."""
    trace = Trace(strict=False)
    trace.emit(0, "work.started", id="w", worker=HOSTILE)
    trace.emit(10, "http.request", method=HOSTILE, url=HOSTILE, status=HOSTILE)
    trace.emit(20, "work.finished", id="w", state=HOSTILE)
    svg = timeline_svg(trace, 100, [CheckResult("c", HOSTILE, False, HOSTILE, 50)])
    root = ET.fromstring(svg)
    titles = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("<script>alert(1)</script>" in title for title in titles)
    assert not any(element.tag.endswith(("script", "img")) for element in root.iter())


def test_report_of_an_edited_summary_links_nowhere_else(hostile_report: Path) -> None:
    """`harness report` on a summary.json edited to hold javascript:, external and absolute
    trace paths renders no link to them (and reads no file outside the directory)."""
    summary_path = hostile_report / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    run = summary["scenarios"][0]["runs"][0]
    scenario = summary["scenarios"][0]
    scenario["runs"] = [
        {**run, "seed": seed, "trace": trace}
        for seed, trace in enumerate(
            [
                "javascript:alert(1)",
                "https://evil.example/x",
                "/etc/passwd",
                "../../../etc/passwd",
                '"><script>alert(1)</script>',
            ]
        )
    ]
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    index = rerender(hostile_report)
    page = index.read_text(encoding="utf-8")
    elements = _assert_inert_html(page)
    links = [dict(attrs).get("href") for tag, attrs in elements.tags if tag == "a"]
    assert all(str(link).startswith("#") for link in links), links
    assert "<svg" not in page  # no trace inside the directory to draw


def test_very_long_names_stay_well_formed(tmp_path: Path) -> None:
    """A name of thousands of characters with controls still gives parseable reports."""
    record = _hostile_record(tmp_path, trace_path=None)
    long = RunRecord(
        scenario=_LONG * 4,
        path=record.path,
        seed=1,
        checks=record.checks,
        digest=record.digest,
        duration_ms=record.duration_ms,
        real_seconds=0.0,
    )
    write_report(tmp_path, [record, long], created_at="now")
    ET.parse(tmp_path / "junit.xml")
    _assert_inert_html((tmp_path / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("document", ["[]", "{}", '{"scenarios": [{"runs": [{}]}]}', "{bad"])
def test_report_of_a_broken_summary_says_so(tmp_path: Path, document: str) -> None:
    """A summary.json that is not one harness wrote is a ValueError naming the schema doc."""
    (tmp_path / "summary.json").write_text(document, encoding="utf-8")
    with pytest.raises(ValueError, match=r"summary|Expecting"):
        rerender(tmp_path)


def test_the_characters_xml_forbids_are_exactly_those_outside_its_char_production() -> None:
    """XML 1.0 Char is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    (https://www.w3.org/TR/xml/#charsets); every other code point is forbidden (checked at
    each range's edges)."""
    from harness.report._escape import _NOT_XML

    allowed = [(0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD)]
    allowed.append((0x10000, 0x10FFFF))
    edges = {point + step for low, high in allowed for point in (low, high) for step in (-1, 0, 1)}
    for code in sorted(edge for edge in edges | {0, 0x7F, 0x85, 0xFEFF} if 0 <= edge <= 0x10FFFF):
        xml_char = any(low <= code <= high for low, high in allowed)
        assert (_NOT_XML.search(chr(code)) is None) == xml_char, hex(code)
