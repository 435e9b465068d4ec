"""Fixes that can be applied: the edits the engine places, ``shapecheck.fixes`` (splicing, overlaps,
rounds, ``# noqa`` edits), the LibCST rewrites behind the replacements, and ``check --fix``/``--diff``.

The property that matters is tested over every golden fixture: each fix with a replacement, applied
alone, makes its finding go away when the checker runs again on the fixed text.

The ``tests/fix_golden/*.py`` programs have their expected ``--diff`` beside them (``NAME.py.diff``)
and the file ``--fix`` leaves (``NAME.py.fixed``); ``pytest --update-golden`` (or
``SHAPECHECK_UPDATE_GOLDEN=1``) rewrites both from what the checker does, for review as a diff.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import libcst as cst
import pytest
from test_golden import GOLDEN_DIR, update_requested

from shapecheck import cli, fixes
from shapecheck.analysis import rewrite as RW
from shapecheck.engine import Options, check_source, fix_path, fix_source
from shapecheck.findings import Diagnostic, Edit, Fix

FIX_DIR = Path(__file__).parent / "fix_golden"


def diag(line: int, column: int, end_line: int, end_column: int, content: str, safe: bool = True,
         code: str = "SHP102") -> Diagnostic:
    return Diagnostic(code, "missing-transpose", "error", "m", "x.py", line, column, end_line, end_column,
                      Fix("use it", content, safe=safe, edits=(Edit(line, column, end_line, end_column, content),)))


# ------------------------------------------------------------------ the property
def _golden_fixes() -> list:
    out = []
    for path in sorted(GOLDEN_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        out += [(path.name, source, d) for d in check_source(source, path.name) if d.edits()]
    return out


GOLDEN_FIXES = _golden_fixes()


def test_the_golden_fixtures_have_fixes_of_every_kind():
    codes = {d.code for _, _, d in GOLDEN_FIXES}
    assert {"SHP102", "SHP202", "SHP301", "SHP303", "SHP404"} <= codes
    assert any(d.fix.replacement is None for _, _, d in GOLDEN_FIXES)  # an edit elsewhere (a constructor)
    assert {d.fix.safe for _, _, d in GOLDEN_FIXES} == {True, False}


@pytest.mark.parametrize("name, source, d", GOLDEN_FIXES,
                         ids=[f"{n}:{d.line}:{d.code}" for n, _, d in GOLDEN_FIXES])
def test_applying_a_fix_makes_its_finding_go_away(name, source, d):
    new, applied = fixes.apply_fixes(source, [d], unsafe=True)
    assert applied == [d] and new != source
    moved = new.count("\n") - source.count("\n")
    line = d.line + (moved if d.edits()[0].line < d.line else 0)
    still = [a for a in check_source(new, name) if a.code == d.code and a.line == line]
    assert not still, f"{d.fix.description}: {still[0].message}"


def test_a_local_replacement_is_the_new_text_of_the_region():
    for _, source, d in GOLDEN_FIXES:
        if d.fix.replacement is not None:
            (e,) = d.edits()
            new = fixes.apply_fixes(source, [d], unsafe=True)[0]
            start = fixes.offset(source, fixes.line_starts(source), d.line, d.column)
            assert new[start:start + len(d.fix.replacement)] == d.fix.replacement


# ------------------------------------------------------------------ fixes.py
def test_edits_are_spliced_and_overlaps_keep_the_first():
    src = "y = x @ w  # keep me\nz = a @ b\n"
    first = diag(1, 5, 1, 10, "x @ w.T")
    overlapping = diag(1, 9, 1, 10, "w.t()")
    second = diag(2, 5, 2, 10, "a @ b.T")
    new, applied = fixes.apply_fixes(src, [second, overlapping, first])
    assert new == "y = x @ w.T  # keep me\nz = a @ b.T\n"
    assert applied == [first, second]


def test_unsafe_fixes_only_when_asked():
    src = "r = s @ s\n"
    d = diag(1, 5, 1, 10, "s @ s.T", safe=False)
    assert fixes.apply_fixes(src, [d]) == (src, [])
    assert fixes.apply_fixes(src, [d], unsafe=True)[0] == "r = s @ s.T\n"


def test_a_fix_that_breaks_the_syntax_is_not_applied():
    src = "y = x @ w\nz = a @ b\n"
    good, bad = diag(1, 5, 1, 10, "x @ w.T"), diag(2, 5, 2, 10, "a @ (b")
    new, applied = fixes.apply_fixes(src, [good, bad])
    assert new == "y = x @ w.T\nz = a @ b\n" and applied == [good]


def test_edits_count_characters_and_keep_crlf():
    src = "s = 'é'; y = x @ w\r\nz = 1\r\n"
    new, _ = fixes.apply_fixes(src, [diag(1, 14, 1, 19, "x @ w.T")])
    assert new == "s = 'é'; y = x @ w.T\r\nz = 1\r\n"


def test_rounds_stop_at_the_cap_and_never_revisit_a_text():
    flip = {"a = 1\n": "a = 2\n", "a = 2\n": "a = 1\n"}

    def check(text):
        return [diag(1, 1, 1, 6, flip[text][:5])]

    done = fixes.fix_until_stable("a = 1\n", check)
    assert done.source == "a = 2\n" and done.fixed == 1  # back to "a = 1" would be a text seen before
    calls = []

    def grow(text):
        calls.append(text)
        n = text.count("x")
        return [diag(1, 1, 1, 1 + len(text.rstrip()), "x" * (n + 1))]

    done = fixes.fix_until_stable("x\n", grow, rounds=3)
    assert done.fixed == 3 and len(calls) == 4 and done.source == "xxxx\n"


@pytest.mark.parametrize("line, expected", [
    ("y = x @ w\n", "y = x @ w  # noqa: SHP102\n"),
    ("y = x @ w   \n", "y = x @ w  # noqa: SHP102\n"),
    ("y = x @ w  # the projection\n", "y = x @ w  # the projection  # noqa: SHP102\n"),
    ("y = x @ w  # noqa: SHP101\n", "y = x @ w  # noqa: SHP101, SHP102\n"),
    ("y = x @ w  # noqa: E501,SHP101  # why\n", "y = x @ w  # noqa: E501,SHP101, SHP102  # why\n"),
    ("y = x @ w  # noqa: E501 SHP101\n", "y = x @ w  # noqa: E501 SHP101 SHP102\n"),
    ("y = x @ w  # type: ignore\n", "y = x @ w  # type: ignore  # noqa: SHP102\n"),
    ("y = x @ w  # shapecheck: ignore[SHP101]\n", "y = x @ w  # shapecheck: ignore[SHP101, SHP102]\n"),
    ("y = x @ w  # noqa: SHP102\n", None),
    ("y = x @ w  # noqa\n", None),
    ("y = x @ w  # shapecheck: ignore\n", None),
])
def test_noqa_edit(line, expected):
    src = "import torch\n" + line
    e = fixes.noqa_edit(src, 2, "SHP102")
    if expected is None:
        assert e is None
    else:
        assert e is not None and fixes.apply_edits(src, [e]) == "import torch\n" + expected


def test_noqa_edit_is_never_inside_a_string_or_after_a_backslash():
    assert fixes.noqa_edit('s = """a\nb"""\n', 1, "SHP102") is None
    assert fixes.noqa_edit("y = x + \\\n    1\n", 1, "SHP102") is None
    assert fixes.noqa_edit("y = f(a,\n  b)\n", 1, "SHP102") == Edit(1, 9, 1, 9, "  # noqa: SHP102")


def test_the_added_noqa_suppresses_the_finding():
    src = "import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w  # why\n"
    (d,) = check_source(src)
    e = fixes.noqa_edit(src, d.line, d.code)
    assert e is not None and check_source(fixes.apply_edits(src, [e])) == []


# ------------------------------------------------------------------ LibCST rewrites
def _rewrite(src: str, pick, text: str = "", keywords=None):
    module = cst.parse_module(src)
    node = module.body[0].body[0].value
    old = pick(node) if pick else None
    return RW.rewrite(module, node, {old: text} if old is not None else {}, keywords,
                      bound=lambda n: n in ("np", "tf"))


def test_rewrite_parenthesises_where_precedence_needs_it():
    assert _rewrite("a @ b\n", lambda n: n.right, "b + 1") == "a @ (b + 1)"
    assert _rewrite("f(a, b)\n", lambda n: n.args[1].value, "b + 1") == "f(a, b + 1)"
    assert _rewrite("a @ b\n", lambda n: n.right, "b + c") is None  # (c: a name the node did not have)
    assert _rewrite("(a @ b)\n", lambda n: n.right, "b.T") == "a @ b.T"  # the node's own span: no outer parens
    assert _rewrite("a @ (b)\n", lambda n: n.right, "b.T") == "a @ (b.T)"


def test_rewrite_sets_keywords_in_the_call_s_own_layout():
    assert _rewrite("tf.matmul(a, b)\n", None, keywords={"transpose_b": "True"}) == \
        "tf.matmul(a, b, transpose_b=True)"
    assert _rewrite("tf.matmul(\n    a,\n    b,\n)\n", None, keywords={"transpose_b": "True"}) == \
        "tf.matmul(\n    a,\n    b,\n    transpose_b=True,\n)"
    assert _rewrite("tf.matmul(a, b, transpose_b = False)\n", None, keywords={"transpose_b": "True"}) == \
        "tf.matmul(a, b, transpose_b = True)"
    assert _rewrite("tf.matmul(a, b, **kw)\n", None, keywords={"transpose_b": "True"}) is None


def test_rewrite_never_brings_in_a_name_the_file_does_not_bind():
    assert _rewrite("f(a, i)\n", lambda n: n.args[1].value, "np.expand_dims(i, 1)") == "f(a, np.expand_dims(i, 1))"
    assert _rewrite("f(a, i)\n", lambda n: n.args[1].value, "keras.ops.transpose(i)") is None


def test_a_fix_needing_an_unimported_module_stays_a_description():
    src = "import numpy\na = numpy.zeros((4, 10))\ni = numpy.zeros((4,), dtype=int)\n" \
          "g = numpy.take_along_axis(a, i, axis=1)\n"
    (d,) = check_source(src)
    assert d.code == "SHP404" and d.fix is not None and d.fix.replacement is None and not d.edits()
    (d,) = check_source(src.replace("import numpy\n", "import numpy\nimport numpy as np\n"))
    assert d.fix is not None and d.fix.replacement == "numpy.take_along_axis(a, np.expand_dims(i, 1), axis=1)"


# ------------------------------------------------------------------ edits elsewhere, applicability
LINEAR = """import torch
import torch.nn as nn

fc = nn.Linear(6272, 10)
x = torch.randn(8, 32, 13, 13).flatten(1)
y = fc(x)
"""


def test_flatten_size_edits_the_constructor_and_the_json_says_where():
    (d,) = check_source(LINEAR)
    assert d.code == "SHP303" and d.line == 6
    obj = d.to_json()["fix"]
    assert obj == {"description": "use in_features=5408", "replacement": None, "applicability": "safe",
                   "edits": [{"line": 4, "column": 16, "end_line": 4, "end_column": 20, "content": "5408"}]}


def test_a_layer_another_use_wants_otherwise_gets_an_unsafe_edit():
    shared = LINEAR + "z = fc(torch.randn(8, 6272))\n"
    (d,) = check_source(shared)
    assert d.code == "SHP303" and d.fix is not None and d.edits() and not d.fix.safe


@pytest.mark.parametrize("change, why", [
    ("x = torch.randn(8, 32, 13, 13).flatten(2)", "the flatten keeps an axis: the flatten may be the bug"),
    ("fc = nn.Linear(6272, 5408)", "out_features is the size that arrives: the sizes may be swapped"),
])
def test_a_flatten_size_edit_that_may_mend_the_wrong_thing_is_unsafe(change, why):
    old = change.split(" = ")[0] + " = "
    line = next(t for t in LINEAR.splitlines() if t.startswith(old))
    src = LINEAR.replace(line, change).replace("6272", "6272" if "flatten(2)" not in change else "13")
    found = [d for d in check_source(src) if d.code == "SHP303"]
    assert found and all(d.fix is not None and d.edits() and not d.fix.safe for d in found), why


def test_a_derivation_of_ones_is_written_as_its_number():
    src = ("import torch\nimport torch.nn as nn\nfc = nn.Linear(2 * 2048, 10)\n"
           "y = fc(torch.randn(8, 2048, 1, 1).flatten(1))\n")
    (d,) = check_source(src)
    assert d.code == "SHP303" and [e.content for e in d.edits()] == ["2048"]
    (d,) = check_source(src.replace("2048, 1, 1", "64, 4, 8"))
    assert [e.content for e in d.edits()] == ["64 * 4 * 8"]


@pytest.mark.parametrize("text, rank, expected", [
    ("w", 2, "w.T"), ("w.T", 2, "w"), ("w.t()", 2, "w"), ("self.w.transpose(-2, -1)", 2, "self.w"),
    ("k.transpose(-1,-2)", 3, "k"), ("k", 3, "k.transpose(-2, -1)"), ("v.T", 4, "v.T.transpose(-2, -1)"),
    ("a + b", 2, "(a + b).T"), ("f(x)", 2, "f(x).T"), ("(a + b)", 2, "(a + b).T"),
])
def test_transpose_text_undoes_a_transpose_instead_of_adding_one(text, rank, expected):
    from shapecheck.ops.common import transpose_text

    assert transpose_text(text, "torch", rank) == expected


def test_layer_input_mismatch_edit_is_unsafe_and_a_computed_size_is_not_edited():
    src = "import torch.nn as nn\nimport torch\nnet = nn.Sequential(nn.Linear(8, 16), nn.Linear(32, 1))\n"
    (d,) = check_source(src)
    assert d.code == "SHP301" and d.fix is not None and not d.fix.safe
    assert d.fix.replacement == "nn.Linear(16, 1)"  # the edit lies inside the finding's region
    computed = src.replace("nn.Linear(32, 1)", "nn.Linear(n, 1)").replace("net =", "n = 32\nnet =")
    (d,) = check_source(computed)
    assert d.fix is not None and not d.edits()


def test_sarif_fixes_are_the_edits():
    from test_formats import validate_sarif

    from shapecheck import formats

    log = validate_sarif(formats.sarif(check_source(LINEAR, "m.py")))
    (res,) = log["runs"][0]["results"]
    (change,) = res["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": {"startLine": 4, "startColumn": 16, "endLine": 4,
                                                         "endColumn": 20}, "insertedContent": {"text": "5408"}}]
    assert res["fixes"][0]["properties"] == {"applicability": "safe"}


def test_a_fix_inside_a_function_another_call_runs_fine_is_unsafe():
    src = ("import torch\n\n\ndef project(a, b):\n    return a @ b\n\n\n"
           "y1 = project(torch.randn(8, 20), torch.randn(10, 20))\n")
    (d,) = check_source(src)
    assert d.code == "SHP102" and d.fix is not None and d.fix.replacement == "a @ b.T" and d.fix.safe
    (d,) = check_source(src + "y2 = project(torch.randn(8, 20), torch.randn(20, 10))\n")
    assert d.fix is not None and d.edits() and not d.fix.safe  # a @ b.T would break the second call


# ------------------------------------------------------------------ golden --fix / --diff
FIXTURES = sorted(p for p in FIX_DIR.glob("*.py") if p.name != "conftest.py")


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fix_golden(path, request):
    source = path.read_text(encoding="utf-8")
    done = fix_source(source, path.name, Options())
    assert done.source is not None
    diff_file, fixed_file = path.with_suffix(".py.diff"), path.with_suffix(".py.fixed")
    if update_requested(request.config):
        diff_file.write_text(done.diff, encoding="utf-8")
        fixed_file.write_text(done.source, encoding="utf-8")
    assert done.diff == diff_file.read_text(encoding="utf-8")
    assert done.source == fixed_file.read_text(encoding="utf-8")
    assert fixes.parses(done.source)
    # what remains is what no safe fix mends, and checking the fixed text finds just that
    assert [(d.line, d.code) for d in done.diagnostics] == [(d.line, d.code) for d in check_source(done.source)]
    assert all(not d.fix.safe for d in done.diagnostics if d.fix is not None and d.edits())


def test_fix_writes_the_file_and_diff_writes_nothing(tmp_path, monkeypatch, capsys):
    src = (FIX_DIR / "products.py").read_text(encoding="utf-8")
    (tmp_path / "products.py").write_text(src, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.run(["check", "--isolated", "--diff", "products.py"]) == 1
    out, err = capsys.readouterr()
    assert out == (FIX_DIR / "products.py.diff").read_text(encoding="utf-8")
    assert err.startswith("Would fix 9 errors.") and "1 hidden fix" in err
    assert (tmp_path / "products.py").read_text(encoding="utf-8") == src
    assert cli.run(["check", "--isolated", "--fix", "products.py"]) == 1  # the unsafe one remains
    out, _ = capsys.readouterr()
    assert (tmp_path / "products.py").read_text(encoding="utf-8") == \
        (FIX_DIR / "products.py.fixed").read_text(encoding="utf-8")
    assert out.splitlines()[-2:] == ["Found 10 errors in 1 file checked (9 fixed, 1 remaining).",
                                     "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)"]
    assert cli.run(["check", "--isolated", "--fix", "--unsafe-fixes", "products.py"]) == 0
    assert capsys.readouterr().out == "Found 1 error in 1 file checked (1 fixed, 0 remaining).\n"
    assert cli.run(["check", "--isolated", "--diff", "products.py"]) == 0
    assert capsys.readouterr() == ("", "No errors would be fixed.\n")


def test_fix_keeps_encoding_and_bom(tmp_path):
    f = tmp_path / "m.py"
    src = "# -*- coding: latin-1 -*-\nimport torch\nx = torch.randn(64, 20)  # é\nw = torch.randn(10, 20)\ny = x @ w\n"
    f.write_bytes(b"\xef\xbb\xbf" + src.replace("latin-1", "utf-8").encode("utf-8"))
    done = fix_path(str(f), Options())
    assert done.fixed == 1 and f.read_bytes() == b"\xef\xbb\xbf" + src.replace("latin-1", "utf-8").replace(
        "x @ w", "x @ w.T").encode("utf-8")
    f.write_bytes(src.encode("latin-1"))
    fix_path(str(f), Options())
    assert f.read_bytes() == src.replace("x @ w", "x @ w.T").encode("latin-1")


def test_fix_with_stdin_prints_the_fixed_source(tmp_path, monkeypatch, capsys):
    src = "import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w  # why\n"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(src))
    assert cli.run(["check", "--isolated", "--fix", "-"]) == 0
    out, err = capsys.readouterr()
    assert out == src.replace("x @ w", "x @ w.T") and "1 fixed, 0 remaining" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO(src))
    assert cli.run(["check", "--isolated", "--diff", "--stdin-filename", "m.py", "-"]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith("--- m.py\n+++ m.py\n") and "+y = x @ w.T  # why\n" in out
    clean = src.replace("x @ w", "x @ w.T")
    monkeypatch.setattr(sys, "stdin", io.StringIO(clean))
    assert cli.run(["check", "--isolated", "--fix", "-"]) == 0
    assert capsys.readouterr().out == clean


def test_json_after_fix_lists_what_remains(tmp_path, monkeypatch, capsys):
    (tmp_path / "m.py").write_text("import torch\ns = torch.randn(4, 5)\nr = s @ s\n")
    monkeypatch.chdir(tmp_path)
    assert cli.run(["check", "--isolated", "--fix", "--output-format", "json", "m.py"]) == 1
    (d,) = json.loads(capsys.readouterr().out)
    assert d["code"] == "SHP102" and d["fix"]["applicability"] == "unsafe"
    assert d["fix"]["edits"] == [{"line": 3, "column": 5, "end_line": 3, "end_column": 10, "content": "s @ s.T"}]


def test_add_noqa_on_files_and_notebooks(tmp_path, monkeypatch, capsys):
    import json as _json

    from shapecheck.cli import run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_bytes(b"import torch\r\na = torch.randn(3, 4)\r\nc = a @ torch.randn(5, 4)  # why\r\n"
                                    b"d = torch.cat([a, torch.randn(3, 2)])  # noqa: E501\r\n")
    nb = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [{"output_type": "stream",
                                                                                          "name": "stdout",
                                                                                          "text": ["hi\n"]}],
                     "source": ["import torch\n", "a = torch.randn(3, 4)\n", "c = a @ torch.randn(5, 4)"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(_json.dumps(nb, indent=1))
    assert run(["check", ".", "--add-noqa"]) == 0
    assert capsys.readouterr().out.strip() == "Added 3 noqa directives."
    assert (tmp_path / "m.py").read_bytes().split(b"\r\n")[2:4] == [
        b"c = a @ torch.randn(5, 4)  # why  # noqa: SHP102",
        b"d = torch.cat([a, torch.randn(3, 2)])  # noqa: E501, SHP202"]
    cell = _json.loads((tmp_path / "nb.ipynb").read_text())["cells"][0]
    assert cell["source"][-1] == "c = a @ torch.randn(5, 4)  # noqa: SHP102"
    assert cell["outputs"] == nb["cells"][0]["outputs"]
    assert run(["check", "."]) == 0  # nothing left, and no noqa unused (SHP100)
    capsys.readouterr()
    assert run(["check", ".", "--add-noqa"]) == 0
    assert capsys.readouterr().out.strip() == "Added 0 noqa directives."
    assert run(["check", "-", "--add-noqa"]) == 2
