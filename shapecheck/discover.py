"""Which files to check: the paths given, folders walked with the usual excludes and .gitignore."""
from __future__ import annotations

import fnmatch
import os
from typing import Iterator

DEFAULT_EXCLUDES = {".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "build", "dist", "site-packages",
                    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", "node_modules",
                    ".eggs", "__pypackages__", ".ipynb_checkpoints"}


def _gitignore_patterns(folder: str) -> list:
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("!"):
            continue
        out.append(line)
    return out


def _ignored(rel: str, name: str, is_dir: bool, patterns: list) -> bool:
    for p in patterns:
        dir_only = p.endswith("/")
        p = p.rstrip("/")
        if dir_only and not is_dir:
            continue
        anchored = p.startswith("/") or "/" in p
        p = p.lstrip("/")
        if anchored:
            if fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p + "/*"):
                return True
        elif fnmatch.fnmatch(name, p):
            return True
    return False


def iter_files(paths: list, exclude: tuple = ()) -> Iterator[str]:
    """Python files under ``paths``, in a stable order; files named explicitly are always kept."""
    seen = set()
    for p in paths:
        if os.path.isfile(p):
            if p not in seen:
                seen.add(p)
                yield p
            continue
        if not os.path.isdir(p):
            continue
        stack: list = []  # (dir, [(base, patterns)])
        for root, dirs, files in os.walk(p):
            rules = _patterns_for(root, p)
            keep = []
            for d in sorted(dirs):
                rel = os.path.relpath(os.path.join(root, d), p).replace(os.sep, "/")
                if d in DEFAULT_EXCLUDES or d in exclude or d.endswith(".egg-info"):
                    continue
                if any(_ignored(os.path.relpath(os.path.join(root, d), base).replace(os.sep, "/"), d, True, pats)
                       for base, pats in rules):
                    continue
                if any(fnmatch.fnmatch(rel, e) for e in exclude):
                    continue
                keep.append(d)
            dirs[:] = keep
            for f in sorted(files):
                if not f.endswith((".py", ".pyi")) or f.endswith(".pyi"):
                    continue
                full = os.path.join(root, f)
                rel = os.path.relpath(full, p).replace(os.sep, "/")
                if any(_ignored(os.path.relpath(full, base).replace(os.sep, "/"), f, False, pats) for base, pats in rules):
                    continue
                if any(fnmatch.fnmatch(rel, e) or fnmatch.fnmatch(f, e) for e in exclude):
                    continue
                if full not in seen:
                    seen.add(full)
                    yield full
        del stack


_CACHE: dict = {}


def _patterns_for(root: str, top: str) -> list:
    """The .gitignore files that apply in ``root``: its own and every parent's up to ``top``."""
    out = []
    cur = os.path.abspath(root)
    stop = os.path.abspath(top)
    while True:
        if cur not in _CACHE:
            _CACHE[cur] = _gitignore_patterns(cur)
        if _CACHE[cur]:
            out.append((cur, _CACHE[cur]))
        if cur == stop or os.path.dirname(cur) == cur:
            break
        cur = os.path.dirname(cur)
    return out
