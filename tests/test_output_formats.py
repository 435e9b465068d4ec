"""The review-bot and CI formats: ``gitlab`` (GitLab Code Quality), ``rdjson`` (reviewdog) and
``junit`` (JUnit XML), on a small fixed set of findings with their expected output beside this file
(``tests/output_formats/``; ``pytest --update-golden`` or ``SHAPECHECK_UPDATE_GOLDEN=1`` rewrites
them, for review as a diff), and on real runs.

rdjson is validated against the RDFormat JSON schema the npm package
``@umbrelladocs/rdformat-validator`` 1.0.1 ships (vendored in ``tests/data/``, see its README).
GitLab publishes no JSON schema for its Code Quality report in any package we found, so the
fields its documentation requires ("Code Quality report format": ``description``, ``check_name``,
``fingerprint``, ``severity`` one of info/minor/major/critical/blocker, ``location.path``,
``location.lines.begin``) are written out below as a schema, allowing nothing else we do not mean
to emit. JUnit XML is parsed with ``xml.etree.ElementTree``.
"""
from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_golden import update_requested

from shapecheck import cli, formats
from shapecheck.findings import Diagnostic, Edit, Fix

jsonschema = pytest.importorskip("jsonschema")

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "output_formats"
ROOT = HERE.parent

# the files the findings are in (their lines give the fingerprints and rdjson's byte columns)
SOURCES = {
    "models/proj.py": "import torch\n"
                      "é = torch.matmul(x, self.weight)  # ü\n"
                      "b = x[:, None] + y\n"
                      "c = torch.matmul(x, self.weight)\n"
                      "é = torch.matmul(x, self.weight)  # ü\n",
    "a b/ü.py": "z = a * b\n",
}


def diag(code, name, severity, message, path, line, column, end_line, end_column, fix=None, cell=None):
    return Diagnostic(code, name, severity, message, path, line, column, end_line, end_column, fix, cell)


TRANSPOSE = "matmul of (B, 20) and (10, 20): 20 != 10; did you mean self.weight.T?"
FINDINGS = [
    # a fix replacing its own region, after a two-byte character on the line
    diag("SHP102", "missing-transpose", "error", TRANSPOSE, "models/proj.py", 2, 5, 2, 33,
         Fix("use self.weight.T", "torch.matmul(x, self.weight.T)")),
    # a span over two lines, no fix
    diag("SHP502", "broadcast-outer", "warning", "(n, 1) with (m,) builds an (n, m) matrix", "models/proj.py",
         3, 5, 4, 2),
    # the same finding on a line of the same text: GitLab must see two
    diag("SHP102", "missing-transpose", "error", TRANSPOSE, "models/proj.py", 5, 5, 5, 33,
         Fix("use self.weight.T", "torch.matmul(x, self.weight.T)")),
    diag("SHP501", "broadcast-mismatch", "error", "a (3,) and b (4,) do not broadcast", "a b/ü.py", 1, 5, 1, 10),
    # a notebook: lines are the cell's; the fix edits the cell
    diag("SHP301", "layer-input-mismatch", "error", "nn.Linear(784, 10) expects in_features=784 but gets 512",
         "nb.ipynb", 3, 9, 3, 27, Fix("use in_features=512", None, edits=(Edit(2, 15, 2, 18, "512", cell=2),)),
         cell=2),
    # an absolute path outside the cwd, a file that cannot be read, advice without edits
    diag("SHP901", "analysis-skipped", "info", "f not analyzed: step budget", "/abs/x.py", 1, 1, 1, 1,
         Fix("split the function", None)),
]


@pytest.fixture
def sources(tmp_path, monkeypatch):
    for name, text in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def golden(name: str, actual: str, request) -> None:
    path = EXPECTED / name
    if update_requested(request.config):
        EXPECTED.mkdir(exist_ok=True)
        path.write_text(actual + "\n", encoding="utf-8")
    assert actual + "\n" == path.read_text(encoding="utf-8"), f"{name} differs (--update-golden rewrites it)"


# ------------------------------------------------------------------ schemas
RDFORMAT_SCHEMA = json.loads((HERE / "data" / "rdformat.schema.json").read_text(encoding="utf-8"))
_LINES = {"type": "object", "properties": {"begin": {"type": "integer", "minimum": 1},
                                           "end": {"type": "integer", "minimum": 1}},
          "required": ["begin"], "additionalProperties": False}
GITLAB_CODE_QUALITY = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {"type": "object", "required": ["path", "lines"], "additionalProperties": False,
                         "properties": {"path": {"type": "string", "minLength": 1,
                                                 "not": {"pattern": "^\\./"}},  # relative to the repository
                                        "lines": _LINES}},
        },
    },
}


def _valid(schema: dict, doc) -> None:
    checker = jsonschema.Draft7Validator(schema)
    errors = sorted(checker.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def validate_gitlab(text: str) -> list:
    report = json.loads(text)
    _valid(GITLAB_CODE_QUALITY, report)
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab keeps one finding per fingerprint
    return report


def validate_rdjson(text: str) -> dict:
    result = json.loads(text)
    _valid(RDFORMAT_SCHEMA, result)
    assert set(result) == {"source", "severity", "diagnostics"}
    return result


def validate_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("skipped", "")) == sum(1 for c in cases if c.find("skipped") is not None)
    for key in ("tests", "failures", "skipped"):
        assert int(root.get(key, "")) == sum(int(s.get(key, "")) for s in suites)
    return root


def test_the_schemas_reject_what_they_should():
    """Neither schema is vacuous."""
    checker = jsonschema.Draft7Validator(RDFORMAT_SCHEMA)
    assert list(checker.iter_errors({"diagnostics": [{"message": "m"}]}))  # no location
    assert list(checker.iter_errors({"diagnostics": [], "severity": "FATAL"}))
    assert list(checker.iter_errors({"diagnostics": [{"message": "m", "location": {"path": "a.py"},
                                                      "code": {"value": "X", "url": "not a url"}}]}))
    gitlab = jsonschema.Draft7Validator(GITLAB_CODE_QUALITY)
    good = json.loads(formats.gitlab(FINDINGS[3:4]))
    assert not list(gitlab.iter_errors(good))
    assert list(gitlab.iter_errors([{**good[0], "severity": "error"}]))
    assert list(gitlab.iter_errors([{k: v for k, v in good[0].items() if k != "fingerprint"}]))
    assert list(gitlab.iter_errors([{**good[0], "location": {"path": "a.py", "lines": {}}}]))


# ------------------------------------------------------------------ golden output
def test_gitlab_golden(sources, request):
    out = formats.gitlab(FINDINGS)
    report = validate_gitlab(out)
    golden("gitlab.json", out, request)
    assert [i["severity"] for i in report] == ["major", "minor", "major", "major", "major", "info"]
    assert report[4]["location"] == {"path": "nb.ipynb", "lines": {"begin": 1, "end": 1}}  # the .ipynb's first
    assert report[4]["description"].endswith("(cell 2, line 3, column 9)")
    assert report[5]["location"]["path"] == "/abs/x.py"


def test_rdjson_golden(sources, request):
    out = formats.rdjson(FINDINGS)
    result = validate_rdjson(out)
    golden("rdjson.json", out, request)
    assert result["source"] == {"name": "shapecheck"} and result["severity"] == "ERROR"
    first = result["diagnostics"][0]
    # columns in UTF-8 bytes: "é" is two, so character 5 is byte 6 (the end, exclusive, 33 -> 34)
    assert first["location"]["range"] == {"start": {"line": 2, "column": 6}, "end": {"line": 2, "column": 34}}
    assert first["suggestions"] == [{"range": first["location"]["range"], "text": "torch.matmul(x, self.weight.T)"}]
    assert first["code"] == {"value": "SHP102"} and first["severity"] == "ERROR"
    notebook = result["diagnostics"][4]
    assert notebook["location"] == {"path": "nb.ipynb"} and "suggestions" not in notebook  # file-level
    assert notebook["message"].endswith("(cell 2, line 3, column 9)")
    skipped = result["diagnostics"][5]
    assert skipped["severity"] == "INFO" and "suggestions" not in skipped  # advice has no edits
    assert skipped["location"]["range"]["start"] == {"line": 1, "column": 1}  # unread: columns as they are


def test_junit_golden(sources, request):
    out = formats.junit(FINDINGS)
    root = validate_junit(out)
    golden("junit.xml", out, request)
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("6", "5", "1")
    assert [s.get("name") for s in root.findall("testsuite")] == ["models/proj.py", "a b/ü.py", "nb.ipynb",
                                                                   "/abs/x.py"]
    case = root.find("testsuite/testcase")
    assert case is not None and case.attrib == {"name": "shapecheck.SHP102", "classname": "models/proj",
                                                "line": "2", "column": "5"}
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == TRANSPOSE
    assert failure.text == f"line 2, col 5, {TRANSPOSE}"
    nb = root.find("testsuite[@name='nb.ipynb']/testcase")
    assert nb is not None and "line" not in nb.attrib  # a cell's line is not the .ipynb's
    cell, failure = nb.find("properties/property[@name='cell']"), nb.find("failure")
    assert cell is not None and cell.get("value") == "2"
    assert failure is not None and (failure.text or "").startswith("cell 2, line 3, col 9, ")
    info = root.find("testsuite[@name='/abs/x.py']/testcase")
    assert info is not None and info.find("skipped") is not None and info.find("failure") is None


# ------------------------------------------------------------------ properties
def test_gitlab_fingerprints_survive_moved_lines_and_tell_files_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("x\ny = a @ b\n")
    one = diag("SHP101", "matmul-mismatch", "error", "m", "m.py", 2, 5, 2, 10)

    def fp(d) -> str:
        return json.loads(formats.gitlab([d]))[0]["fingerprint"]

    before = fp(one)
    (tmp_path / "m.py").write_text("# a new line\nx\n    y = a @ b\n")
    assert fp(dataclasses.replace(one, line=3, end_line=3)) == before
    assert fp(dataclasses.replace(one, line=2, end_line=2)) != before  # another line's text
    (tmp_path / "n.py").write_text("# a new line\nx\n    y = a @ b\n")
    assert fp(dataclasses.replace(one, path="n.py", line=3, end_line=3)) != before  # another file
    # an absolute path inside the cwd is the relative one (GitLab reads paths from the repository root)
    absolute = dataclasses.replace(one, path=str(tmp_path / "m.py"), line=3, end_line=3)
    assert json.loads(formats.gitlab([absolute]))[0]["location"]["path"] == "m.py"
    assert fp(absolute) == before


def test_rdjson_byte_columns_of_a_suggestion_on_another_line(sources):
    moved = dataclasses.replace(FINDINGS[0], fix=Fix("d", None, edits=(Edit(5, 1, 5, 2, "e"),)))
    (suggestion,) = json.loads(formats.rdjson([moved]))["diagnostics"][0]["suggestions"]
    assert suggestion == {"range": {"start": {"line": 5, "column": 1}, "end": {"line": 5, "column": 3}}, "text": "e"}


def test_empty_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert validate_gitlab(formats.gitlab([])) == []
    assert validate_rdjson(formats.rdjson([])) == {"source": {"name": "shapecheck"}, "severity": "INFO",
                                                   "diagnostics": []}
    root = validate_junit(formats.junit([]))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")  # one passing case, as ruff's
    (case,) = root.iter("testcase")
    assert case.get("name") == "No errors found" and len(case) == 0


@pytest.mark.parametrize("fmt, validate", [("gitlab", validate_gitlab), ("rdjson", validate_rdjson),
                                           ("junit", validate_junit)])
def test_a_real_run_is_valid_and_the_same_twice(fmt, validate, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = cli.run(["check", "--isolated", "--output-format", fmt, "examples"])
    out = capsys.readouterr().out
    validate(out)
    assert code == 1 and "SHP102" in out
    assert cli.run(["check", "--isolated", "--output-format", fmt, "examples"]) == 1
    assert capsys.readouterr().out == out  # deterministic
    assert cli.run(["check", "--isolated", "--output-format", fmt, "examples/torch_mlp_clean.py"]) == 0
    validate(capsys.readouterr().out)


def test_a_notebook_run(tmp_path, monkeypatch, capsys):
    """A real notebook's finding: GitLab on the .ipynb's line 1, rdjson file-level, junit without lines."""
    monkeypatch.chdir(tmp_path)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ["import torch\n", "a = torch.randn(3, 4)\n", "c = a @ torch.randn(5, 4)\n"]}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                   "nbformat_minor": 5}))
    assert cli.run(["check", "--isolated", "--output-format", "gitlab", "nb.ipynb"]) == 1
    (issue,) = validate_gitlab(capsys.readouterr().out)
    assert issue["location"] == {"path": "nb.ipynb", "lines": {"begin": 1, "end": 1}}
    assert issue["description"].startswith("SHP102: ") and issue["description"].endswith("(cell 2, line 3, column 5)")
    cli.run(["check", "--isolated", "--output-format", "rdjson", "nb.ipynb"])
    (d,) = validate_rdjson(capsys.readouterr().out)["diagnostics"]
    assert d["location"] == {"path": "nb.ipynb"} and "suggestions" not in d
    cli.run(["check", "--isolated", "--output-format", "junit", "nb.ipynb"])
    case = validate_junit(capsys.readouterr().out).find("testsuite/testcase")
    assert case is not None and "line" not in case.attrib


def test_help_and_readme_list_every_format():
    import argparse
    import re

    names = [f.value for f in cli.OutputFormat]
    assert {"gitlab", "rdjson", "junit"} <= set(names)
    subs = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in subs.choices["check"]._actions if a.dest == "output_format")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Output formats", 1)[1].split("\n## ", 1)[0]
    for name in names:
        assert re.search(rf"(?<![-\w]){re.escape(name)}(?![-\w])", option.help), f"--help does not name {name}"
        assert f"`{name}`" in section, f"README's output formats do not name {name}"
