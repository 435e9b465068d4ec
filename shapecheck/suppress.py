"""``# noqa: SHP101`` / ``# shapecheck: ignore[SHP101]`` suppressions, and the unused ones (SHP100).

A comment line ``# shapecheck: noqa`` (every code) or ``# shapecheck: noqa: SHP102, SHP5`` anywhere
in a file, on a line of its own, suppresses for the whole file (as ruff's ``# ruff: noqa``); it is
kept under line 0."""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Optional

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
IGNORE = re.compile(r"#\s*shapecheck:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)
FILE_NOQA = re.compile(r"^#\s*shapecheck:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?\s*$", re.I)
FILE = 0  # the line a file-wide suppression is kept under


@dataclass
class Suppression:
    line: int
    column: int
    codes: Optional[set]  # None: every code
    text: str
    used: set = field(default_factory=set)


def find_suppressions(source: str) -> dict:
    """Line -> Suppression, from real comments only (not text inside strings)."""
    out: dict = {}
    if "noqa" not in source and "shapecheck:" not in source:
        return out
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return out
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        whole = FILE_NOQA.match(tok.string.strip())
        if whole and tok.line.strip() == tok.string.strip():  # a comment line of its own: the whole file
            raw = whole.group("codes")
            codes = None if not raw else {c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c}
            prev = out.get(FILE)
            if prev is None:
                out[FILE] = Suppression(tok.start[0], tok.start[1] + 1, codes, whole.group(0))
            elif prev.codes is not None:
                prev.codes = None if codes is None else prev.codes | codes
            continue
        for rx in (NOQA, IGNORE):
            m = rx.search(tok.string)
            if not m:
                continue
            raw = m.group("codes")
            codes = None if not raw else {c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c}
            line = tok.start[0]
            prev = out.get(line)
            if prev is not None and prev.codes is not None and codes is not None:
                prev.codes |= codes
            else:
                out[line] = Suppression(line, tok.start[1] + m.start() + 1, codes, m.group(0))
    return out


def is_suppressed(sup: dict, line: int, code: str) -> bool:
    s = sup.get(line)
    if s is not None and line != FILE and (s.codes is None or code in s.codes):
        s.used.add(code)
        return True
    f = sup.get(FILE)  # file-wide: its codes may be prefixes (SHP5)
    if f is not None and (f.codes is None or any(code.startswith(c) for c in f.codes)):
        f.used.add(code)
        return True
    return False


def unused(sup: dict) -> list:
    """Suppressions naming SHP codes that suppressed nothing: (line, column, codes)."""
    out = []
    for s in sup.values():
        if s.codes is None:
            continue
        stale = sorted(c for c in s.codes if c.startswith("SHP") and c != "SHP100"
                       and not any(u == c or u.startswith(c) for u in s.used))
        if stale:
            out.append((s.line, s.column, stale))
    return out
