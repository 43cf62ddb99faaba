"""Reading scenario YAML safely, remembering the line of every value for error messages.

Only ``yaml.safe_load`` semantics are used (no arbitrary objects). The document is composed once
into nodes, checked against the limits below (so a hostile file fails fast with a clear error
instead of exhausting memory, time or the stack), mapped path by path (``("timeline", 3, "at")``)
to its lines, and constructed once with the safe constructor. A mapping that names the same key
twice is an error (plain YAML loaders keep the last one silently).

Limits (each a :class:`~harness._exceptions.ScenarioError` naming the limit):

* :data:`MAX_FILE_BYTES`: the file's size;
* :data:`MAX_DEPTH`: how deeply collections nest;
* :data:`MAX_ALIASES`: how many ``*alias`` references a file holds;
* :data:`MAX_EXPANDED_NODES`: the values in the document with every alias expanded (a "billion
  laughs" file is small but expands to billions); a recursive alias (``&a [*a]``) is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import yaml

from harness._exceptions import ScenarioError

Loc = tuple[str | int, ...]

#: The largest scenario file read, in bytes (the bundled ones are under 3 KiB).
MAX_FILE_BYTES: Final = 1024 * 1024
#: How deeply mappings and lists may nest (the schema itself needs 5 levels).
MAX_DEPTH: Final = 32
#: How many ``*alias`` references one file may hold.
MAX_ALIASES: Final = 1_000
#: How many values (scalars, lists, mappings) the document may hold with aliases expanded.
MAX_EXPANDED_NODES: Final = 200_000
#: Quoted values in error messages are cut to this many characters.
MAX_QUOTED_CHARS: Final = 80


def shorten(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """``text`` with control characters escaped, cut to about ``limit`` characters."""
    if not text.isprintable():
        text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 20, 10)]}...({len(text)} characters)"


def quoted(value: Any, limit: int = MAX_QUOTED_CHARS) -> str:
    """``repr(value)``, cut to about ``limit`` characters so an error message stays short."""
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 4 * limit]  # repr of a huge string is never built
    elif isinstance(value, list | dict | tuple) and len(value) > limit:
        return f"<{type(value).__name__} of {len(value)} items>"
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        text = f"<{type(value).__name__}>"
    return shorten(text, limit)


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


class _LimitError(yaml.MarkedYAMLError):
    """A limit was exceeded at a place in the file."""


class _ValueError(yaml.constructor.ConstructorError):
    """A value that parses as YAML but is refused (a duplicate key, an unreadable value)."""


class _Checks:
    """Composing and constructing that counts depth and aliases and refuses duplicate keys (a
    mixin of a loader: its other methods come from PyYAML's classes)."""

    _depth: int
    _aliases: int
    _nodes: int  # values composed (keys too), each alias once
    check_event: Any
    peek_event: Any

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._nodes += 1
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitError(
                    problem=f"more than {MAX_ALIASES} aliases (*name); the limit is "
                    f"{MAX_ALIASES} per file: write the values out or use fewer aliases",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)  # type: ignore[misc]
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _LimitError(
                    problem=f"values nest more than {MAX_DEPTH} levels deep (the limit); "
                    "flatten the structure",
                    problem_mark=self.peek_event().start_mark,
                )
            try:
                return super().compose_node(parent, index)  # type: ignore[misc]
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)  # type: ignore[misc]

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                    seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:
                    continue  # unhashable: the base constructor reports it
                if first is not None:
                    raise _ValueError(
                        None,
                        None,
                        f"duplicate key {quoted(key)} (first at line {first}); each key may "
                        "appear once in a mapping: remove or rename one",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as error:  # e.g. an int of 5000 digits, a bad date
            raise _ValueError(
                None,
                None,
                f"value {quoted(node.value) if isinstance(node.value, str) else ''} cannot be "
                f"read ({shorten(str(error), 120)}); write a valid value",
                node.start_mark,
            ) from None


class _Loader(_Checks, yaml.SafeLoader):
    """PyYAML's pure-Python ``SafeLoader`` with the checks: the reference, and the wording of
    every error."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0


#: libyaml's parser, when PyYAML was built with it (else only the pure loader is used).
_CParser: Any = getattr(yaml, "cyaml", None) and getattr(yaml.cyaml, "CParser", None)


if _CParser is not None:

    class _FastLoader(
        _Checks,
        yaml.composer.Composer,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
        _CParser,  # type: ignore[misc]
    ):
        """The same loader with libyaml scanning and parsing (most of the time of a load): the
        events come from C, composing (with the limits), resolving and constructing stay
        PyYAML's Python code, so the data and lines are the same. Only used on files it reads
        without any error; for any error the pure loader reads the file again and words it."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0
            self._aliases = 0
            self._nodes = 0


def _check_expansion(root: yaml.Node) -> None:
    """Refuse recursive aliases and documents that expand past :data:`MAX_EXPANDED_NODES`.

    Sizes are computed once per node (aliases share nodes), iteratively so nothing recurses.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise _LimitError(
                    problem=f"with its aliases expanded the file holds more than "
                    f"{MAX_EXPANDED_NODES} values (the limit); use fewer aliases",
                    problem_mark=node.start_mark,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _LimitError(
                problem="a recursive alias (a value that contains itself); aliases may only "
                "repeat finished values",
                problem_mark=node.start_mark,
            )
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise _LimitError(
                    problem="a recursive alias (a value that contains itself); aliases may "
                    "only repeat finished values",
                    problem_mark=child.start_mark,
                )
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield key_node
            yield value_node
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _walk(root: yaml.Node) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                stack.append((value_node, (*loc, key)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*loc, index)))
    return lines


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    # the fast loader's reader is libyaml's: characters PyYAML refuses go the pure way
    if _CParser is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _compose_with(_FastLoader(text))
        except (yaml.YAMLError, RecursionError):
            pass  # the pure loader finds the same problem and words it as it always has
    return _compose_with(_Loader(text))


def _compose_with(loader: Any) -> tuple[Any, yaml.Node | None]:
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if loader._aliases or loader._nodes > MAX_EXPANDED_NODES:
            _check_expansion(node)  # without aliases the document is as large as composed
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def load_yaml(text: str, *, file: str) -> tuple[Any, LineIndex]:
    """Parse ``text`` (the contents of ``file``) into plain data and a :class:`LineIndex`.

    A syntax error, a duplicate key or a limit exceeded becomes a :class:`ScenarioError` naming
    the file and line.
    """
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"the file has {len(text)} characters, over the limit of {MAX_FILE_BYTES}; "
            "split it into several scenarios",
            file=file,
        )
    try:
        data, node = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = shorten(error.problem or "invalid YAML", 400)
        if error.context and error.context_mark is not None:
            problem += f" ({shorten(error.context, 200)} at line {error.context_mark.line + 1})"
        if not isinstance(error, _LimitError | _ValueError):
            problem = f"YAML syntax error: {problem}; fix the YAML there"
        raise ScenarioError(problem, file=file, line=line) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        character = error.character
        shown = repr(chr(character) if isinstance(character, int) else character)
        raise ScenarioError(
            f"the file holds the character {shown}, which YAML does not allow; "
            "remove it or write it as an escape in a double-quoted string",
            file=file,
            line=line,
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"YAML error: {shorten(str(error), 400)}", file=file) from None
    except RecursionError:  # a safety net: the depth limit comes first
        raise ScenarioError(
            f"values nest too deeply; the limit is {MAX_DEPTH} levels", file=file
        ) from None
    lines = _walk(node) if node is not None else {}
    return data, LineIndex(lines)


def read_yaml_file(path: str | Path) -> tuple[Any, LineIndex, str]:
    """Read and parse a scenario file; returns data, line index and the file name to report."""
    file = str(path)
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"the file is over the limit of {MAX_FILE_BYTES} bytes; split it into several "
                "scenarios",
                file=file,
            )
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("no such scenario file; check the path", file=file) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", file=file) from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=file) from None
    except OSError as error:
        raise ScenarioError(f"cannot read the file ({error.strerror})", file=file) from None
    data, index = load_yaml(text, file=file)
    return data, index, file
