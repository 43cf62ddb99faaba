"""Reading scenario YAML safely, remembering the line of every value for error messages.

Only ``yaml.safe_load`` semantics are used (no arbitrary objects). The document is composed once
into nodes, to map each path (``("timeline", 3, "at")``) to its line, and constructed once with the
safe constructor.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from harness._exceptions import ScenarioError

Loc = tuple[str | int, ...]


class LineIndex:
    """Line numbers (1-based) of the values in a YAML document, by path."""

    __slots__ = ("_lines",)

    def __init__(self, lines: dict[Loc, int]) -> None:
        self._lines = lines

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        path = tuple(loc)
        while path:
            line = self._lines.get(path)
            if line is not None:
                return line
            path = path[:-1]
        return self._lines.get(())


def _walk(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, int]]:
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            yield from _walk(value_node, (*loc, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*loc, index))


def load_yaml(text: str, *, file: str) -> tuple[Any, LineIndex]:
    """Parse ``text`` (the contents of ``file``) into plain data and a :class:`LineIndex`.

    A syntax error becomes a :class:`ScenarioError` naming the file and line.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or "invalid YAML"
        if error.context and error.context_mark is not None:
            problem += f" ({error.context} at line {error.context_mark.line + 1})"
        raise ScenarioError(
            f"YAML syntax error: {problem}; fix the YAML there", file=file, line=line
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"YAML error: {error}", file=file) from None
    lines = dict(_walk(node, ())) if node is not None else {}
    return data, LineIndex(lines)


def read_yaml_file(path: str | Path) -> tuple[Any, LineIndex, str]:
    """Read and parse a scenario file; returns data, line index and the file name to report."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("no such scenario file; check the path", file=file) from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=file) from None
    data, index = load_yaml(text, file=file)
    return data, index, file
