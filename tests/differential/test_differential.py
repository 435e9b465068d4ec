"""Differential test: shapecheck against torch 2.13 CPU / NumPy on generated programs.

Each generated program (generate.py) is run for real, in-process, in a fresh namespace (tests may
execute the generated programs; the checker never does). The real run is the oracle:

(a) it raises a shape error => shapecheck reports an error on a line of the traceback that lies in
    the program (or on the definition of the layer involved), with a code of the program's family;
(b) it runs => shapecheck reports no error and no warning (except a warning the generator marks as
    legitimate for that program, e.g. SHP502 for a column against a row);
(c) it runs => every ``reveal_shape(var)`` equals ``var.shape``; a symbolic or unknown reveal counts
    as a disagreement too (the programs are fully concrete) but is counted apart.

Known gaps in the engine are listed in KNOWN_GAPS (program id -> reason) and marked
``xfail(strict=True)``: the suite stays green, every gap is visible, and a fixed gap fails until it
is removed from the list. ``python tests/differential/test_differential.py [family...]`` prints the agreement
table per family and the disagreement patterns.
"""
from __future__ import annotations

import os
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import FAMILY_CODES, Program, generate  # noqa: E402 - the generator sits next to this file

PROGRAMS: List[Program] = generate()
BY_ID: Dict[str, Program] = {p.id: p for p in PROGRAMS}

# Program id -> why shapecheck disagrees with the real run (a gap in someone's module, not the test).
KNOWN_GAPS: Dict[str, str] = {}  # every gap found so far is fixed

# Words a shape error's message has (torch and NumPy); anything else is a generator bug.
_SHAPE_WORDS = re.compile(
    r"shape|size|dimension|dim\b|dims|broadcast|must match|cannot be multiplied|mismatch|out of range|"
    r"out of bounds|too many indices|channels|permut|repeated dim|expected .*input|aligned|"
    r"Kernel size|too small|input_size|embed_dim|number of elements|same number|core dimension|"
    r"should contain \d+ elements|operand|subscript|index tensor|axes don't match|axis|einstein|einsum|at least 1D|squeeze",
    re.IGNORECASE)
_SHAPE_EXC = (RuntimeError, ValueError, IndexError, AssertionError)


@dataclass
class Oracle:
    ok: bool
    shapes: Dict[str, Tuple[int, ...]] = field(default_factory=dict)
    exc: str = ""
    message: str = ""
    lines: Tuple[int, ...] = ()  # program lines on the traceback, outermost first
    shape_error: bool = False


def run_for_real(p: Program) -> Oracle:
    """Execute the program in a fresh namespace; the traceback frames in it give the raising lines."""
    filename = f"<differential:{p.id}>"
    code = compile(p.source, filename, "exec")
    ns: dict = {"__name__": "__differential__", "reveal_shape": lambda x: None}
    if p.fw == "torch":
        import torch

        torch.manual_seed(0)
    import numpy as np

    np.random.seed(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x.T on 1-D, zero-element init: the programs are noisy on purpose
            exec(code, ns)  # noqa: S102 - the oracle: generated programs, run for real on purpose
    except Exception as e:  # noqa: BLE001 - every failure is data
        lines = tuple(fr.lineno for fr in traceback.extract_tb(e.__traceback__) if fr.filename == filename)
        msg = str(e)
        shape = isinstance(e, _SHAPE_EXC) and bool(_SHAPE_WORDS.search(msg))
        return Oracle(False, exc=type(e).__name__, message=msg.splitlines()[0] if msg else "", lines=lines,
                      shape_error=shape)
    shapes = {r: tuple(int(d) for d in ns[r].shape) for r in p.results}
    return Oracle(True, shapes)


def _reveal_lines(p: Program) -> Dict[int, str]:
    out = {}
    for i, line in enumerate(p.source.splitlines(), 1):
        m = re.fullmatch(r"reveal_shape\((\w+)\)", line.strip())
        if m:
            out[i] = m.group(1)
    return out


def _parse_shape(text: str) -> Optional[Tuple[int, ...]]:
    """``"(3, 5)"`` -> (3, 5); None for anything not fully concrete (symbols, ``*``, ``unknown``)."""
    t = text.strip()
    if not (t.startswith("(") and t.endswith(")")):
        return None
    inner = t[1:-1].strip().rstrip(",")
    if not inner:
        return ()
    parts = [x.strip() for x in inner.split(",")]
    if not all(re.fullmatch(r"-?\d+", x) for x in parts):
        return None
    return tuple(int(x) for x in parts)


@dataclass
class Verdict:
    status: str  # "agree" or a disagreement kind
    detail: str = ""
    unknown_reveals: int = 0


def judge(p: Program, oracle: Optional[Oracle] = None) -> Verdict:
    from shapecheck import engine

    oracle = oracle or run_for_real(p)
    if not oracle.ok and not oracle.shape_error:
        return Verdict("oracle-not-a-shape-error", f"{oracle.exc}: {oracle.message}")
    try:
        findings = engine.check_source(p.source, f"{p.id}.py")
        revealed = engine.reveal(p.source)
    except Exception as e:  # noqa: BLE001
        return Verdict("checker-crash", f"{type(e).__name__}: {e}")
    serious = [f for f in findings if f.severity in ("error", "warning")]
    shown = "; ".join(f"line {f.line} {f.code} {f.severity}: {f.message}" for f in serious) or "nothing"
    if not oracle.ok:
        accepted_lines = set(oracle.lines) | set(p.alt_lines)
        codes = p.codes
        errors = [f for f in findings if f.severity == "error"]
        good = [f for f in errors if f.line in accepted_lines and f.code in codes]
        if good:
            return Verdict("agree")
        real = f"real: {oracle.exc} on line {oracle.lines[-1] if oracle.lines else '?'}: {oracle.message}"
        if not errors:
            return Verdict("missed", f"{real}; shapecheck: {shown}")
        if any(f.line in accepted_lines for f in errors):
            return Verdict("wrong-code", f"{real}; want one of {codes}; shapecheck: {shown}")
        return Verdict("wrong-line", f"{real}; want a line in {sorted(accepted_lines)}; shapecheck: {shown}")
    bad = [f for f in serious if not (f.severity == "warning" and f.code in p.allow_warnings)]
    if bad:
        return Verdict("false-positive", "real: runs; shapecheck: " +
                       "; ".join(f"line {f.line} {f.code}: {f.message}" for f in bad))
    lines = _reveal_lines(p)
    got = {lines.get(line): text for line, text in revealed}
    wrong, unknown = [], []
    for var, real_shape in oracle.shapes.items():
        text = got.get(var)
        if text is None:
            unknown.append(f"{var}: real {real_shape}, revealed nothing")
            continue
        inferred = _parse_shape(text)
        if inferred is None:
            unknown.append(f"{var}: real {real_shape}, revealed {text}")
        elif inferred != real_shape:
            wrong.append(f"{var}: real {real_shape}, revealed {text}")
    if wrong:
        return Verdict("shape-mismatch", "; ".join(wrong + unknown), len(unknown))
    if unknown:
        return Verdict("shape-unknown", "; ".join(unknown), len(unknown))
    return Verdict("agree")


def _params():
    out = []
    for p in PROGRAMS:
        marks = []
        reason = KNOWN_GAPS.get(p.id)
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        out.append(pytest.param(p.id, id=p.id, marks=marks))
    return out


def test_enough_programs() -> None:
    """The acceptance floor: at least 300 programs, both valid and buggy ones in every family."""
    assert len(PROGRAMS) >= 300
    assert len(BY_ID) == len(PROGRAMS)
    for fam in FAMILY_CODES:
        mine = [p for p in PROGRAMS if p.family == fam]
        assert any(p.intended_bug for p in mine) and any(not p.intended_bug for p in mine), fam


def test_generation_is_deterministic() -> None:
    again = generate()
    assert [(p.id, p.source) for p in again] == [(p.id, p.source) for p in PROGRAMS]


def test_known_gaps_are_programs() -> None:
    assert not set(KNOWN_GAPS) - set(BY_ID), "KNOWN_GAPS names programs the generator no longer makes"


@pytest.mark.parametrize("pid", _params())
def test_program(pid: str) -> None:
    p = BY_ID[pid]
    if p.fw == "torch":
        pytest.importorskip("torch")
    pytest.importorskip("numpy")
    v = judge(p)
    if v.status != "agree":
        pytest.fail(f"{v.status}: {v.detail}\n--- {p.id} ({p.note})\n{p.source}", pytrace=False)


# ------------------------------------------------------------------------------------ the report
def measure(programs: Optional[List[Program]] = None) -> Dict[str, List[Tuple[Program, Oracle, Verdict]]]:
    programs = programs if programs is not None else PROGRAMS
    out: Dict[str, List[Tuple[Program, Oracle, Verdict]]] = {}
    for p in programs:
        o = run_for_real(p)
        out.setdefault(p.family, []).append((p, o, judge(p, o)))
    return out


def report(results: Dict[str, List[Tuple[Program, Oracle, Verdict]]], verbose: bool = True) -> str:
    lines = []
    total = agree = 0
    lines.append(f"{'family':<11} {'progs':>5} {'raise':>5} {'agree':>5} {'missed':>6} {'wr-line':>7} "
                 f"{'wr-code':>7} {'f-pos':>5} {'shape':>5} {'unkn':>5} {'other':>5}")
    for fam, rows in results.items():
        c: Dict[str, int] = {}
        for _, _, v in rows:
            c[v.status] = c.get(v.status, 0) + 1
        n = len(rows)
        raised = sum(1 for _, o, _ in rows if not o.ok)
        known = ("agree", "missed", "wrong-line", "wrong-code", "false-positive", "shape-mismatch", "shape-unknown")
        other = sum(v for k, v in c.items() if k not in known)
        lines.append(f"{fam:<11} {n:>5} {raised:>5} {c.get('agree', 0):>5} {c.get('missed', 0):>6} "
                     f"{c.get('wrong-line', 0):>7} {c.get('wrong-code', 0):>7} {c.get('false-positive', 0):>5} "
                     f"{c.get('shape-mismatch', 0):>5} {c.get('shape-unknown', 0):>5} {other:>5}")
        total += n
        agree += c.get("agree", 0)
    lines.append(f"total: {agree}/{total} agree")
    if verbose:
        for fam, rows in results.items():
            for p, o, v in rows:
                if v.status != "agree":
                    lines.append(f"\n[{p.id}] {v.status} ({p.note}): {v.detail}")
                    body = p.source.splitlines()
                    lines.append("\n".join("    " + x for x in body if not x.startswith("import ")))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    fams = set(sys.argv[1:])
    progs = [p for p in PROGRAMS if not fams or p.family in fams]
    print(report(measure(progs)))
