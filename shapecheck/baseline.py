"""Baselines: ``check --write-baseline FILE`` records today's findings; ``check --baseline FILE``
reports only the findings not in it.

A finding is matched by its path (relative to the baseline's folder), code, message (whitespace
collapsed) and the text of its line, not the line's number: lines inserted above an old finding do
not bring it back (as basedpyright's baseline). Each entry matches one finding (two alike findings
need two entries). Entries that match nothing are stale: the run counts them, so a fixed finding's
entry can be dropped with ``--write-baseline`` again.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

VERSION = 1


class BaselineError(Exception):
    """A one-line reason the baseline file cannot be used."""


def _key(d: Any, folder: str, lines: dict) -> tuple:
    from .formats import line_text

    rel = os.path.relpath(os.path.abspath(d.path), folder).replace(os.sep, "/")
    return rel, d.code, " ".join(d.message.split()), " ".join(line_text(d, lines).split())


def write(path: str, diags: Iterable[Any]) -> int:
    """Record ``diags`` in ``path`` (sorted, one entry per finding); how many were written."""
    folder = os.path.dirname(os.path.abspath(path))
    lines: dict = {}
    keys = sorted(_key(d, folder, lines) for d in diags)
    entries = [{"path": p, "code": c, "message": m, "line": t} for p, c, m, t in keys]
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"shapecheck-baseline": VERSION, "findings": entries}, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as e:
        raise BaselineError(f"cannot write {path}: {e.strerror or e}") from None
    return len(entries)


def load(path: str) -> Counter:
    """The entries of a baseline file, counted; ``BaselineError`` if it is not one."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as e:
        raise BaselineError(f"cannot read {path}: {e.strerror or e}") from None
    except ValueError as e:
        raise BaselineError(f"{path}: not valid JSON: {e}") from None
    if not isinstance(data, dict) or data.get("shapecheck-baseline") != VERSION or \
            not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a shapecheck baseline (write one with --write-baseline)")
    out: Counter = Counter()
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                                  for k in ("path", "code", "message", "line")):
            raise BaselineError(f"{path}: an entry without path, code, message and line strings: {entry!r}"[:200])
        out[(entry["path"], entry["code"], entry["message"], entry["line"])] += 1
    return out


def new_findings(diags: Iterable[Any], path: str, entries: Counter,
                 checked: Iterable[str] = ()) -> tuple[list, int]:
    """(the findings the baseline does not hold, how many of its entries for the ``checked`` files
    matched nothing: entries of files this run did not check are not stale)."""
    folder = os.path.dirname(os.path.abspath(path))
    files = {os.path.relpath(os.path.abspath(f), folder).replace(os.sep, "/") for f in checked}
    left = Counter(entries)
    lines: dict = {}
    out = []
    for d in diags:
        key = _key(d, folder, lines)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(d)
    return out, sum(n for key, n in left.items() if key[0] in files)
