"""The report's templates are used precompiled, and only when that is the same as compiling."""

from __future__ import annotations

import jinja2
import pytest

from harness.report import _html
from harness.report._html import _Precompiled, make_environment
from tests.regen_compiled_templates import TARGET, source

TEMPLATES = ("fleet.html.j2", "index.html.j2", "run.html.j2")


def test_compiled_templates_are_up_to_date() -> None:
    """harness/report/_compiled_templates.py is what python -m tests.regen_compiled_templates
    writes for the installed jinja2 and the current templates."""
    assert TARGET.read_text(encoding="utf-8") == source(), (
        "harness/report/_compiled_templates.py is stale: run "
        "python -m tests.regen_compiled_templates"
    )


@pytest.mark.parametrize("name", TEMPLATES)
def test_report_templates_load_without_compiling(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading a report template compiles nothing (compiling was ~50 ms per page of a short
    run's report)."""

    def no_compiling(*args: object, **kwargs: object) -> str:
        raise AssertionError("a report template was compiled")

    environment = make_environment(bytecode_cache=_Precompiled())
    monkeypatch.setattr(environment, "_generate", no_compiling)
    assert environment.get_template(name).filename is not None


def test_a_changed_template_is_compiled_not_taken_from_the_precompiled() -> None:
    """A template whose source is not the one precompiled renders from its own source."""
    loader = jinja2.DictLoader({"page.html.j2": "new {{ x }}"})
    old = jinja2.Environment().compile("old {{ x }}", "page.html.j2", raw=True)
    precompiled = _Precompiled({"not-the-checksum": old})
    environment = jinja2.Environment(loader=loader, bytecode_cache=precompiled)
    assert environment.get_template("page.html.j2").render(x=1) == "new 1"


def test_precompiled_code_is_ignored_under_another_jinja2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under another jinja2 version the precompiled code is not used (it may not fit its
    runtime): the template is compiled."""
    source_text = "new {{ x }}"
    checksum = jinja2.BytecodeCache().get_source_checksum(source_text)
    old = jinja2.Environment().compile("old {{ x }}", "page.html.j2", raw=True)
    environment = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html.j2": source_text}),
        bytecode_cache=_Precompiled({checksum: old}),
    )
    monkeypatch.setattr(_html, "JINJA2_VERSION", "0.0")
    assert environment.get_template("page.html.j2").render(x=1) == "new 1"
    monkeypatch.undo()
    fresh = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html.j2": source_text}),
        bytecode_cache=_Precompiled({checksum: old}),
    )
    assert fresh.get_template("page.html.j2").render(x=1) == "old 1"  # the entry is used
