"""Tracebacks as the trace records them: each frame's file relative to its ``sys.path`` entry,
so a run's records, and its digest, are the same in any checkout and any virtualenv."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import PurePath

__all__ = ["format_exception", "relative_path"]


def relative_path(filename: str) -> str:
    """``filename`` relative to the longest ``sys.path`` entry that holds it (``examples/app.py``,
    ``httpx/_client.py``), else its bare name."""
    path = PurePath(filename)
    entries = (entry or os.getcwd() for entry in sys.path)  # "" on sys.path is the cwd
    roots = sorted((PurePath(entry) for entry in entries), key=lambda p: -len(p.parts))
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.name


def format_exception(error: BaseException) -> str:
    """``traceback.format_exception(error)`` as one text, chained exceptions, groups and the
    caret lines included, with every frame's file made relative (:func:`relative_path`)."""
    summary = traceback.TracebackException.from_exception(error)  # source lines read here
    pending, seen = [summary], set[int]()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for frame in current.stack:
            frame.filename = relative_path(frame.filename)
        pending.extend(
            linked
            for linked in (current.__cause__, current.__context__, *(current.exceptions or ()))
            if linked is not None
        )
    return "".join(summary.format())
