"""Review mode (``check --since REV``): only findings on lines added or changed since a git revision.

The analysis still reads whole files (a bug on a changed line often needs unchanged lines to be
seen); only the report is cut down, as semgrep's ``--baseline-commit`` does. What counts as changed
is ``git diff --unified=0 REV`` against the working tree (staged and unstaged edits both), plus
the files git does not track yet. Renames are not followed (``--no-renames``): a renamed file is a
new file and all its findings are new. A notebook's findings are kept when the notebook changed at
all (git's lines are its JSON's, not its cells').
"""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from typing import Any

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class ReviewError(Exception):
    """A one-line reason ``--since`` cannot be used (not a repository, an unknown revision)."""


def _git(args: list[str], cwd: str) -> str:
    try:
        # (no fsmonitor hook, no textconv driver of the repository's config: nothing of it runs)
        done = subprocess.run(["git", "-c", "core.quotePath=false", "-c", "core.fsmonitor=false", *args], cwd=cwd,
                              capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise ReviewError(f"cannot run git: {e}") from None
    if done.returncode != 0:
        raise ReviewError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def _unquote(path: str) -> str:
    """A path as git prints it in a diff header (C-quoted when it has special characters)."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "ignore").decode("utf-8", "replace")
    return path


def changed_lines(rev: str, cwd: str = ".") -> dict[str, set[int]]:
    """Absolute path -> the lines (1-based) added or changed since ``rev``; a file new since then
    has all its lines (an untracked one is read for its count)."""
    root = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
    except ReviewError:
        raise ReviewError(f"unknown revision {rev!r} (in a shallow clone, fetch it first: "
                          f"git fetch --depth=1 origin {rev})") from None
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    diff = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--unified=0", rev, "--"]
    for line in _git(diff, cwd).splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":
                current = None
                continue
            target = _unquote(target)
            target = target[2:] if target.startswith("b/") else target
            current = out.setdefault(os.path.normpath(os.path.join(root, target)), set())
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            start, count = int(m.group(1)), int(m.group(2) or "1")
            current.update(range(start, start + count))
    for rel in _git(["ls-files", "--others", "--exclude-standard", "-z"], root).split("\0"):
        if not rel:
            continue
        path = os.path.normpath(os.path.join(root, rel))
        try:
            with open(path, "rb") as fh:
                n = fh.read().count(b"\n") + 1
        except OSError:
            continue
        out[path] = set(range(1, n + 1))
    return out


def keep_changed(diags: Iterable[Any], changed: dict[str, set[int]]) -> list[Any]:
    """The findings on changed lines (a notebook's: in a changed notebook; a file's parse error or
    skipped analysis: in a changed file)."""
    kept = []
    for d in diags:
        lines = changed.get(os.path.normpath(os.path.abspath(d.path)))
        if lines is None:
            continue
        if d.cell is not None or d.line in lines or d.code in ("SHP900", "SHP901"):
            kept.append(d)
    return kept
