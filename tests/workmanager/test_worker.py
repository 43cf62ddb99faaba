"""Workers are found by their stored class name (workmanager/_worker.py)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

from harness._exceptions import InvalidRequestError
from harness.workmanager import ListenableWorker
from harness.workmanager._worker import _resolve_imported, resolve_class


@pytest.mark.parametrize(
    "name",
    [
        "tests.workmanager.workers.Succeed",
        "harness.workmanager._worker.ListenableWorker",
        "harness.workmanager._worker.ListenableWorker.stop",  # an attribute below a class
        "collections.OrderedDict",  # a package: resolve_name decides
        "json.decoder.JSONDecoder",
        "not_a_module_anywhere.Thing",
    ],
)
def test_an_imported_name_resolves_as_resolve_name_does(name: str) -> None:
    """Names of already imported modules resolve without an import attempt, to resolve_name's
    object; packages and modules not yet imported are left to pkgutil.resolve_name."""
    found = _resolve_imported(name)
    if found is not None:
        assert found is pkgutil.resolve_name(name)
    if name.startswith(("collections", "not_a_module")):
        assert found is None


def test_a_missing_class_in_an_imported_module_is_refused_as_before() -> None:
    """resolve_class names the class and the way out when the module lacks it."""
    with pytest.raises(
        InvalidRequestError, match=r"^could not import worker class 'tests\.workmanager\.workers"
    ):
        resolve_class("tests.workmanager.workers.NoSuchWorker", ListenableWorker, "worker")
    with pytest.raises(InvalidRequestError, match=r"is not a subclass of ListenableWorker$"):
        resolve_class("tests.workmanager.workers.Data", ListenableWorker, "worker")


def test_a_module_imported_afresh_resolves_to_its_new_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remembered walk is used only while sys.modules holds the same module object: a module
    imported afresh (an app's next run) resolves to its new class, an attribute set later to
    the new value."""
    (tmp_path / "fresh_worker_module.py").write_text(
        "from harness.workmanager import CoroutineWorker, Result\n"
        "class W(CoroutineWorker):\n"
        "    async def do_work(self):\n"
        "        return Result.success()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    name = "fresh_worker_module.W"
    first = importlib.import_module("fresh_worker_module")
    assert resolve_class(name, ListenableWorker, "worker") is first.W
    assert resolve_class(name, ListenableWorker, "worker") is first.W
    monkeypatch.delitem(sys.modules, "fresh_worker_module")
    second = importlib.import_module("fresh_worker_module")
    assert second is not first
    assert resolve_class(name, ListenableWorker, "worker") is second.W
    assert second.W is not first.W
    replacement = type("W", (second.W,), {"__module__": "fresh_worker_module"})
    monkeypatch.setattr(second, "W", replacement)
    assert resolve_class(name, ListenableWorker, "worker") is replacement
    monkeypatch.delitem(sys.modules, "fresh_worker_module")
    assert _resolve_imported(name) is None  # not imported: left to resolve_name
