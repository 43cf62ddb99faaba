"""Reading scenario YAML with line numbers (harness/scenario/_yaml.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness._exceptions import ScenarioError
from harness.scenario._yaml import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    load_yaml,
    quoted,
    read_yaml_file,
)

DOC = """\
name: demo
duration: 7d
timeline:
  - at: 0s
    do: open app
  - at: 2h
    do: adb shell svc wifi disable
"""


def test_lines_are_known_for_every_value() -> None:
    """Each value's line is kept, so an error can name the line of the bad field."""
    data, index = load_yaml(DOC, file="s.yaml")
    assert data["timeline"][1]["do"] == "adb shell svc wifi disable"
    assert index.line_of(("duration",)) == 2
    assert index.line_of(("timeline", 1, "at")) == 6
    assert index.line_of(("timeline", 1, "missing")) == 6


def test_syntax_error_names_file_and_line() -> None:
    """A YAML syntax error is a ScenarioError with the file and line."""
    with pytest.raises(
        ScenarioError,
        match=r"^s\.yaml:4: YAML syntax error: expected ',' or '\]'.* flow sequence at line 3",
    ):
        load_yaml("name: x\ntimeline:\n  - at: [0s\n", file="s.yaml")


def test_unsafe_tags_are_refused() -> None:
    """Only safe YAML: a python object tag is an error, never executed."""
    with pytest.raises(ScenarioError, match=r"YAML syntax error: could not determine a construct"):
        load_yaml("x: !!python/object/apply:os.system ['true']\n", file="s.yaml")


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match=r"no such scenario file"):
        read_yaml_file(tmp_path / "nope.yaml")


def _laughs(levels: int) -> str:
    """A "billion laughs" document: each level lists the previous one nine times."""
    lines = ["l0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]"]
    for level in range(1, levels):
        items = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


def test_alias_expansion_is_limited_before_it_is_built() -> None:
    """A small file whose aliases expand to billions of values is refused, naming the limit."""
    text = _laughs(10)
    assert len(text) < 1500
    with pytest.raises(ScenarioError) as caught:
        load_yaml(text, file="s.yaml")
    message = str(caught.value)
    assert message.startswith(
        f"s.yaml:6: with its aliases expanded the file holds more than "
        f"{MAX_EXPANDED_NODES} values (the limit)"
    )
    assert len(message) < 300


def test_alias_count_is_limited() -> None:
    """More than MAX_ALIASES alias references in one file is an error naming the limit."""
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(ScenarioError, match=rf"^s\.yaml:2: more than {MAX_ALIASES} aliases"):
        load_yaml(text, file="s.yaml")


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: [1, *a]}\n"])
def test_recursive_aliases_are_refused(text: str) -> None:
    """A value that contains itself through an alias is an error, not a RecursionError."""
    with pytest.raises(ScenarioError, match=r"^s\.yaml:1: a recursive alias"):
        load_yaml(text, file="s.yaml")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 5000])
def test_nesting_depth_is_limited(depth: int) -> None:
    """Lists or mappings nested past MAX_DEPTH are an error naming the limit."""
    for text in ("a: " + "[" * depth + "]" * depth, "a: " + "{b: " * depth + "1" + "}" * depth):
        with pytest.raises(ScenarioError, match=rf"nest more than {MAX_DEPTH} levels deep"):
            load_yaml(text, file="s.yaml")


def test_nesting_up_to_the_limit_is_read() -> None:
    """Nesting exactly MAX_DEPTH deep is still read."""
    data, _ = load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH, file="s.yaml")
    assert isinstance(data, list)


def test_file_size_is_limited(tmp_path: Path) -> None:
    """A file over MAX_FILE_BYTES is refused before it is parsed."""
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioError, match=rf"over the limit of {MAX_FILE_BYTES} bytes"):
        read_yaml_file(path)


def test_duplicate_keys_are_refused() -> None:
    """A mapping that names a key twice is an error with its line (YAML loaders keep the last)."""
    with pytest.raises(
        ScenarioError, match=r"^s\.yaml:4: duplicate key 'duration' \(first at line 2\)"
    ):
        load_yaml("name: x\nduration: 1d\nseeds: 2\nduration: 2d\n", file="s.yaml")
    with pytest.raises(ScenarioError, match=r"^s\.yaml:3: duplicate key 'at'"):
        load_yaml("timeline:\n  - {at: 1h,\n     at: 2h}\n", file="s.yaml")


def test_merge_keys_may_be_overridden() -> None:
    """A key given next to a ``<<`` merge overrides the merged one: not a duplicate."""
    data, _ = load_yaml("b: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", file="s.yaml")
    assert data["c"] == {"x": 3, "y": 2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: " + "9" * 5000 + "\n", r"^s\.yaml:1: value '9999.*cannot be read \(Exceeds the limit"),
        ("a: 2026-13-45\n", r"^s\.yaml:1: value '2026-13-45' cannot be read \(month must be"),
        ("a: b\nc: \x1b[31m\n", r"^s\.yaml:2: the file holds the character '\\x1b'"),
    ],
)
def test_unreadable_values_name_their_line(text: str, message: str) -> None:
    """A value YAML parses but Python cannot build (a 5000-digit int, a 13th month) or a
    control character is a ScenarioError with the line, not a raw exception."""
    with pytest.raises(ScenarioError, match=message) as caught:
        load_yaml(text, file="s.yaml")
    assert len(str(caught.value)) < 400


def test_quoted_values_are_bounded() -> None:
    """Values quoted in error messages are cut and their control characters escaped."""
    assert quoted("x" * 10_000).endswith("...(322 characters)")
    assert len(quoted(list(range(10_000)))) < 80
    assert quoted("a\x1bb") == "'a\\x1bb'"


_BUNDLED = sorted((Path(__file__).resolve().parents[2] / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", _BUNDLED, ids=lambda path: path.name)
def test_libyaml_events_give_the_same_data_and_lines_as_the_pure_loader(path: Path) -> None:
    """Parsing with libyaml (when PyYAML has it) changes neither the data nor any line."""
    from harness.scenario import _yaml

    if _yaml._CParser is None:
        pytest.skip("PyYAML without libyaml")
    text = path.read_text(encoding="utf-8")
    fast_data, fast_node = _yaml._compose_with(_yaml._FastLoader(text))
    pure_data, pure_node = _yaml._compose_with(_yaml._Loader(text))
    assert fast_node is not None
    assert pure_node is not None
    assert fast_data == pure_data
    assert _yaml._walk(fast_node) == _yaml._walk(pure_node)


def test_a_file_of_too_many_values_without_aliases_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The values limit holds for a file without aliases (only counted, never expanded)."""
    from harness.scenario import _yaml

    monkeypatch.setattr(_yaml, "MAX_EXPANDED_NODES", 50)
    under = "a: [" + ", ".join(["1"] * 40) + "]\n"
    assert len(load_yaml(under, file="s.yaml")[0]["a"]) == 40
    over = "a: [" + ", ".join(["1"] * 50) + "]\n"
    with pytest.raises(ScenarioError, match=r"^s\.yaml:1: with its aliases expanded the file"):
        load_yaml(over, file="s.yaml")
