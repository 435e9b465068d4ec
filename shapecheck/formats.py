"""Output formats: text (ruff-like; ``concise`` is its other name), json (the RULES.md contract),
json-lines (one contract object a line), pylint, github annotations, SARIF 2.1.0, and for review
bots and CI dashboards GitLab Code Quality, reviewdog's rdjson and JUnit XML."""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional
from urllib.parse import quote

FAILING = ("error", "warning")  # severities that fail a run; "info" never does


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def where(d: Any) -> str:
    """``path:line:col``; in a notebook ``nb.ipynb:cell 3:2:5`` (the line inside the cell), as ruff prints."""
    cell = f"cell {d.cell}:" if d.cell is not None else ""
    return f"{d.path}:{cell}{d.line}:{d.column}"


_SEVERITY_COLOUR = {"error": "1;31", "warning": "1;33", "info": "1;36"}  # bold red, yellow, cyan


def use_colour(stream: Any, env: Optional[Mapping[str, str]] = None) -> bool:
    """Colour for a terminal, as ruff and most CLIs decide: ``NO_COLOR`` (any value) turns it off,
    ``FORCE_COLOR`` (non-empty) on, otherwise only when ``stream`` is a terminal (never piped)."""
    vars_: Mapping[str, str] = os.environ if env is None else env
    if vars_.get("NO_COLOR"):
        return False
    if vars_.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and vars_.get("TERM") != "dumb"


def _paint(text_: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text_}\x1b[0m" if colour else text_


def _head(d: Any, colour: bool) -> str:
    """``path:line:col: CODE message``: the path bold, the code in its severity's colour."""
    return f"{_paint(where(d), '1', colour)}: {_paint(d.code, _SEVERITY_COLOUR.get(d.severity, '1'), colour)} " \
           f"{d.message}"


def text(diags: Sequence, files: int, quiet: bool = False, fixed: Optional[int] = None, hidden: int = 0,
         colour: bool = False, excluded: int = 0) -> str:
    """``path:line:col: CODE message`` lines, then one summary line (none with ``quiet``); after
    ``--fix`` (``fixed``: how many fixes were applied) it counts what was fixed and what remains."""
    lines = [_head(d, colour) for d in diags]
    if not quiet:
        lines.append(summary_line(diags, files, fixed, hidden, excluded))
    return "\n".join(lines)


def full(diags: Sequence, files: int, quiet: bool = False, fixed: Optional[int] = None, hidden: int = 0,
         colour: bool = False, excluded: int = 0) -> str:
    """As ``text``, each finding followed by its source line, a caret under the span, and the fix."""
    cache: dict = {}
    blocks = []
    for d in diags:
        lines = source_lines(d, cache)
        block = [_head(d, colour)]
        if 0 < d.line <= len(lines):
            src = lines[d.line - 1]
            end = d.end_column if d.end_line == d.line else len(src) + 1
            end = max(d.column + 1, min(end, len(src) + 1))
            # tabs expanded alike in the line and under it, so the caret stays under the span
            pad = len(src[:d.column - 1].expandtabs(4))
            width = len(src[:end - 1].expandtabs(4)) - pad
            gutter = " " * len(str(d.line))
            block += [f"{gutter} |", f"{d.line} | {src.expandtabs(4)}",
                      f"{gutter} | {' ' * pad}"
                      f"{_paint('^' * max(1, width) + ' ' + d.code, _SEVERITY_COLOUR.get(d.severity, '1'), colour)}"]
            if d.fix is not None:
                block += [f"{gutter} |", f"{gutter} = help: {d.fix.description}"]
        elif d.fix is not None:
            block.append(f"  = help: {d.fix.description}")
        blocks.append("\n".join(block) + "\n")
    if not quiet:
        blocks.append(summary_line(diags, files, fixed, hidden, excluded))
    return "\n".join(blocks)


def _counts(errors: int, warnings: int) -> str:
    """``3 errors``, ``1 warning``, ``3 errors and 1 warning``."""
    if errors and warnings:
        return f"{_plural(errors, 'error')} and {_plural(warnings, 'warning')}"
    return _plural(warnings, "warning") if warnings else _plural(errors, "error")


def summary_line(diags: Sequence, files: int, fixed: Optional[int] = None, hidden: int = 0,
                 excluded: int = 0) -> str:
    """``Found 2 errors and 1 warning in 5 files checked.``; after ``--fix`` as ruff counts:
    ``Found 3 errors in 1 file checked (2 fixed, 1 remaining).`` ``excluded``: Python files the
    ``exclude`` globs and .gitignore left out of the walk, said where there are any
    (``All checks passed! (12 files checked, 3 excluded)``)."""
    errors = sum(1 for d in diags if d.severity == "error")
    warnings = sum(1 for d in diags if d.severity == "warning")
    failing = errors + warnings
    notes = len(diags) - failing
    tail = f" ({_plural(notes, 'note')})" if notes else ""
    checked = f"{_plural(files, 'file')} checked" + (f", {excluded} excluded" if excluded else "")
    hint = f"\n{hidden_line(hidden)}" if hidden else ""
    if fixed:
        counts = f"({fixed} fixed, {failing} remaining)"
        return f"Found {_counts(errors + fixed, warnings)} in {checked} {counts}.{tail}{hint}"
    if failing:
        return f"Found {_counts(errors, warnings)} in {checked}.{tail}{hint}"
    return f"All checks passed! ({checked}){tail}{hint}"


def hidden_line(hidden: int) -> str:
    """The hint ruff gives for unsafe fixes ``--unsafe-fixes`` would apply."""
    fixes = "1 hidden fix" if hidden == 1 else f"{hidden} hidden fixes"
    return f"({fixes} can be enabled with the `--unsafe-fixes` option.)"


def would_fix_line(fixed: int, hidden: int = 0) -> str:
    """What ``--diff`` says on stderr, as ruff: ``Would fix 2 errors.``"""
    if fixed:
        out = f"Would fix {_plural(fixed, 'error')}."
    else:
        out = "No errors would be fixed."
    return f"{out} {hidden_line(hidden)}" if hidden else out


def statistics(diags: Sequence) -> list:
    """``[(count, code, name)]``, most frequent first."""
    counts = Counter((d.code, d.name) for d in diags)
    return sorted(((n, code, name) for (code, name), n in counts.items()), key=lambda t: (-t[0], t[1]))


def statistics_text(diags: Sequence) -> str:
    rows = statistics(diags)
    width = max((len(str(n)) for n, _, _ in rows), default=1)
    return "\n".join(f"{n:>{width}}\t{code}\t{name}" for n, code, name in rows)


def statistics_json(diags: Sequence) -> str:
    return json.dumps([{"code": c, "name": name, "count": n} for n, c, name in statistics(diags)], indent=2)


def as_json(diags: Iterable) -> str:
    """One JSON array, one object per finding: exactly the keys of the RULES.md contract."""
    return json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=False)


def json_lines(diags: Iterable) -> str:
    """One compact JSON object per line, the keys of ``as_json`` (ruff's ``json-lines``)."""
    return "\n".join(json.dumps(d.to_json(), ensure_ascii=False) for d in diags)


def pylint(diags: Iterable) -> str:
    """``path:line: [CODE] message``, as pylint's parseable output and ruff's ``pylint`` format."""
    return "\n".join(f"{d.path}:{f'cell {d.cell}:' if d.cell is not None else ''}{d.line}: [{d.code}] {d.message}"
                     for d in diags)


def _gh_property(value: str) -> str:
    return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(diags: Iterable) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    out = []
    for d in diags:
        level = {"error": "error", "warning": "warning"}.get(d.severity, "notice")
        title = f"shapecheck ({d.code})" if d.cell is None else f"shapecheck ({d.code}, cell {d.cell})"
        out.append(f"::{level} title={_gh_property(title)},file={_gh_property(d.path)},"
                   f"line={d.line},col={d.column},endLine={d.end_line},endColumn={d.end_column}"
                   f"::{_gh_data(f'{d.code} {d.message}')}")
    return "\n".join(out)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _file_uri(path: str) -> str:
    posix = path.replace(os.sep, "/")
    return "file://" + quote(posix if posix.startswith("/") else "/" + posix)


def _uri(path: str) -> tuple:
    """(uri, uriBaseId or None): relative paths stay relative to %SRCROOT% (the cwd)."""
    if os.path.isabs(path):
        return _file_uri(path), None
    return quote(path.replace(os.sep, "/")), "%SRCROOT%"


def _region(d) -> dict:
    return {"startLine": d.line, "startColumn": d.column, "endLine": d.end_line, "endColumn": d.end_column}


def _location(d) -> dict:
    uri, base = _uri(d.path)
    artifact = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    loc: dict = {"physicalLocation": {"artifactLocation": artifact, "region": _region(d)}}
    if d.cell is not None:  # a notebook: the region's lines are the cell's
        loc["properties"] = {"cell": d.cell}
    return loc


FINGERPRINT = "shapecheckFindingHash/v1"


def fingerprint(d: Any, line_text: str) -> str:
    """What stays of a finding across commits: its code, message and the text of its line (not its
    number, not the path: code scanning tracks a finding in a moved or edited file by it)."""
    import hashlib

    key = "\x00".join((d.code, d.message, " ".join(line_text.split())))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def source_lines(d: Any, cache: dict) -> list[str]:
    """The lines of the file a finding is in, read once per ``cache`` ([] where they cannot be read:
    stdin, a file gone since, a notebook, whose lines are inside its JSON)."""
    if d.cell is not None:
        return []
    if d.path not in cache:
        try:
            with open(d.path, encoding="utf-8", errors="replace") as fh:
                cache[d.path] = fh.read().splitlines()
        except OSError:
            cache[d.path] = []
    return cache[d.path]


def line_text(d: Any, cache: dict) -> str:
    """The source line a finding is on ("" where it cannot be read)."""
    got = source_lines(d, cache)
    return got[d.line - 1] if 0 < d.line <= len(got) else ""


def sarif(diags: Sequence, rules: Sequence = ()) -> str:
    """A SARIF 2.1.0 log with one run; ``rules``: the rule classes to describe (all by default)."""
    from . import __version__

    if not rules:
        from .rule import all_rules

        rules = all_rules()
    index = {r.CODE: i for i, r in enumerate(rules)}
    driver = {
        "name": "shapecheck",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [{
            "id": r.CODE,
            "name": r.NAME,
            "shortDescription": {"text": r.summary() or r.NAME},
            "fullDescription": {"text": r.doc() or r.NAME},
            "help": {"text": r.doc() or r.NAME, "markdown": r.doc() or r.NAME},
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(r.SEVERITY, "warning")},
            "properties": {"severity": r.SEVERITY},
        } for r in rules],
    }
    results = []
    lines: dict = {}
    for d in diags:
        res = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL.get(d.severity, "warning"),
            "message": {"text": d.message},
            "locations": [_location(d)],
            "partialFingerprints": {FINGERPRINT: fingerprint(d, line_text(d, lines))},
        }
        if d.code in index:
            res["ruleIndex"] = index[d.code]
        if d.fix is not None:
            edits = d.edits()
            if edits and d.cell is None:  # (a notebook's edits are in cells: SARIF regions have none)
                loc = _location(d)["physicalLocation"]
                res["fixes"] = [{
                    "description": {"text": d.fix.description},
                    "artifactChanges": [{
                        "artifactLocation": loc["artifactLocation"],
                        "replacements": [{"deletedRegion": _region(e), "insertedContent": {"text": e.content}}
                                         for e in edits],
                    }],
                    "properties": {"applicability": d.fix.applicability(edits)},
                }]
            else:
                res.setdefault("properties", {})["fix"] = d.fix.description
        results.append(res)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(os.getcwd()).rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _cell_note(d: Any) -> str:
    """`` (cell 3, line 2, column 5)`` for a notebook's finding: formats that place a finding by the
    file's own lines cannot point inside a cell (the .ipynb file is JSON), so the words do."""
    return f" (cell {d.cell}, line {d.line}, column {d.column})" if d.cell is not None else ""


def _project_path(path: str) -> str:
    """``/``-separated, relative to the cwd where the file is inside it (the repository root a CI
    job runs in: GitLab reads every path from there); elsewhere as given."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive (Windows)
            rel = os.pardir
        if not rel.startswith(os.pardir + os.sep) and rel != os.pardir:
            path = rel
    return path.replace(os.sep, "/")


GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}  # as eslint-formatter-gitlab's


def gitlab(diags: Sequence) -> str:
    """A GitLab Code Quality report: one JSON array, an object per finding with ``description``,
    ``check_name``, ``fingerprint``, ``severity`` and ``location`` (``path``, ``lines.begin/end``).

    The fingerprint (GitLab's identity of a finding between the base and the merge request) is the
    SARIF one (code, message, the text of its line: not the line's number) with the path and an
    occurrence count added, so two alike findings in one file or in two files stay two. A notebook's
    finding is on line 1 of the .ipynb (the cell and its line in the description), as ruff's."""
    import hashlib

    cache: dict = {}
    seen: Counter = Counter()
    out = []
    for d in diags:
        path = _project_path(d.path)
        key = (path, fingerprint(d, line_text(d, cache)))
        seen[key] += 1
        digest = hashlib.sha256("\x00".join((*key, str(seen[key]))).encode("utf-8")).hexdigest()[:32]
        begin, end = (1, 1) if d.cell is not None else (d.line, max(d.line, d.end_line))
        out.append({
            "description": f"{d.code}: {d.message}{_cell_note(d)}",
            "check_name": d.code,
            "fingerprint": digest,
            "severity": GITLAB_SEVERITY.get(d.severity, "minor"),
            "location": {"path": path, "lines": {"begin": begin, "end": end}},
        })
    return json.dumps(out, indent=2, ensure_ascii=False)


RDJSON_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _byte_column(line: Optional[str], column: int) -> int:
    """reviewdog counts columns in UTF-8 bytes (ours count characters); a column past the line's
    end (an end, exclusive) counts one a character; unchanged where the line is not known."""
    if line is None:
        return column
    head = line[:column - 1]
    return len(head.encode("utf-8")) + (column - 1 - len(head)) + 1


def _rd_range(lines: list, line: int, column: int, end_line: int, end_column: int) -> dict:
    def at(n: int, col: int) -> dict:
        return {"line": n, "column": _byte_column(lines[n - 1] if 0 < n <= len(lines) else None, col)}

    return {"start": at(line, column), "end": at(end_line, end_column)}


def rdjson(diags: Sequence) -> str:
    """The reviewdog Diagnostic Format (``reviewdog -f=rdjson``): ``{source, severity,
    diagnostics}``, each diagnostic with its message, location (path and a range, columns in UTF-8
    bytes as the format says, the end exclusive), severity, code, and the fix's edits as
    suggestions. A notebook's finding has no range (a file-level diagnostic: its lines are a
    cell's, not the .ipynb's); the message names the cell and line."""
    cache: dict = {}
    out = []
    for d in diags:
        item: dict = {"message": f"{d.message}{_cell_note(d)}", "location": {"path": d.path},
                      "severity": RDJSON_SEVERITY.get(d.severity, "WARNING"), "code": {"value": d.code}}
        if d.cell is None:
            lines = source_lines(d, cache)
            item["location"]["range"] = _rd_range(lines, d.line, d.column, d.end_line, d.end_column)
            edits = d.edits()
            if edits:
                item["suggestions"] = [{"range": _rd_range(lines, e.line, e.column, e.end_line, e.end_column),
                                        "text": e.content} for e in edits]
        out.append(item)
    worst = next((s for s in ("error", "warning") if any(d.severity == s for d in diags)), "info")
    return json.dumps({"source": {"name": "shapecheck"}, "severity": RDJSON_SEVERITY[worst], "diagnostics": out},
                      indent=2, ensure_ascii=False)


def junit(diags: Sequence) -> str:
    """JUnit XML as ruff prints it: a ``testsuite`` per file, a ``testcase`` per finding with a
    ``failure`` (an info finding, which never fails a run, is ``skipped``); a clean run is one
    passing test case. A notebook's finding has no line attributes (they would be the .ipynb's)."""
    import xml.etree.ElementTree as ET

    by_file: dict = {}
    for d in diags:
        by_file.setdefault(d.path, []).append(d)

    def suite_of(parent: Any, tag: str, name: str, ds: Sequence) -> Any:
        skipped = sum(1 for d in ds if d.severity not in FAILING)
        tests, failures = str(max(len(ds), 1)), str(len(ds) - skipped)
        if parent is None:  # (the attributes in ruff's order)
            return ET.Element(tag, {"name": name, "tests": tests, "skipped": str(skipped), "failures": failures,
                                    "errors": "0"})
        return ET.SubElement(parent, tag, {"name": name, "tests": tests, "skipped": str(skipped), "errors": "0",
                                           "failures": failures, "package": "shapecheck"})

    root = suite_of(None, "testsuites", "shapecheck", diags)
    if not diags:
        suite = suite_of(root, "testsuite", "shapecheck", diags)
        ET.SubElement(suite, "testcase", {"name": "No errors found", "classname": "shapecheck"})
    for path, ds in by_file.items():
        suite = suite_of(root, "testsuite", path, ds)
        for d in ds:
            attrs = {"name": f"shapecheck.{d.code}", "classname": os.path.splitext(path)[0]}
            if d.cell is None:
                attrs.update(line=str(d.line), column=str(d.column))
            case = ET.SubElement(suite, "testcase", attrs)
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", {"name": "severity", "value": d.severity})
            if d.cell is not None:
                ET.SubElement(props, "property", {"name": "cell", "value": str(d.cell)})
            where = f"cell {d.cell}, " if d.cell is not None else ""
            result = ET.SubElement(case, "failure" if d.severity in FAILING else "skipped", {"message": d.message})
            result.text = f"{where}line {d.line}, col {d.column}, {d.message}"
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
