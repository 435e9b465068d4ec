"""Applying fixes: text splicing at the positions the engine gave, so formatting and comments
around a fixed expression survive (as ruff applies its edits), and the ``# noqa`` edit an editor
offers.

Pure functions of a source text and its diagnostics: the CLI's ``--fix``/``--diff`` and the
language server's code actions share them.

- ``apply_fixes(source, diagnostics, unsafe)``: the fixes that apply (safe ones; unsafe ones too
  with ``unsafe``), in the order of their positions; a fix whose edits overlap one taken before is
  skipped (it applies in the next round, on the new text), and one that would leave the file
  unparsable is never applied.
- ``fix_until_stable(source, check, unsafe)``: apply, check again, apply what the new text unlocks,
  for at most ``MAX_ROUNDS`` rounds, never twice the same text.
- ``noqa_edit(source, line, code)``: the edit that adds ``# noqa: CODE`` to a line, merged into an
  existing ``# noqa: A, B`` (or ``# shapecheck: ignore[A]``), other comments kept.
"""
from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Optional

from .findings import Diagnostic, Edit

MAX_ROUNDS = 5  # ruff iterates up to 100 times; a shape fix rarely unlocks more than one more
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Span:
    """A region: 1-based lines, 1-based columns in characters, the end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


def line_starts(source: str) -> list[int]:
    """The offset where each line begins (``\\n``, ``\\r\\n`` and ``\\r`` end a line, as for the parser)."""
    return [0] + [m.end() for m in _NEWLINE.finditer(source)]


def offset(source: str, starts: Sequence[int], line: int, column: int) -> int:
    """The offset of a 1-based (line, column); past the end of a line or the text it is clamped."""
    if line < 1:
        return 0
    if line > len(starts):
        return len(source)
    begin = starts[line - 1]
    end = starts[line] if line < len(starts) else len(source)
    return min(begin + max(column, 1) - 1, end)


def text_of(source: str, span: Span) -> str:
    starts = line_starts(source)
    return source[offset(source, starts, span.line, span.column):offset(source, starts, span.end_line,
                                                                         span.end_column)]


def shifted(edit: Edit, region: Span) -> Edit:
    """``edit`` in the coordinates of the text of ``region`` (it lies inside it)."""
    def at(line: int, column: int) -> tuple[int, int]:
        if line == region.line:
            return 1, column - region.column + 1
        return line - region.line + 1, column

    (l1, c1), (l2, c2) = at(edit.line, edit.column), at(edit.end_line, edit.end_column)
    return replace(edit, line=l1, column=c1, end_line=l2, end_column=c2, cell=None)


def _ranges(source: str, starts: Sequence[int], edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    return [(offset(source, starts, e.line, e.column), offset(source, starts, e.end_line, e.end_column), e.content)
            for e in edits]


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """``source`` with ``edits`` spliced in (they must not overlap)."""
    starts = line_starts(source)
    out = source
    for start, end, content in sorted(_ranges(source, starts, edits), key=lambda r: (r[0], r[1]), reverse=True):
        out = out[:start] + content + out[end:]
    return out


def applicable(d: Diagnostic, unsafe: bool = False) -> bool:
    """Whether ``--fix`` applies ``d``'s fix (``--unsafe-fixes``: ``unsafe``)."""
    return d.fix is not None and bool(d.edits()) and (d.fix.safe or unsafe)


def parses(source: str) -> bool:
    from . import pyast

    try:
        pyast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def apply_fixes(source: str, diagnostics: Iterable[Diagnostic], unsafe: bool = False,
                valid: Callable[[str], bool] = parses) -> tuple[str, list[Diagnostic]]:
    """``(new source, the diagnostics whose fixes were applied)``. Fixes go in the order of their
    first edit; one overlapping an edit already taken is skipped (the next round may apply it);
    a set of fixes that leaves the text invalid (``valid``: Python that parses) is cut down to the
    fixes that keep it so, one by one."""
    starts = line_starts(source)
    taken: list[tuple[int, int]] = []
    chosen: list[Diagnostic] = []
    candidates = [d for d in diagnostics if applicable(d, unsafe)]
    candidates.sort(key=lambda d: min((e.line, e.column) for e in d.edits()))
    for d in candidates:
        ranges = [(s, e) for s, e, _ in _ranges(source, starts, d.edits())]
        if any(s < e2 and s2 < e or (s == s2 and e == e2) for s, e in ranges for s2, e2 in taken) or \
                any(a != b and a[0] < b[1] and b[0] < a[1] for a in ranges for b in ranges):
            continue
        taken.extend(ranges)
        chosen.append(d)
    if not chosen:
        return source, []
    new = apply_edits(source, [e for d in chosen for e in d.edits()])
    if valid(new):
        return new, chosen
    kept: list[Diagnostic] = []  # one by one: each fix kept only where the text stays valid
    for d in chosen:
        trial = apply_edits(source, [e for k in kept + [d] for e in k.edits()])
        if valid(trial):
            kept.append(d)
    return (apply_edits(source, [e for d in kept for e in d.edits()]) if kept else source), kept


@dataclass
class Fixed:
    """What ``fix_until_stable`` did: the new text, how many fixes it applied, and the diagnostics
    of the new text (those that remain)."""

    source: str
    fixed: int
    remaining: list[Diagnostic]
    applied: list[Diagnostic]


def fix_until_stable(source: str, check: Callable[[str], list[Diagnostic]], unsafe: bool = False,
                     rounds: int = MAX_ROUNDS, valid: Callable[[str], bool] = parses) -> Fixed:
    """Fix, check the new text again, fix what that unlocks: at most ``rounds`` rounds, and never
    back to a text seen before (two fixes undoing each other)."""
    seen = {source}
    applied: list[Diagnostic] = []
    diags = check(source)
    for _ in range(rounds):
        new, done = apply_fixes(source, diags, unsafe, valid)
        if not done or new in seen:
            break
        seen.add(new)
        source = new
        applied.extend(done)
        diags = check(source)
    return Fixed(source, len(applied), diags, applied)


def unified_diff(old: str, new: str, name: str, new_name: Optional[str] = None) -> str:
    """A unified diff of two texts (``--- name`` / ``+++ name``), as ``--diff`` prints it."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=name, tofile=new_name or name)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


# ------------------------------------------------------------------------- noqa
_NOQA_CODES = re.compile(r"(?P<head>#\s*noqa:\s*)(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.I)
_NOQA_ALL = re.compile(r"#\s*noqa(?!:\s*[A-Z]+[0-9]+)", re.I)
_IGNORE_CODES = re.compile(r"(?P<head>#\s*shapecheck:\s*ignore\[)(?P<codes>[^\]]*)\]", re.I)
_IGNORE_ALL = re.compile(r"#\s*shapecheck:\s*ignore(?!\[)", re.I)


def noqa_edit(source: str, line: int, code: str) -> Optional[Edit]:
    """The edit that suppresses ``code`` on ``line`` (1-based): ``# noqa: CODE`` appended after the
    code (two spaces before it, as PEP 8 writes inline comments), or the code added to a ``# noqa:
    A, B`` or ``# shapecheck: ignore[A]`` already there. None where nothing is needed (the line
    already suppresses the code, or everything) or nothing can be written: the line ends inside a
    string or with a backslash, or the source does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    starts = line_starts(source)
    if not 1 <= line <= len(starts):
        return None
    for tok in tokens:
        if tok.type == tokenize.STRING and tok.start[0] <= line < tok.end[0]:
            return None  # the line ends inside a string
        if tok.type == tokenize.COMMENT and tok.start[0] == line:
            return _merge(tok, line, code)
    begin = starts[line - 1]
    end = starts[line] if line < len(starts) else len(source)
    text = _NEWLINE.sub("", source[begin:end])
    body = text.rstrip()
    if not body.strip() or body.endswith("\\"):
        return None
    return Edit(line, len(body) + 1, line, len(text) + 1, f"  # noqa: {code}")


def _merge(tok: tokenize.TokenInfo, line: int, code: str) -> Optional[Edit]:
    comment = tok.string
    col = tok.start[1] + 1  # tokenize's columns are characters of the line too
    for rx in (_NOQA_CODES, _IGNORE_CODES):
        m = rx.search(comment)
        if m is None:
            continue
        codes = [c for c in re.split(r"[\s,]+", m.group("codes").strip()) if c]
        if code.upper() in (c.upper() for c in codes):
            return None
        if not codes:
            sep = ""
        elif rx is _NOQA_CODES and len(codes) > 1 and "," not in m.group("codes"):
            sep = " "  # ``# noqa: A B``: the line's own style
        else:
            sep = ", "
        at = col + m.start("codes") + len(m.group("codes").rstrip())
        return Edit(line, at, line, at, f"{sep}{code}")
    if _NOQA_ALL.search(comment) or _IGNORE_ALL.search(comment):
        return None  # everything on the line is suppressed already
    end = col + len(comment)
    return Edit(line, end, line, end, f"  # noqa: {code}")


NOT_SUPPRESSIBLE = ("SHP900", "SHP901", "SHP100")  # the file, the analyzer, a stale noqa: nothing to silence


def add_noqa(source: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """``--add-noqa``: ``# noqa: CODE`` on the line of each finding (merged into a noqa comment
    already there, one comment a line), as ruff's ``--add-noqa``; ``(new source, codes added)``."""
    wanted = sorted({(d.line, d.code) for d in diagnostics if d.code not in NOT_SUPPRESSIBLE})
    added = 0
    for line, code in wanted:
        edit = noqa_edit(source, line, code)
        if edit is not None:
            source = apply_edits(source, [edit])
            added += 1
    return source, added

