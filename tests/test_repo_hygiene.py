"""The repository stands alone: no link leaves it, and pre-commit runs what CI runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

_ROOT = Path(__file__).resolve().parent.parent
_MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=_ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [_ROOT / name for name in listed.split("\0") if name]


def test_no_file_links_outside_the_repository() -> None:
    """Users of the project have only the repository: nothing points at ../ paths beyond it."""
    offenders = []
    for path in _tracked_files():
        if path.suffix not in {".md", ".py", ".yaml", ".yml", ".toml", ".j2", ".txt", ".cfg"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "../" + "shared" in text:
            offenders.append(f"{path.relative_to(_ROOT)} mentions a folder outside the repository")
        if path.suffix != ".md":
            continue
        for target in _MARKDOWN_LINK.findall(text):
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            resolved = (path.parent / target.split("#")[0]).resolve()
            if not resolved.is_relative_to(_ROOT):
                offenders.append(f"{path.relative_to(_ROOT)} links outside: {target}")
            elif not resolved.exists():
                offenders.append(f"{path.relative_to(_ROOT)} links to a missing file: {target}")
    assert offenders == []


def test_pre_commit_runs_what_ci_runs() -> None:
    """Every tool of the README's test command has a pre-commit hook with the same arguments."""
    readme = (_ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("<!-- test-command -->", 1)[1].split("```bash\n", 1)[1].split("\n")[0]
    config = yaml.safe_load((_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    for tool in (".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy"):
        assert tool in command
        assert tool in entries
    assert any(entry.startswith(".venv/bin/pytest -n 2") for entry in entries)
    assert ".venv/bin/pytest -n 2" in command


def test_changelog_has_an_unreleased_section() -> None:
    """CHANGELOG.md keeps an 'Unreleased' section on top for the next change."""
    changelog = (_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.splitlines()[0] == "# Changelog"
    assert "\n## Unreleased\n" in changelog
