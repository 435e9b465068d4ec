"""Golden fixtures, mypy/ty style: small programs in ``tests/golden/`` with inline anchors.

Anchors (trailing comments):

* ``y = x @ w  # E: SHP102`` -- exactly these codes (errors and warnings; info findings are
  ignored) are reported on this line; several: ``# E: SHP101, SHP501``. Quoted text after the
  codes, ``# E: SHP101 "holds only if"``, must occur in one of the line's messages.
* ``reveal_shape(y)  # revealed: (32, 10)`` -- the inferred value prints exactly so
  (``shapecheck.engine.reveal``).
* A line without an ``E`` anchor must produce no error or warning.

``pytest --update-golden`` (or ``SHAPECHECK_UPDATE_GOLDEN=1``) rewrites the anchors in place
from what the checker reports, so the change shows up as a diff to review. Fixtures are read,
never imported or run (``tests/golden/conftest.py`` keeps pytest from collecting them).

The anchor parser here is shared with ``tests/test_rules.py`` (rule VALID/INVALID examples).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from shapecheck.engine import check_source, reveal

GOLDEN_DIR = Path(__file__).parent / "golden"

# ``# revealed: TEXT`` runs to the end of the line; ``# E: CODES "msg"...`` ends the rest.
_REVEALED = re.compile(r"\s*#\s*revealed:\s*(?P<text>.*?)\s*$")
_ERRORS = re.compile(
    r"\s*#\s*E:\s*(?P<codes>SHP\d{3}(?:\s*,\s*SHP\d{3})*)(?P<msgs>(?:\s+\"[^\"]*\")*)\s*$"
)
_QUOTED = re.compile(r"\"([^\"]*)\"")


@dataclass
class LineAnchors:
    """What one line of a fixture expects, and its text without the anchors."""

    code: str  # the line without its anchors (trailing whitespace removed)
    codes: list = field(default_factory=list)  # sorted, duplicates kept
    messages: list = field(default_factory=list)  # substrings expected in the line's messages
    revealed: Optional[str] = None


def split_anchors(line: str) -> LineAnchors:
    """Split one source line into its code and its ``# E:`` / ``# revealed:`` anchors."""
    rest = line.rstrip("\r\n")
    revealed = None
    m = _REVEALED.search(rest)
    if m:
        revealed = m.group("text")
        rest = rest[: m.start()]
    codes: list = []
    messages: list = []
    m = _ERRORS.search(rest)
    if m:
        codes = sorted(c.strip() for c in m.group("codes").split(","))
        messages = _QUOTED.findall(m.group("msgs") or "")
        rest = rest[: m.start()]
    return LineAnchors(rest.rstrip(), codes, messages, revealed)


def parse_anchors(source: str) -> dict:
    """Line number (1-based) -> LineAnchors, for every line of ``source``."""
    return {i: split_anchors(text) for i, text in enumerate(source.splitlines(), start=1)}


def reported(source: str, path: str = "<golden>", crashes: Optional[list] = None) -> dict:
    """Line -> the errors and warnings the checker reports (info ignored). Internal errors
    (SHP901 "internal error", an info) are appended to ``crashes``: they are engine bugs."""
    out: dict = {}
    for d in check_source(source, path):
        if d.severity in ("error", "warning"):
            out.setdefault(d.line, []).append(d)
        elif crashes is not None and d.code == "SHP901" and "internal error" in d.message:
            crashes.append(f"{path}:{d.line}: {d.message}")
    return out


def mismatches(source: str, path: str = "<golden>", check_reveals: bool = True) -> list:
    """Human-readable differences between the anchors in ``source`` and the checker's output."""
    anchors = parse_anchors(source)
    crashes: list = []
    got = reported(source, path, crashes)
    lines = source.splitlines()
    problems = [f"{c} (the checker crashed here)" for c in crashes]
    for line in sorted(set(anchors) | set(got)):
        want = anchors[line].codes if line in anchors else []
        diags = got.get(line, [])
        have = sorted(d.code for d in diags)
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        if want != have:
            msgs = "; ".join(f"{d.code}: {d.message}" for d in diags) or "nothing"
            problems.append(f"{path}:{line}: expected [{', '.join(want)}], got [{', '.join(have)}]"
                            f"\n    {text}\n    reported: {msgs}")
            continue
        for sub in anchors[line].messages if line in anchors else []:
            if not any(sub in d.message for d in diags):
                problems.append(f"{path}:{line}: no message contains {sub!r}\n    {text}\n    reported: "
                                + "; ".join(d.message for d in diags))
    expected_reveals = {n: a.revealed for n, a in anchors.items() if a.revealed is not None}
    if check_reveals and (expected_reveals or "reveal_shape" in source):
        shown = dict(reveal(source))
        for line in sorted(set(shown) | set(expected_reveals)):
            want_r, have_r = expected_reveals.get(line), shown.get(line)
            if want_r != have_r:
                text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                problems.append(f"{path}:{line}: revealed expected {want_r!r}, got {have_r!r}\n    {text}")
    return problems


def _render(a: LineAnchors, codes: list, messages: list, revealed: Optional[str]) -> str:
    out = a.code
    if codes:
        out += "  # E: " + ", ".join(codes) + "".join(f' "{m}"' for m in messages)
    if revealed is not None:
        out += f"  # revealed: {revealed}"
    return out


def updated_source(source: str, path: str = "<golden>") -> str:
    """``source`` with every anchor rewritten from the checker's output."""
    anchors = parse_anchors(source)
    got = reported(source, path)
    shown = dict(reveal(source)) if "reveal_shape" in source else {}
    lines = source.splitlines()
    out = []
    for i, raw in enumerate(lines, start=1):
        a = anchors[i]
        diags = got.get(i, [])
        codes = sorted(d.code for d in diags)
        # Keep the expected message fragments that the new messages still contain.
        messages = [m for m in a.messages if any(m in d.message for d in diags)] if codes else []
        revealed = shown.get(i)
        if codes == a.codes and messages == a.messages and revealed == a.revealed:
            out.append(raw)  # untouched lines keep their exact spacing
        else:
            out.append(_render(a, codes, messages, revealed))
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def update_requested(config: Optional[pytest.Config] = None) -> bool:
    if os.environ.get("SHAPECHECK_UPDATE_GOLDEN", "") not in ("", "0"):
        return True
    if config is None:
        return False
    try:
        return bool(config.getoption("--update-golden"))
    except ValueError:  # the option is registered in tests/conftest.py
        return False


def fixture_files(folder: Path = GOLDEN_DIR) -> list:
    """Every fixture (``tests/golden/*.py`` except pytest's conftest)."""
    return sorted(p for p in folder.glob("*.py") if p.name != "conftest.py" and not p.name.startswith("_"))


def pending_files() -> list:
    """``tests/golden/pending/*.py``: anchors true of torch/numpy that the checker does not meet
    yet. They run as non-strict xfails (an XPASS means: move the lines back into a fixture) and
    ``--update-golden`` never rewrites them."""
    return fixture_files(GOLDEN_DIR / "pending")


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.name)
def test_golden(fixture: Path, request: pytest.FixtureRequest) -> None:
    source = fixture.read_text(encoding="utf-8")
    rel = fixture.relative_to(GOLDEN_DIR.parent.parent).as_posix()
    if update_requested(request.config):
        new = updated_source(source, rel)
        if new != source:
            fixture.write_text(new, encoding="utf-8")
        source = new
    problems = mismatches(source, rel)
    assert not problems, f"{len(problems)} golden mismatch(es) in {rel}:\n" + "\n".join(problems)


@pytest.mark.xfail(reason="engine support pending (see the file's docstring)", strict=False)
@pytest.mark.parametrize("fixture", pending_files(), ids=lambda p: p.name)
def test_golden_pending(fixture: Path) -> None:
    source = fixture.read_text(encoding="utf-8")
    problems = mismatches(source, fixture.relative_to(GOLDEN_DIR.parent.parent).as_posix())
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the frameworks as oracle
# The anchors must be true of the real frameworks, not of the checker: each fixture is also
# executed (never imported) with torch/numpy, one top-level statement at a time, and every line
# that raises must carry an error anchor, every executed error-anchored line must raise, and
# every concrete ``# revealed:`` shape must be the real one. Skipped without torch.

# Errors whose program may run to the end (garbage results, silent layout bugs, warnings).
MAY_RUN = {"SHP100", "SHP305", "SHP502", "SHP503", "SHP601"}
NEVER_RAISE = {"SHP100", "SHP502", "SHP503"}  # warnings: the program runs
_SUPPRESSED = re.compile(r"#\s*(noqa\b|shapecheck:\s*ignore)", re.I)
# Oracle-only notes, for a bug the checker reports on another line than the one torch raises
# on (a broken Sequential chain is reported on its layer, raised where the chain is called):
# ``# runtime: raises`` (raises here, reported elsewhere), ``# runtime: ok`` (anchored, runs).
_RUNTIME = re.compile(r"#\s*runtime:\s*(?P<what>raises|ok)\b")
_FIXTURE_BUG = (NameError, ImportError, SyntaxError, UnboundLocalError)


@dataclass
class OracleRun:
    executed: set = field(default_factory=set)
    raised: dict = field(default_factory=dict)  # line -> "ExcType: message"
    fixture_bugs: list = field(default_factory=list)
    shapes: dict = field(default_factory=dict)  # line -> list of real values


def _real_value(x: object) -> object:
    shape = getattr(x, "shape", None)
    if shape is not None:
        return tuple(None if d is None else int(d) for d in shape)  # (a Keras tensor's None batch)
    if isinstance(x, bool) or not hasattr(x, "__index__"):
        return None
    return int(x)  # int, numpy integer


def run_for_real(path: Path) -> OracleRun:
    """Execute the fixture statement by statement, recording which lines ran and which raised."""
    import ast
    import sys
    import warnings

    source = path.read_text(encoding="utf-8")
    fname = str(path)
    run = OracleRun()

    def reveal_shape(x: object) -> object:
        frame = sys._getframe(1)
        if frame.f_code.co_filename == fname:
            run.shapes.setdefault(frame.f_lineno, []).append(_real_value(x))
        return x

    def tracer(frame, event, arg):  # noqa: ANN001 - sys.settrace protocol
        if frame.f_code.co_filename != fname:
            return None
        if event == "line":
            run.executed.add(frame.f_lineno)
        return tracer

    def statements(body: list) -> list:
        out = []
        for stmt in body:
            if (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
                    and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id == "__name__"):
                out.extend(statements(stmt.body))  # each call site in the main guard on its own
            else:
                out.append(stmt)
        return out

    tree = ast.parse(source, fname)
    env: dict = {"__name__": "__main__", "__file__": fname, "reveal_shape": reveal_shape}
    old = sys.gettrace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for stmt in statements(tree.body):
            code = compile(ast.Module(body=[stmt], type_ignores=[]), fname, "exec")
            sys.settrace(tracer)
            try:
                exec(code, env)  # noqa: S102 - the fixture is our own test program
            except Exception as e:  # noqa: BLE001 - every failure is data here
                tb, line = e.__traceback__, stmt.lineno
                while tb is not None:
                    if tb.tb_frame.f_code.co_filename == fname:
                        line = tb.tb_lineno
                    tb = tb.tb_next
                text = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]
                if isinstance(e, _FIXTURE_BUG):
                    run.fixture_bugs.append(f"line {line}: {text}")
                else:
                    run.raised[line] = text
            finally:
                sys.settrace(old)
    return run


def _reveal_matches(expected: str, real: object) -> bool:
    """Does a ``# revealed:`` text fit a real value? Symbols and ``*`` match any size."""
    if real is None or expected in ("unknown",) or expected.startswith("["):
        return True
    if expected.startswith("int "):
        want = expected[4:].strip()
        return not want.lstrip("-").isdigit() or int(want) == real
    if not (expected.startswith("(") and isinstance(real, tuple)):
        return True
    items = [t.strip() for t in expected[1:-1].split(",") if t.strip()]
    variadic = bool(items) and items[0] == "*"
    if variadic:
        items = items[1:]
    if (len(real) < len(items)) if variadic else (len(real) != len(items)):
        return False
    tail = real[len(real) - len(items):] if items else ()
    symbols: dict = {}
    for want, have in zip(items, tail):
        if want.lstrip("-").isdigit():
            if int(want) != have:
                return False
        elif re.fullmatch(r"[A-Za-z_]\w*", want):  # a bare symbol: the same everywhere it occurs
            if symbols.setdefault(want, have) != have:
                return False
    return True


def oracle_problems(path: Path) -> list:
    source = path.read_text(encoding="utf-8")
    anchors = parse_anchors(source)
    lines = source.splitlines()
    run = run_for_real(path)
    problems = [f"{path.name}: fixture bug at {b}" for b in run.fixture_bugs]
    for line, err in sorted(run.raised.items()):
        a = anchors.get(line)
        note = _RUNTIME.search(lines[line - 1])
        if a is not None and (set(a.codes) - NEVER_RAISE or _SUPPRESSED.search(lines[line - 1])):
            continue
        if note and note.group("what") == "raises":
            continue
        problems.append(f"{path.name}:{line}: raises for real but has no error anchor: {err}\n"
                        f"    {lines[line - 1].strip()}")
    for line, a in sorted(anchors.items()):
        note = _RUNTIME.search(lines[line - 1])
        if note and note.group("what") == "raises" and line in run.executed and line not in run.raised:
            problems.append(f"{path.name}:{line}: noted `runtime: raises` but runs fine\n    {a.code.strip()}")
        if note and note.group("what") == "ok":
            pass
        elif set(a.codes) - MAY_RUN and line in run.executed and line not in run.raised:
            problems.append(f"{path.name}:{line}: anchored {a.codes} but runs fine for real\n    {a.code.strip()}")
        if a.revealed is not None and line in run.shapes:
            for real in run.shapes[line]:
                if not _reveal_matches(a.revealed, real):
                    problems.append(f"{path.name}:{line}: revealed {a.revealed}, but the real value is {real}")
    return problems


# A fixture the frameworks cannot run says why on a line of its own, ``# no-oracle: <why>`` (its
# programs load datasets from the network, or need TensorFlow 1), as an ``OpCase`` says
# ``no_oracle``: the checker's anchors still hold (test_golden), the frameworks do not judge them.
_NO_ORACLE = re.compile(r"^#\s*no-oracle:\s*(?P<why>\S.*)$", re.M)


@pytest.mark.parametrize("fixture", fixture_files() + pending_files(),
                         ids=lambda p: p.relative_to(GOLDEN_DIR).as_posix())
def test_golden_anchors_match_frameworks(fixture: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("numpy")
    text = fixture.read_text(encoding="utf-8")
    no_oracle = _NO_ORACLE.search(text)
    if no_oracle:
        pytest.skip(no_oracle.group("why"))
    if re.search(r"^import tensorflow|^from tensorflow", text, re.M):
        pytest.importorskip("tensorflow")  # (TF1 fixtures: tensorflow.compat.v1 in graph mode)
    problems = oracle_problems(fixture)
    assert not problems, f"{len(problems)} anchor(s) contradicted by torch/numpy:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the harness itself
def test_split_anchors() -> None:
    a = split_anchors('y = x @ w  # E: SHP101, SHP501 "holds only if"  # revealed: (B, 20)\n')
    assert a.code == "y = x @ w"
    assert a.codes == ["SHP101", "SHP501"]
    assert a.messages == ["holds only if"]
    assert a.revealed == "(B, 20)"
    b = split_anchors("h = a @ b  # noqa: SHP101  # E: SHP100")
    assert b.code == "h = a @ b  # noqa: SHP101" and b.codes == ["SHP100"]
    c = split_anchors("x = 1  # a comment, not an anchor")
    assert c.codes == [] and c.revealed is None and c.code.endswith("anchor")


def test_update_rewrites_anchors() -> None:
    src = ("import numpy as np\n"
           "a = np.zeros((3, 4))\n"
           "b = np.zeros((5, 6))  # E: SHP101\n"
           "c = a @ b\n"
           "reveal_shape(a)  # revealed: (9, 9)\n")
    new = updated_source(src)
    assert mismatches(new) == []
    lines = new.splitlines()
    assert lines[2] == "b = np.zeros((5, 6))"
    assert lines[3].startswith("c = a @ b  # E: SHP10")
    assert lines[4] == "reveal_shape(a)  # revealed: (3, 4)"
