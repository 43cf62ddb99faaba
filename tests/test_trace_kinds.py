"""Every trace kind harness records is registered, documented, and fits its declaration."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from harness.sim import registered_trace_kinds
from tests.regen_trace_doc import DOC, INDEX, harness_kinds, index_source, rendered

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    "sim",
    "backends",
    "device",
    "platform",
    "ios",
    "workmanager",
    "app",
    "flutter",
    "background_fetch",
    "scenario",
)


def test_docs_trace_md_is_up_to_date() -> None:
    """docs/trace.md lists exactly the registered kinds (python -m tests.regen_trace_doc)."""
    text = DOC.read_text(encoding="utf-8")
    assert text == rendered(text), "docs/trace.md is stale: run python -m tests.regen_trace_doc"


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_exports_exactly_the_kinds_it_declares(layer: str) -> None:
    """A layer's trace_kinds module exports its registered classes, and only those."""
    module = importlib.import_module(f"harness.{layer}.trace_kinds")
    declared = {
        spec.record_type.__name__
        for spec in registered_trace_kinds().values()
        if spec.module == module.__name__
    }
    assert declared
    assert sorted(module.__all__) == sorted(declared)


def _recorded_kinds() -> dict[str, str]:
    """Kinds written as string literals in record/emit calls anywhere in harness/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "harness").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("record", "emit", "emit_snapshot"):
                continue
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if "." in arg.value:
                        found[arg.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
                    break
                if isinstance(arg, ast.IfExp):  # "work.blocked" if ... else "work.enqueued"
                    for branch in (arg.body, arg.orelse):
                        if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                            found[branch.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_kind_in_the_code_is_registered() -> None:
    """A kind recorded anywhere in harness/ has a declaration (even if no test records it)."""
    registered = {spec.kind for spec in harness_kinds()}
    missing = {kind: where for kind, where in _recorded_kinds().items() if kind not in registered}
    assert missing == {}
    assert len(registered) >= 70


def test_every_layer_kind_is_known_once_scenarios_are_imported() -> None:
    """A check may read any harness kind, even of a layer the run never imported (no_crashes
    reads flutter.task_error for an app without flutter code)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from harness.scenario import RunView\n"
        "from harness.sim import registered_trace_kinds\n"
        "kinds = set(registered_trace_kinds())\n"
        "assert 'harness.flutter' in sys.modules\n"
        "for kind in ('flutter.task_error', 'work.failed', 'job.deferred', 'http.request',\n"
        "             'backend.outage', 'device.battery', 'app.crash', 'sim.task_error'):\n"
        "    assert kind in kinds, kind\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_kind_index_is_up_to_date() -> None:
    """harness/sim/_kind_index.py names every layer's kind and its module (regen_trace_doc)."""
    assert INDEX.read_text(encoding="utf-8") == index_source(), (
        "harness/sim/_kind_index.py is stale: run python -m tests.regen_trace_doc"
    )


def test_layers_kinds_are_known_without_importing_their_modules() -> None:
    """A run imports no layer's trace_kinds module (building their ~100 dataclasses was a tenth of
    a short run's CPU), yet every harness kind is registered; a class's module is imported when
    its declaration is asked for."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import harness.report, harness.scenario\n"
        "from harness.sim import trace_kind_spec\n"
        "from harness.sim._kinds import is_registered\n"
        "loaded = sorted(m for m in sys.modules if m.endswith('.trace_kinds'))\n"
        "assert loaded == ['harness.sim.trace_kinds'], loaded\n"
        "assert is_registered('flutter.task_error') and is_registered('work.finished')\n"
        "assert not is_registered('flutter.no_such_kind')\n"
        "spec = trace_kind_spec('work.finished')\n"
        "assert spec.record_type.__name__ == 'WorkFinishedRecord', spec\n"
        "assert 'harness.workmanager.trace_kinds' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_an_app_cannot_take_a_harness_kind_whose_module_is_not_imported() -> None:
    """Registering a kind harness declares raises TraceKindError, as when its module was
    imported first (docs/trace.md: a kind is registered once)."""
    import subprocess
    import sys

    code = (
        "from dataclasses import dataclass\n"
        "from typing import ClassVar\n"
        "from harness._exceptions import TraceKindError\n"
        "from harness.sim import TraceKind, register_trace_kind\n"
        "@dataclass(frozen=True, slots=True, kw_only=True)\n"
        "class Mine(TraceKind):\n"
        "    '''Mine.'''\n"
        "    KIND: ClassVar[str] = 'flutter.task_error'\n"
        "try:\n"
        "    register_trace_kind(Mine)\n"
        "except TraceKindError as error:\n"
        "    assert 'harness.flutter.trace_kinds' in str(error), error\n"
        "else:\n"
        "    raise AssertionError('registered')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_check_asking_for_an_unrecorded_kind_imports_only_its_layers_kinds() -> None:
    """A check reading a kind the run never recorded (no_crashes reads flutter.task_error) finds
    it registered by importing only the module that declares it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from harness.scenario._session import _is_registered\n"
        "assert _is_registered('flutter.task_error')\n"
        "loaded = sorted(m for m in sys.modules if m.endswith('.trace_kinds'))\n"
        "assert not _is_registered('flutter.no_such_kind')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code + "print(loaded)"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip()
    assert "'harness.flutter.trace_kinds'" in loaded
    assert "'harness.workmanager.trace_kinds'" not in loaded
