"""Fuzzing the validator with mutated bundled scenarios (harness validate, harness/scenario/).

Every mutated file either validates (exit 0) or is refused with a clear message (exit 2): never
a traceback, never unbounded time, memory or output. A file that validates (with the full
preflight) runs without a harness error. The budget is bounded for CI: a few hundred examples.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness._exceptions import ScenarioError
from harness.cli import main
from harness.scenario import load, run_scenario

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").rglob("*.yaml"))
TEXTS = [path.read_text(encoding="utf-8") for path in BUNDLED]

#: ``key: value`` lines of the bundled files, by key: replacements that often still validate.
_LINE_RE = re.compile(r"^(\s*(?:- )?)([A-Za-z_]+):\s*(\S.*)$")
VALUES: dict[str, list[str]] = {}
for _text in TEXTS:
    for _line in _text.splitlines():
        _match = _LINE_RE.match(_line)
        if _match:
            VALUES.setdefault(_match[2], []).append(_match[3])
KEYS = sorted(VALUES)

HOSTILE = [
    "",
    "0s",
    "1ms",
    "-1",
    "1e400",
    ".nan",
    "9" * 5000,
    "100000000w",
    "3650d",
    "day 99999999999 08:00",
    "2026-01-05T00:00:00.0001Z",
    "0001-01-01",
    '""',
    ".:x",
    "os:system",
    '"https://[::1"',
    "ftp://x",
    "&x [*x]",
    "*nope",
    "!!python/object/apply:os.system ['true']",
    "[" * 200 + "]" * 200,
    "{a: 1, a: 2}",
    "{every: 1ms, count: 1000}",
    "open app com.nothere",
    "adb shell svc wifi",
    "server rate limit 0 per 1m",
    "null",
    "\x1b[31m",
    "\u202e\u0000",
    "'\ud7ff\U0001f600'",
]

LAUGHS = "laughs0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]\n" + "".join(
    f"laughs{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)
)


@st.composite
def mutated(draw: st.DrawFn, hostile: bool = True) -> str:
    """A bundled file with 1-4 mutations: lines deleted, duplicated or moved, values replaced
    (by values of the same key elsewhere, hostile values or random text), anchors, aliases and
    deep nesting inserted, control characters, truncation."""
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    kinds = ["delete", "duplicate", "same_key"]
    if hostile:
        kinds += ["other_key", "hostile", "random", "alias", "laughs", "deep", "control"]
        kinds += ["truncate"]
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        kind = draw(st.sampled_from(kinds))
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        match = _LINE_RE.match(line)
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind in ("same_key", "other_key", "hostile", "random") and match:
            if kind == "same_key":
                value = draw(st.sampled_from(VALUES[match[2]]))
            elif kind == "other_key":
                value = draw(st.sampled_from(VALUES[draw(st.sampled_from(KEYS))]))
            elif kind == "hostile":
                value = draw(st.sampled_from(HOSTILE))
            else:
                value = draw(st.text(max_size=30))
            lines[index] = f"{match[1]}{match[2]}: {value}"
        elif kind == "alias" and match:
            lines[index] = f"{match[1]}{match[2]}: &fuzz {match[3]}"
            target = draw(st.integers(0, len(lines) - 1))
            other = _LINE_RE.match(lines[target])
            if other:
                lines[target] = f"{other[1]}{other[2]}: *fuzz"
        elif kind == "laughs":
            lines.extend(LAUGHS.splitlines())
        elif kind == "deep" and match:
            depth = draw(st.integers(1, 2000))
            lines[index] = f"{match[1]}{match[2]}: {'[' * depth}{']' * depth}"
        elif kind == "control":
            position = draw(st.integers(0, len(line)))
            char = draw(st.characters(max_codepoint=0x10FFFF, categories=["Cc", "Cf", "Co", "Zl"]))
            lines[index] = line[:position] + char + line[position:]
        elif kind == "truncate":
            text = "\n".join(lines)
            return text[: draw(st.integers(0, len(text)))]
    return "\n".join(lines) + "\n"


def _validate(text: str, *flags: str) -> tuple[int, str]:
    """``harness validate`` on ``text`` in this process: exit code and everything printed."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzzed.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["validate", *flags, str(path)])
    return code, out.getvalue()


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=timedelta(seconds=30),  # a safety bound on each example, not a speed test
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=mutated())
def test_validate_exits_0_or_2_with_a_short_message(text: str) -> None:
    """Any mutation of a bundled file validates or is refused with exit 2: no traceback, no
    internal error, a bounded message."""
    code, printed = _validate(text)
    assert code in (0, 2), printed[-3000:]
    assert "Traceback" not in printed
    assert "internal error" not in printed, printed[-3000:]
    assert len(printed) < 20_000


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=timedelta(seconds=120),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=mutated())
def test_what_validates_runs_without_a_harness_error(text: str) -> None:
    """A mutated file that passes ``validate --import`` (the full preflight, as ``run`` does)
    runs without a harness error (its checks may pass or fail); the run is cut to its first
    day to bound the budget."""
    code, _ = _validate(text, "--import")
    assume(code == 0)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzzed.yaml"
        path.write_text(text, encoding="utf-8")
        scenario = load(path)
    assume(len(scenario.schedule) <= 300)
    first_day = min(scenario.spec.duration, 86_400_000)
    scenario = dataclasses.replace(
        scenario,
        spec=scenario.spec.model_copy(update={"duration": first_day}),
        schedule=tuple(item for item in scenario.schedule if item.t_ms < first_day),
    )
    record = run_scenario(scenario, seed=0, keep_trace=False).record
    assert record.error is None, record.error


#: `harness validate` under a 2 GiB address-space limit and 60 s of CPU.
_LIMITED_MAIN = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
from harness.cli import main
sys.exit(main(sys.argv[1:]))
"""

_SEVEN_DAYS = (ROOT / "scenarios" / "paged_download" / "happy_path.yaml").read_text()
ADVERSARIAL = {
    "every_1ms.yaml": _SEVEN_DAYS.replace("every: day 07:00", "every: 1ms"),
    "generator.yaml": _SEVEN_DAYS.replace(
        "initial_items: 500", "initial_items: 500\n      generate: {every: 1ms, count: 1000}"
    ),
    "laughs.yaml": _SEVEN_DAYS + LAUGHS,
    "deep.yaml": _SEVEN_DAYS + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "recursive.yaml": _SEVEN_DAYS + "loop: &loop {again: *loop}\n",
    "duration.yaml": _SEVEN_DAYS.replace("duration: 7d", "duration: 100000000w"),
    "huge_int.yaml": _SEVEN_DAYS.replace("initial_items: 500", "initial_items: " + "9" * 100_000),
}


@pytest.mark.slow
def test_adversarial_files_stay_within_memory_and_time(tmp_path: Path) -> None:
    """In a real process capped at 2 GiB and 60 CPU seconds, each hostile file is refused with
    exit 2 and its own short error; none hides another."""
    for name, text in ADVERSARIAL.items():
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-c", _LIMITED_MAIN, "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    printed = result.stdout + result.stderr
    assert result.returncode == 2, printed[-3000:]
    assert "Traceback" not in printed
    assert "internal error" not in printed
    for name in ADVERSARIAL:
        assert f"{name}:" in printed, name
    assert len(printed) < 20_000


@pytest.mark.parametrize("path", BUNDLED[:3], ids=lambda path: path.parent.name + "/" + path.name)
def test_the_bundled_files_validate_without_imports(path: Path) -> None:
    """The mutation seeds themselves validate cleanly (exit 0) without importing anything."""
    code, printed = _validate(path.read_text())
    assert code == 0, printed
    with pytest.raises(ScenarioError):
        load(path.with_name("no-such-file.yaml"))
