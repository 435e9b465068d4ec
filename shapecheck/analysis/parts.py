"""Files LibCST cannot parse in bounded time and memory: refused, or checked part by part.

LibCST's native parser builds a Python object per token and per piece of whitespace: about 4 us
and 0.9 KB of memory a byte of source (measured on generated tensor code: 1 MB whole takes 9 s and
930 MB, 5 MB whole 65 s and 4.5 GB; the same 5 MB in 20 KB pieces 19 s and 70 MB). Its time also
grows with the square of an expression's nesting (``a[0][0]...`` 1000 deep: 1.8 s, 2000 deep:
9 s; 1000 nested ``f(f(...))``: 15 s and 2.2 GB), where CPython refuses more than 200 nested
brackets outright. So, before LibCST sees a file (``screen``):

- a scan that reads only brackets, strings, comments and line ends (``_scan``; ~2% of the parse)
  finds brackets nested past CPython's limit (SHP900, as ``python`` says it) and statements whose
  operations nest past ``MAX_EXPR_DEPTH`` (SHP901: the file is not analyzed);
- a file over ``HUGE_FILE_BYTES`` is cut at its top-level statements into parts of about
  ``PART_BYTES``, each checked as a file of its own (``check``, the engine's) with the file's
  imports put before it, its diagnostics moved to the file's lines. Each part runs on its own
  memory, which it gives back. At most ``ANALYSED_BYTES`` of the file are analysed, and those
  parts spread over it: the first, the last, the middle, then the middles of the halves... so
  that a budget too small for the whole file still looks at all of its regions (its end too),
  and the same file is always cut the same way (no clock decides which parts run, unless the
  ``HUGE_TIME_BUDGET`` backstop stops them). Each part not analysed is one SHP901 that names its
  lines and the functions and classes it defines.

What crosses parts is lost, never guessed: a name defined in another part (beyond the imports)
is unknown in this one, so it is silent there.
"""
from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Optional

from .. import pyast
from ..findings import Diagnostic, Edit
from .context import STEP_BUDGET, Limits, limited

HUGE_FILE_BYTES = 512 * 1024  # past this (in characters), a file is checked in parts
PART_BYTES = 32 * 1024
ANALYSED_BYTES = 1 << 20  # of a huge file, its parts up to this many characters are analysed
HUGE_STEPS = 2 * STEP_BUDGET  # the steps of a huge file's parts together (shared as they run)
HUGE_TIME_BUDGET = 40.0  # seconds for a huge file's parts together: a backstop (see context.TIME_BUDGET)
HEADER_MAX_BYTES = 16 * 1024  # the file's imports put before each part, at most
# One top-level statement larger than this is not parsed (a literal list of a million numbers);
# a part (header and statement) then always stays under HUGE_FILE_BYTES.
MAX_UNIT_BYTES = HUGE_FILE_BYTES - HEADER_MAX_BYTES - 1024
MAX_BRACKETS = 200  # CPython's tokenizer: "too many nested parentheses" past this
MAX_INDENTS = 100  # and "too many levels of indentation" from this many blocks on
# A statement whose tree nests deeper than this (``a + a + ... + a``, ``x.y.z...``, ``f(f(...))``, as
# ``nesting`` counts) is not given to LibCST: past ~300, the Python code that walks the tree (LibCST's
# own visitors for positions, the interpreter) runs out of recursion at the default limit of 1000
# (measured: each kind of chain checks at 300 and fails at 350); the parse itself grows with the
# square of it (0.3 s at 300). Nor a file whose deep statements together would cost ``DEEP_COST`` of those.
MAX_EXPR_DEPTH = 250
DEEP_COST = 8.0

Check = Callable[[str], list[Diagnostic]]
_inside = threading.local()  # ``part``: a part of a huge file is being checked on this thread

_INTEREST = re.compile(r"[\"'#()\[\]{}\r\n\\]")
_LINE_END = re.compile(r"[\r\n]")
_STRING_END = {
    "'''": re.compile(r"(?:[^'\\]+|\\[\s\S]|'(?!''))*'''"),
    '"""': re.compile(r'(?:[^"\\]+|\\[\s\S]|"(?!""))*"""'),
    "'": re.compile(r"(?:[^'\\\r\n]+|\\(?:\r\n|[\s\S]))*'"),
    '"': re.compile(r'(?:[^"\\\r\n]+|\\(?:\r\n|[\s\S]))*"'),
}
# What nests an expression one level deeper in LibCST's tree: binary and unary operators, an
# attribute, a call or subscript (an opening bracket), ``not``, ``lambda``, a conditional ``if``.
# Comparisons and ``and``/``or`` chains stay flat (or cost little); ``,`` ``;`` ``=`` start anew.
_CHAIN = re.compile(r"""(?P<q>['"])|(?P<c>\#)|(?P<o>[(\[{])|(?P<x>[)\]}])|(?P<s>[,;=])|(?P<a>\.(?=[ \t]*[A-Za-z_]))"""
                    r"""|(?P<op>\*\*|//|<<|>>|[-+*/%@&|^~]|\b(?:not|lambda|if|await)\b)""")
BRACKET_LEVELS = 1  # what a bracket puts between its holder and its contents (an Arg, an Element)
_LEAD = re.compile(r"[ \t\f]*")
_NOT_CODE = frozenset(" \t\f\r\n#\\")
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_IMPORT = re.compile(r"(?:import|from)[ \t]")
_DEFINES = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)")
_DEFINES_LINE = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.M)


@dataclass
class Scan:
    """What ``_scan`` read: the offsets where logical lines start, and the first bracket nested
    past ``MAX_BRACKETS`` (its offset), if any."""

    starts: list[int]
    too_deep: Optional[int] = None


@functools.lru_cache(maxsize=1)  # (the file ``screen`` just read: the server's re-parse cuts it again)
def _scan(source: str) -> Scan:
    """The logical lines of ``source``: a line end outside brackets and strings ends one (a
    backslash before it continues it). Reads brackets, quotes, comments and line ends only."""
    starts = [0]
    depth = 0
    too_deep: Optional[int] = None
    n = len(source)
    pos = 0
    search = _INTEREST.search
    while True:
        m = search(source, pos)
        if m is None:
            break
        i = m.start()
        c = source[i]
        if c in "([{":
            depth += 1
            if depth > MAX_BRACKETS and too_deep is None:
                too_deep = i
            pos = i + 1
        elif c in ")]}":
            depth = max(0, depth - 1)
            pos = i + 1
        elif c == "\n" or c == "\r":
            pos = i + 2 if source.startswith("\r\n", i) else i + 1
            if depth == 0:
                starts.append(pos)
        elif c == "#":
            e = _LINE_END.search(source, i)
            pos = e.start() if e is not None else n
        elif c == "\\":  # (a continuation: the line end after it ends nothing)
            pos = i + 3 if source.startswith("\r\n", i + 1) else i + 2
        else:
            quote = c * 3 if source.startswith(c * 3, i) else c
            e = _STRING_END[quote].match(source, i + len(quote))
            if e is not None:
                pos = e.end()
            elif len(quote) == 3:
                pos = n  # (unclosed: the parser will say so)
            else:
                e = _LINE_END.search(source, i)
                pos = e.start() if e is not None else n
    if starts[-1] >= n:
        starts.pop()
    return Scan(starts, too_deep)


def nesting(text: str) -> int:
    """How deep LibCST's tree of one logical line is, about: each binary or unary operator of a
    chain one level (``a + b + c``: two), and of each operand its attributes, calls and subscripts
    (``x.y(z)[0]``: three); a bracket's contents one level below what holds it. A separator
    (``,`` ``;`` ``=``) starts its bracket's count anew."""
    chain = [0]  # per open bracket: operators of the chain so far, and postfix operations of its operand
    post = [0]
    total = best = 0
    pos = 0
    search = _CHAIN.search
    while True:
        m = search(text, pos)
        if m is None:
            return best
        kind = m.lastgroup
        pos = m.end()
        if kind == "q":
            i = m.start()
            quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
            e = _STRING_END[quote].match(text, i + len(quote))
            pos = e.end() if e is not None else len(text)
        elif kind == "c":
            e = _LINE_END.search(text, pos)
            pos = e.start() if e is not None else len(text)
        elif kind == "o":  # a call, subscript or display: the operand's, and a level for its contents
            post[-1] += 1
            total += 1 + BRACKET_LEVELS
            chain.append(BRACKET_LEVELS)
            post.append(0)
        elif kind == "x":
            if len(chain) > 1:
                total -= chain.pop() + post.pop()
        elif kind == "s":
            base = BRACKET_LEVELS if len(chain) > 1 else 0
            total -= chain[-1] - base + post[-1]
            chain[-1], post[-1] = base, 0
        elif kind == "a":  # an attribute: the operand's
            post[-1] += 1
            total += 1
        else:  # an operator: one more of the chain, and a new operand
            chain[-1] += 1
            total += 1 - post[-1]
            post[-1] = 0
        best = max(best, total)


def _line_of(source: str, offset: int, start: int = 0, line: int = 1) -> int:
    """The 1-based line of ``offset``, counting from ``start`` (on ``line``); ``\\r\\n``, ``\\r``
    and ``\\n`` each end a line, as Python's tokenizer reads them."""
    return line + source.count("\n", start, offset) + source.count("\r", start, offset) \
        - source.count("\r\n", start, offset)


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _note(code: str, message: str, path: str, line: int, column: int = 1) -> Diagnostic:
    name, severity = ("syntax-error", "error") if code == "SHP900" else ("analysis-skipped", "info")
    return Diagnostic(code, name, severity, message, path, line, column, line, column)


def screen(source: str, path: str, check: Check) -> Optional[list[Diagnostic]]:
    """The diagnostics of a file LibCST must not parse whole (refused, or checked in parts with
    ``check``); None for a file to analyse as usual."""
    scan = _scan(source)
    if scan.too_deep is not None:
        line = _line_of(source, scan.too_deep)
        column = scan.too_deep - max(source.rfind("\n", 0, scan.too_deep), source.rfind("\r", 0, scan.too_deep))
        return [_note("SHP900", f"cannot parse this file: too many nested parentheses (over {MAX_BRACKETS})",
                      path, line, column)]
    if len(source) > HUGE_FILE_BYTES and not getattr(_inside, "part", False):  # (a part: as a file of its own)
        return check_parts(source, path, check, scan)
    deep = _deep_statement(source, scan.starts)
    if deep is not None:
        return [_note(deep[0], deep[2], path, deep[1])]
    return None


def _deep_statement(source: str, starts: list[int]) -> Optional[tuple[str, int, str]]:
    """(code, line, message) where a statement nests too deep for LibCST: its expression
    (``nesting``) and the blocks around it (two levels each: the compound statement and its
    block); past CPython's ``MAX_INDENTS`` blocks, a syntax error as Python says it."""
    cost = 0.0
    bounds = starts + [len(source)]
    widths = [0]  # the indentation of the blocks open, as Python's tokenizer keeps it
    for k in range(len(starts)):
        a, b = bounds[k], bounds[k + 1]
        lead = _LEAD.match(source, a)
        at = lead.end() if lead is not None else a
        if at >= b or source[at] in "#\r\n":  # (blank or comment: no statement, no indentation)
            continue
        width = len(source[a:at].expandtabs(8).rsplit("\f", 1)[-1])
        while width < widths[-1]:
            widths.pop()
        if width > widths[-1]:
            widths.append(width)
            if len(widths) > MAX_INDENTS:
                return "SHP900", _line_of(source, a), "cannot parse this file: too many levels of indentation"
        blocks = 2 * (len(widths) - 1)
        if b - at < 2 * 100 and blocks < 100:  # (a chain of n operations takes at least 2n characters)
            continue
        chain = nesting(source[at:b])
        d = chain + blocks
        if d < 100:
            continue
        if chain >= 100:  # (what the parser's time grows with: the expression's own nesting)
            cost += (chain / MAX_EXPR_DEPTH) ** 2
        if d > MAX_EXPR_DEPTH or cost > DEEP_COST:
            line = _line_of(source, a)
            why = (f"the statement at line {line} nests about {d} levels deep" if d > MAX_EXPR_DEPTH
                   else f"its expressions nest deep (about {chain} levels at line {line}) too often")
            return "SHP901", line, (f"file not analyzed: {why}; the parser's time grows with the square of that, "
                          f"and past ~300 the tree is too deep to walk (limit {MAX_EXPR_DEPTH})")
    return None


# ------------------------------------------------------------------ huge files
@dataclass
class Unit:
    """Top-level statements kept together: ``[start, end)`` of the source, from ``line`` on, and
    the functions and classes they define."""

    start: int
    end: int
    line: int
    names: list[str] = field(default_factory=list)
    imports: bool = False

    @property
    def size(self) -> int:
        return self.end - self.start


def top_units(source: str) -> list[Unit]:
    """``units`` of ``source`` as ``_scan`` reads its logical lines."""
    return units(source, _scan(source).starts)


def units(source: str, starts: list[int]) -> list[Unit]:
    """``source`` cut before each top-level statement (a logical line in column 0), except before
    ``else``/``except``... and after a decorator; blank lines and comments go with the statement
    before (those before the first statement, with it). None for a file of comments only."""
    out: list[Unit] = []
    line, at = 1, 0
    decorated = False
    for s in starts:
        if s >= len(source):
            break
        ch = source[s]
        if ch in _NOT_CODE:  # (a blank or comment line, or one indented: inside a block)
            continue
        if _CONTINUES.match(source, s) or decorated:
            decorated = ch == "@"
            continue
        decorated = ch == "@"
        line = _line_of(source, s, at, line)
        at = s
        if out:
            out[-1].end = s
        out.append(Unit(s, len(source), line, imports=bool(_IMPORT.match(source, s))))
    if not out:  # (comments only)
        return []
    if out[0].start > 0:  # (what comes before the first statement: a docstring, comments)
        out[0].start, out[0].line, out[0].imports = 0, 1, False
    for u in out:
        m = _DEFINES.match(source, u.start)
        if m is None and source.startswith("@", u.start):  # (decorated: the definition's own line)
            m = _DEFINES_LINE.search(source, u.start, u.end)
        if m is not None:
            u.names.append(m.group(1))
    return out


@dataclass
class Piece:
    """One part of a huge file: its units, analysed together."""

    units: list[Unit]

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end

    @property
    def line(self) -> int:
        return self.units[0].line

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def names(self) -> list[str]:
        return [n for u in self.units for n in u.names]


def pieces(all_units: list[Unit]) -> list[Piece]:
    """Consecutive units grouped into parts of about ``PART_BYTES``; a unit over ``MAX_UNIT_BYTES``
    stands alone (and is not parsed)."""
    out: list[Piece] = []
    cur: list[Unit] = []
    size = 0
    for u in all_units:
        if u.size > MAX_UNIT_BYTES or (cur and size + u.size > PART_BYTES):
            if cur:
                out.append(Piece(cur))
            cur, size = [], 0
        cur.append(u)
        size += u.size
        if u.size > MAX_UNIT_BYTES:
            out.append(Piece(cur))
            cur, size = [], 0
    if cur:
        out.append(Piece(cur))
    return out


def spread(count: int) -> list[int]:
    """``0 .. count-1`` in an order that covers the range evenly at every prefix: the first, the
    last, the middle, then the middles of the halves, of the quarters..."""
    if count <= 2:
        return list(range(count))
    out = [0, count - 1]
    seen = set(out)
    spans = [(0, count - 1)]
    while spans:
        nxt = []
        for a, b in spans:
            if b - a < 2:
                continue
            m = (a + b) // 2
            if m not in seen:
                seen.add(m)
                out.append(m)
            nxt += [(a, m), (m, b)]
        spans = nxt
    return out + [i for i in range(count) if i not in seen]


def _header(source: str, all_units: list[Unit]) -> list[tuple[int, str]]:
    """The file's top-level imports, (offset, text) each, up to ``HEADER_MAX_BYTES`` together;
    none where Python cannot parse them (every part would then fail on them)."""
    out: list[tuple[int, str]] = []
    size = 0
    for u in all_units:
        if not u.imports:
            continue
        text = _LINE_BREAKS.sub("\n", source[u.start:u.end]).rstrip() + "\n"
        if size + len(text) > HEADER_MAX_BYTES:
            break
        out.append((u.start, text))
        size += len(text)
    try:
        pyast.parse("".join(text for _, text in out))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return out


_LINE_BREAKS = re.compile(r"\r\n?")


def check_parts(source: str, path: str, check: Check, scan: Optional[Scan] = None) -> list[Diagnostic]:
    """A huge file's diagnostics, its parts checked one by one (the module's docstring says how)."""
    scan = scan or _scan(source)
    all_units = units(source, scan.starts)
    parts = pieces(all_units)
    header = _header(source, all_units)
    chosen: list[int] = []
    size = 0
    for i in spread(len(parts)):
        if parts[i].size > MAX_UNIT_BYTES:  # (never parsed: it costs nothing, and its note says why)
            chosen.append(i)
        elif size + parts[i].size <= ANALYSED_BYTES or not chosen:
            chosen.append(i)
            size += parts[i].size
    deadline = time.monotonic() + HUGE_TIME_BUDGET
    limits = Limits(deadline=deadline)
    out: list[Diagnostic] = []
    done: set[int] = set()
    left = len(chosen)
    why = f"the file is too large ({_size(len(source))}; {_size(ANALYSED_BYTES)} of it is analyzed, in parts)"
    for i in chosen:
        if time.monotonic() > deadline:
            why = f"the time budget of the file ran out ({HUGE_TIME_BUDGET:.0f} s)"
            break
        part = parts[i]
        limits.steps = max((HUGE_STEPS - limits.spent) // left, STEP_BUDGET // 100)
        left -= 1
        done.add(i)
        if part.size > MAX_UNIT_BYTES:
            out += _unparsed(source, part, path)
            continue
        before = "".join(text for at, text in header if not part.start <= at < part.end)
        _inside.part = True
        try:  # (the garbage collector waits for a part: ~15% of its time, its cycles freed after it)
            with limited(limits), pyast.no_gc():
                found = check(before + source[part.start:part.end])
        finally:
            _inside.part = False
        last = _line_of(source, part.end - 1, part.start, part.line)
        out += _moved(found, path, part.line - 1 - before.count("\n"), part.line, last)
    out += _skipped(source, parts, done, path, why)
    out.sort(key=lambda d: (d.line, d.column, d.code))
    return out


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n // 1024} KB"


def _moved(found: list[Diagnostic], path: str, shift: int, first: int, last: int) -> list[Diagnostic]:
    """A part's diagnostics on the file's lines ``first``..``last``. Those on the imports put
    before it are dropped, except what says the part was not analysed (the engine puts a whole
    file's SHP900/SHP901 on its first line): that goes on the part's first line, for its lines."""
    out = []
    for d in found:
        if d.line + shift < first:
            if d.code not in ("SHP900", "SHP901"):
                continue
            message = d.message
            if message.startswith("file not analyzed"):
                message = _lines(first, last) + message[len("file"):]
            out.append(replace(d, path=path, message=message, line=first, column=1, end_line=first, end_column=1))
            continue
        fix = d.fix
        if fix is not None and fix.edits:
            fix = replace(fix, edits=tuple(replace(e, line=e.line + shift, end_line=e.end_line + shift)
                                           for e in fix.edits if isinstance(e, Edit)))
        out.append(replace(d, path=path, line=d.line + shift, end_line=d.end_line + shift, fix=fix))
    return out


def _unparsed(source: str, part: Piece, path: str) -> list[Diagnostic]:
    """A statement too large to parse (even Python's own compiler takes seconds and most of a
    gigabyte for a literal list of a million numbers): one SHP901, its syntax unchecked."""
    what = f" ({_listed(part.names)})" if part.names else ""
    last = _line_of(source, part.end - 1, part.start, part.line)
    return [_note("SHP901", f"{_lines(part.line, last)}{what} not analyzed: one statement of {_size(part.size)}, "
                            f"too large to parse (its syntax is not checked either)", path, part.line)]


def _skipped(source: str, parts: list[Piece], done: set[int], path: str, why: str) -> list[Diagnostic]:
    """One SHP901 for each run of consecutive parts not analysed, naming what they define."""
    out = []
    run: list[Piece] = []
    for i in range(len(parts) + 1):
        if i < len(parts) and i not in done:
            run.append(parts[i])
            continue
        if run:
            names = [n for p in run for n in p.names]
            what = f" ({_listed(names)})" if names else ""
            first, last = run[0].line, _line_of(source, run[-1].end - 1, run[-1].start, run[-1].line)
            out.append(_note("SHP901", f"{_lines(first, last)}{what} not analyzed: {why}", path, first))
            run = []
    return out


def _listed(names: list[str], shown: int = 4) -> str:
    noun = "function or class" if len(names) == 1 else "functions and classes"
    if len(names) <= shown:
        return f"{len(names)} {noun}: {', '.join(names)}"
    return f"{len(names)} {noun}: {', '.join(names[:shown - 1])}, ..., {names[-1]}"
