"""The one engine function the CLI, the LSP server and the pre-commit hook all call."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from .findings import Diagnostic, Edit, Finding, Fix

if TYPE_CHECKING:
    import libcst as cst

    from . import notebooks, positions
    from .analysis.driver import AnalysisResult
    from .rule import Rule


@dataclass
class Options:
    select: Optional[set[str]] = None  # codes or prefixes ("SHP1"); None: all
    ignore: set[str] = field(default_factory=set)
    # what Keras the code runs on: 3 drops what fails under Keras 2 only, 2 makes it an error;
    # None (both): it is a warning that says so
    keras_version: Optional[int] = None


def _enabled(code: str, opts: Options) -> bool:
    if any(code.startswith(p) for p in opts.ignore):
        return False
    if opts.select is None:
        return True
    return any(code.startswith(p) for p in opts.select)


def _builtin_rule(code: str) -> type[Rule]:
    """One of the engine's own rules (SHP900, SHP100): always registered, so a miss is a bug."""
    from .rule import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        raise LookupError(f"the built-in rule {code} is not registered")
    return rule


@dataclass
class Checked:
    """One file's check, with what an editor reads beside the diagnostics: the parsed module
    (None when it does not parse) and the analysis result (None when there was none)."""

    diagnostics: list[Diagnostic]
    module: Optional[cst.Module] = None
    result: Optional[AnalysisResult] = None


def check_source(source: str, path: str = "<string>", opts: Optional[Options] = None,
                 real_path: Optional[str] = None) -> list[Diagnostic]:
    """Every diagnostic for one file's text, sorted by position. Imports of the project are
    followed from the file's place on disk: ``real_path`` when the shown ``path`` is not it."""
    checked = analyse_source(source, path, opts, real_path)
    release(checked)
    return checked.diagnostics


def release(checked: Checked) -> None:
    """Free what ``checked``'s analysis built (``Analysis.dispose``): its diagnostics are all
    that is read of it from now on."""
    if checked.result is not None and checked.result.analysis is not None:
        checked.result.analysis.dispose()
    checked.result = None


def analyse_source(source: str, path: str = "<string>", opts: Optional[Options] = None,
                   real_path: Optional[str] = None, cancel: Optional[Callable[[], bool]] = None,
                   hover: bool = False, parse: Optional[Callable[[str], Any]] = None) -> Checked:
    """``check_source`` keeping the module and the analysis (the language server's hover reads
    them). ``cancel`` is polled during the analysis; when it says True, ``analysis.context.Cancelled``
    propagates to the caller (a newer edit made this run useless). With ``hover``, the analysis
    also keeps what each expression evaluated to (``result.values``; read by ``hover.HoverIndex``).
    ``parse``: how a text not on disk is parsed (the server's ``reparse.Reparser.parse``: only
    the statements an edit changed), ``libcst.parse_module`` by default."""
    import libcst as cst

    from .analysis.driver import analyse

    opts = opts or Options()
    # (issue 12) a file LibCST must not parse whole (nested past Python's limits, or huge) is refused,
    # or checked in parts, each as a file of its own: analysis/parts.py
    from .analysis import parts

    screened = parts.screen(source, path, lambda text: analyse_source(text, real_path or path, opts, None,
                                                                      cancel).diagnostics)
    if screened is not None:
        return Checked(screened)
    try:
        module = _parse(source, real_path, parse)
    except cst.ParserSyntaxError as e:
        r = _builtin_rule("SHP900")
        line, col, msg = _syntax_error_position(source, e)
        return Checked([Diagnostic("SHP900", r.NAME, r.SEVERITY, f"cannot parse this file: {msg}", path, line, col,
                                   line, col)])
    except Exception as e:  # noqa: BLE001 - never a traceback for bad input
        return Checked([Diagnostic("SHP900", "syntax-error", "error", f"cannot parse this file: {e}"[:200], path,
                                   1, 1, 1, 1)])
    try:
        result = analyse(module, source, path if real_path is None else real_path,
                         keras_version=opts.keras_version, cancel=cancel, keep_values=hover)
    except RecursionError:
        return Checked([Diagnostic("SHP901", "analysis-skipped", "info", "file not analyzed: nesting too deep", path,
                                   1, 1, 1, 1)], module)
    out = diagnose(result, module, source, path, opts)
    if out is None:
        return Checked([Diagnostic("SHP901", "analysis-skipped", "info",
                                   "file not analyzed: expression nesting too deep", path, 1, 1, 1, 1)], module)
    return Checked(out, module, result)


def diagnose(result: AnalysisResult, module: cst.Module, source: str, path: str,
             opts: Optional[Options] = None) -> Optional[list[Diagnostic]]:
    """An analysis result's findings as ``check`` reports them for ``path``: the rule codes the
    options enable, placed in ``module``, suppressions applied (and unused ones reported), sorted
    by position. None where an expression is nested too deep to place (``analyse_source`` then
    reports SHP901). ``summary`` reads them from its own analysis (a graph's red nodes)."""
    from . import positions, suppress
    from .rule import rule_for_kind

    opts = opts or Options()
    findings = result.findings
    sup = suppress.find_suppressions(source)
    if not findings and not sup:
        return []
    pos = positions.Positions(module)
    out: list[Diagnostic] = []
    chosen = _most_specific(findings)
    for f in chosen:
        rule = rule_for_kind(f.kind)
        if rule is None or not _enabled(rule.CODE, opts):
            continue
        node, fix = f.node, f.fix
        try:
            if not pos.has(node):  # a layer built in an imported file: the call here that fed it
                node, fix = f.fallback, None
                if node is None or not pos.has(node):
                    continue
            (l1, c1), (l2, c2) = pos.span(node)
        except RecursionError:  # a pathologically deep expression: the caller reports it, never a crash
            return None
        if suppress.is_suppressed(sup, l1, rule.CODE):
            continue
        severity = f.severity_override or rule.SEVERITY
        if f.only_in == "keras2":
            if opts.keras_version == 3:
                continue
            if opts.keras_version is None:
                severity = "warning"
        out.append(Diagnostic(rule.CODE, rule.NAME, severity, f.message, path, l1, c1, l2, c2,
                              _placed(fix, node, ((l1, c1), (l2, c2)), pos, source, result.uses)))
    if _enabled("SHP100", opts):
        r100 = _builtin_rule("SHP100")
        for line, col, codes in suppress.unused(sup):
            codes = [c for c in codes if _enabled(c, opts)]  # a code switched off cannot be used
            if not codes:
                continue
            out.append(Diagnostic("SHP100", r100.NAME, r100.SEVERITY,
                                  f"unused suppression: {', '.join(codes)} reported nothing on this line",
                                  path, line, col, line, col))
    out.sort(key=lambda d: (d.line, d.column, d.code))
    return out


def _placed(fix: Optional[Fix], node: object, span: tuple, pos: positions.Positions, source: str,
            uses: dict) -> Optional[Fix]:
    """``fix`` with its edit placed: the span of its target (the finding's node by default), only
    where that node is in this file; the replacement stays the new text of the finding's own
    region (spliced where the target lies inside it), None where the edit is elsewhere. A fix that
    changes what other code uses too is unsafe unless all those uses want the new value."""
    from . import fixes

    if fix is None:
        return None
    safe = fix.safe
    if safe and fix.agree is not None:
        key, value = fix.agree
        safe = not (uses.get(key, set()) - {value})
    plain = Fix(fix.description, None, safe=safe)
    if fix.replacement is None:
        return plain
    target = fix.target if fix.target is not None else node
    if not pos.has(target):
        return plain
    (t1, tc1), (t2, tc2) = pos.span(target)
    edit = Edit(t1, tc1, t2, tc2, fix.replacement)
    (l1, c1), (l2, c2) = span
    if target is node:
        replacement: Optional[str] = fix.replacement
    elif (l1, c1) <= (t1, tc1) and (t2, tc2) <= (l2, c2):  # inside the region: the region's new text
        region = fixes.Span(l1, c1, l2, c2)
        replacement = fixes.apply_edits(fixes.text_of(source, region),
                                        [fixes.shifted(edit, region)])
    else:
        replacement = None
    return Fix(fix.description, replacement, safe=safe, edits=(edit,))


def _parse(source: str, path: Optional[str], parse: Optional[Callable[[str], Any]] = None) -> cst.Module:
    """The file's LibCST module; a file on disk goes through the cache that imports share, so a
    folder is parsed once however often its files import each other; another text by ``parse``."""
    import libcst as cst

    from . import imports

    if path is not None and imports.place_of(path) is not None:  # (only where imports are followed)
        hit = imports.parse(path)
        if hit is not None and hit[1] == source:
            return hit[0]
    return parse(source) if parse is not None else cst.parse_module(source)


def _syntax_error_position(source: str, err: Exception) -> tuple[int, int, str]:
    """(line, column, message) of a syntax error: Python's own parser places it best."""
    from . import pyast

    try:
        pyast.parse(source)
    except SyntaxError as e:
        return e.lineno or 1, e.offset or 1, e.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    msg = str(getattr(err, "message", "") or str(err).splitlines()[0])
    return getattr(err, "raw_line", 1) or 1, (getattr(err, "raw_column", 0) or 0) + 1, msg


def _most_specific(findings: Iterable[Finding]) -> list[Finding]:
    """The more specific rule wins on the same node: a finding is dropped where a rule whose
    ``SUPERSEDES`` names its kind also reported on that node (SHP102 over SHP101...)."""
    from .rule import rule_for_kind

    findings = list(findings)
    by_node: dict[int, set[str]] = {}
    for f in findings:
        by_node.setdefault(id(f.node), set()).add(f.kind)
    superseded: dict[int, set[str]] = {}
    for node, kinds in by_node.items():
        superseded[node] = {old for k in kinds if (r := rule_for_kind(k)) is not None for old in r.SUPERSEDES}
    return [f for f in findings if f.kind not in superseded[id(f.node)]]


def _read_python(path: str) -> tuple[str, str, bool]:
    """(source, encoding, whether it began with a BOM) of a Python file: PEP 263 cookies, BOMs."""
    import io
    import tokenize

    with open(path, "rb") as fh:
        data = fh.read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    source = data.decode(encoding)
    bom = data.startswith(b"\xef\xbb\xbf")
    if source.startswith("\ufeff"):
        source = source[1:]
    return source, encoding, bom


def _write_python(path: str, source: str, encoding: str, bom: bool) -> None:
    """Write ``source`` back as ``_read_python`` read it: its encoding, BOM and newlines."""
    data = source.encode(encoding if encoding != "utf-8-sig" else "utf-8")
    with open(path, "wb") as fh:
        fh.write((b"\xef\xbb\xbf" if bom else b"") + data)


def internal_error(e: Exception, shown: str) -> list[Diagnostic]:
    """The SHP901 of a file whose analysis raised (the run, or the editor, goes on)."""
    return [Diagnostic("SHP901", "analysis-skipped", "info", f"file not analyzed: internal error "
                       f"{type(e).__name__}: {e}"[:300], shown, 1, 1, 1, 1)]


def check_path(path: str, opts: Optional[Options] = None, display: Optional[str] = None) -> list[Diagnostic]:
    """Diagnostics for one file on disk; unreadable files are reported, never raised."""
    if path.endswith(".ipynb"):
        return check_notebook(path, opts, display)
    try:
        source = _read_python(path)[0]
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as e:
        return [Diagnostic("SHP900", "syntax-error", "error", f"cannot read this file: {e}", display or path,
                           1, 1, 1, 1)]
    try:
        return check_source(source, display or path, opts, real_path=path)
    except Exception as e:  # noqa: BLE001 - the file is reported, the run goes on
        return internal_error(e, display or path)


def reveal(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` for every ``reveal_shape(x)`` call in ``source`` (golden tests)."""
    import libcst as cst

    from . import positions
    from .analysis.driver import analyse

    module = cst.parse_module(source)
    result = analyse(module, source)
    pos = positions.Positions(module)
    seen: dict[int, list[str]] = {}
    for node, text in result.revealed:
        line = pos.span(node)[0][0]
        seen.setdefault(line, [])
        if text not in seen[line]:
            seen[line].append(text)
    return sorted((line, " | ".join(texts)) for line, texts in seen.items())


def check_notebook(path: str, opts: Optional[Options] = None, display: Optional[str] = None) -> list[Diagnostic]:
    """Diagnostics for a Jupyter notebook: its code cells in order as one program
    (``notebooks.program``), each finding placed in its cell."""
    from . import notebooks

    shown = display or path
    try:
        with open(path, encoding="utf-8") as fh:
            nb = notebooks.parse(fh.read())
    except (OSError, UnicodeDecodeError, notebooks.NotebookError) as e:
        return [_unreadable_notebook(e, shown)]
    try:
        found = check_source(nb.source, shown, opts, real_path=path)
    except Exception as e:  # noqa: BLE001 - the file is reported, the run goes on
        return internal_error(e, shown)
    return in_cells(nb, found)


def _unreadable_notebook(e: Exception, shown: str) -> Diagnostic:
    return Diagnostic("SHP900", "syntax-error", "error", f"cannot read this notebook: {e}"[:300], shown, 1, 1, 1, 1)


def in_cells(nb: notebooks.Notebook, found: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics of a notebook's program placed in its cells: lines (and their fixes' edits)
    counted in the cell, ``cell`` set."""
    import dataclasses

    out = []
    for d in found:
        cell, line = nb.place(d.line)
        end_cell, end_line = nb.place(d.end_line)
        end_col = d.end_column
        if end_cell != cell:  # (a span over cells ends with its first cell's line)
            end_line, end_col = line, d.column
        fix = d.fix
        if fix is not None and fix.edits:
            edits: list[Edit] = []
            for e in fix.edits:
                (c1, e1), (c2, e2) = nb.place(e.line), nb.place(e.end_line)
                if c1 != c2:  # an edit over two cells is no edit of either
                    edits = []
                    break
                edits.append(dataclasses.replace(e, line=e1, end_line=e2, cell=c1))
            fix = dataclasses.replace(fix, edits=tuple(edits),
                                      replacement=fix.replacement if edits else None)
        out.append(dataclasses.replace(d, line=line, end_line=end_line, end_column=end_col, cell=cell, fix=fix))
    return out


# ------------------------------------------------------------------------- fixing
@dataclass
class FileFix:
    """What ``--fix`` did to one file (or ``--diff`` would do): the diagnostics that remain (as
    ``check_path`` gives them), how many fixes were applied, the new text (None: unchanged), and
    the unified diff (per cell for a notebook; empty when nothing changes)."""

    diagnostics: list[Diagnostic]
    fixed: int = 0
    source: Optional[str] = None
    diff: str = ""


def fix_source(source: str, path: str = "<string>", opts: Optional[Options] = None, unsafe: bool = False,
               real_path: Optional[str] = None) -> FileFix:
    """Apply the fixes to one file's text until none applies (``fixes.fix_until_stable``)."""
    from . import fixes

    def check(text: str) -> list[Diagnostic]:
        return check_source(text, path, opts, real_path=real_path)

    done = fixes.fix_until_stable(source, check, unsafe)
    if done.source == source:
        return FileFix(done.remaining, 0)
    return FileFix(done.remaining, done.fixed, done.source, fixes.unified_diff(source, done.source, path))


def fix_path(path: str, opts: Optional[Options] = None, display: Optional[str] = None, unsafe: bool = False,
             write: bool = True) -> FileFix:
    """``fix_source`` of a file on disk (written back with its own encoding, BOM and newlines when
    ``write``); a notebook's cells are fixed in place (``fix_notebook``). Never raises: an unreadable
    file is its diagnostic, as in ``check_path``."""
    shown = display or path
    if path.endswith(".ipynb"):
        return fix_notebook(path, opts, display, unsafe, write)
    try:
        source, encoding, bom = _read_python(path)
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as e:
        return FileFix([Diagnostic("SHP900", "syntax-error", "error", f"cannot read this file: {e}", shown,
                                   1, 1, 1, 1)])
    try:
        done = fix_source(source, shown, opts, unsafe, real_path=path)
    except Exception as e:  # noqa: BLE001 - the file is reported, the run goes on
        return FileFix(internal_error(e, shown))
    if write and done.source is not None:
        try:
            _write_python(path, done.source, encoding, bom)
        except (OSError, UnicodeEncodeError) as e:
            return FileFix(done.diagnostics + [Diagnostic("SHP900", "syntax-error", "error",
                                                          f"cannot write the fixed file: {e}"[:300], shown,
                                                          1, 1, 1, 1)])
    return done


def fix_notebook(path: str, opts: Optional[Options] = None, display: Optional[str] = None, unsafe: bool = False,
                 write: bool = True) -> FileFix:
    """Fix a notebook's program, then edit each changed code cell's source in place: outputs,
    metadata, execution counts and the file's JSON layout stay (``notebooks.dumps``). The diff is
    one per changed cell (``--- nb.ipynb:cell 3``), never of the JSON."""
    from . import fixes, notebooks

    shown = display or path
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        data, nb = notebooks.load(text)
    except (OSError, UnicodeDecodeError, notebooks.NotebookError) as e:
        return FileFix([_unreadable_notebook(e, shown)])
    cells = data["cells"]
    before = {i: notebooks.cell_text(c) for i, c in enumerate(cells, start=1)
              if isinstance(c, dict) and c.get("cell_type") == "code"}
    fixed = 0
    seen = {nb.source}
    try:
        found = check_source(nb.source, shown, opts, real_path=path)
        for _ in range(fixes.MAX_ROUNDS):
            placed = in_cells(nb, found)
            # a fix whose edits the cells cannot take (over two cells) is not applied
            usable = [d for d, p in zip(found, placed) if p.fix is not None and len(p.edits()) == len(d.edits())]
            new_program, done = fixes.apply_fixes(nb.source, usable, unsafe)
            if not done or new_program in seen:
                break
            seen.add(new_program)
            by_cell: dict[int, list] = {}
            for d in in_cells(nb, done):
                for edit in d.edits():
                    by_cell.setdefault(edit.cell or 0, []).append(edit)
            for number, edits in by_cell.items():
                cell = cells[number - 1]
                notebooks.set_cell_text(cell, fixes.apply_edits(notebooks.cell_text(cell), edits))
            fixed += len(done)
            nb = notebooks.program(data)
            found = check_source(nb.source, shown, opts, real_path=path)
    except Exception as e:  # noqa: BLE001 - the file is reported, the run goes on
        return FileFix(internal_error(e, shown))
    remaining = in_cells(nb, found)
    changed = {i: (old, notebooks.cell_text(cells[i - 1])) for i, old in before.items()
               if notebooks.cell_text(cells[i - 1]) != old}
    if not changed:
        return FileFix(remaining, 0)
    # (a cell's last line has no newline of its own: no "\ No newline at end of file" for each)
    diff = "".join(fixes.unified_diff(old if old.endswith("\n") else old + "\n",
                                      new if new.endswith("\n") else new + "\n", f"{shown}:cell {i}")
                   for i, (old, new) in changed.items())
    new_text = notebooks.dumps(data, text)
    if write:
        try:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(new_text)
        except OSError as e:
            return FileFix(remaining + [Diagnostic("SHP900", "syntax-error", "error",
                                                   f"cannot write the fixed notebook: {e}"[:300], shown, 1, 1, 1, 1)])
    return FileFix(remaining, fixed, new_text, diff)


def add_noqa_path(path: str, opts: Optional[Options] = None) -> tuple[list[Diagnostic], int]:
    """``--add-noqa`` on one file or notebook (its cells): the diagnostics that could not be
    silenced (SHP900/SHP901) and how many codes were added. The file is rewritten only if it changes."""
    from . import fixes, notebooks

    if path.endswith(".ipynb"):
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
            data, nb = notebooks.load(text)
        except (OSError, UnicodeDecodeError, notebooks.NotebookError) as e:
            return [_unreadable_notebook(e, path)], 0
        found = in_cells(nb, check_source(nb.source, path, opts, real_path=path))
        added = 0
        for number in sorted({d.cell for d in found if d.cell is not None}):
            cell = data["cells"][number - 1]
            new, n = fixes.add_noqa(notebooks.cell_text(cell), [d for d in found if d.cell == number])
            if n:
                notebooks.set_cell_text(cell, new)
                added += n
        out = notebooks.dumps(data, text) if added else text
    else:
        try:
            source, encoding, bom = _read_python(path)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as e:
            return [Diagnostic("SHP900", "syntax-error", "error", f"cannot read this file: {e}", path, 1, 1, 1, 1)], 0
        found = check_source(source, path, opts, real_path=path)
        out, added = fixes.add_noqa(source, found)
    left = [d for d in found if d.code in ("SHP900", "SHP901")]  # what kept it from being checked
    if added:
        try:
            if path.endswith(".ipynb"):
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    fh.write(out)
            else:
                _write_python(path, out, encoding, bom)
        except (OSError, UnicodeEncodeError) as e:
            return left + [Diagnostic("SHP900", "syntax-error", "error", f"cannot write: {e}"[:300], path,
                                      1, 1, 1, 1)], 0
    return left, added

