"""The command line: ``shapecheck check PATH...``, ``shapecheck rule CODE``.

Exit status as ruff's: 0 nothing at error/warning level reported, 1 findings, 2 usage,
configuration or internal error (one line on stderr, never a traceback).
"""
from __future__ import annotations

import argparse
import os
import sys
from enum import StrEnum
from typing import Any, Optional

from . import __version__

DESCRIPTION = "Static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code."


class OutputFormat(StrEnum):
    text = "text"
    concise = "concise"  # ruff's name for the one-line-per-finding text
    full = "full"
    json = "json"
    json_lines = "json-lines"
    pylint = "pylint"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"
    rdjson = "rdjson"
    junit = "junit"


class UsageFailure(Exception):
    """A one-line reason to exit 2."""


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """``text`` on standard output (or error), as the program prints everything."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + ("\n" if nl else ""))
    stream.flush()


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error raised as one line (``run`` prints it and exits 2) instead of
    the usage block argparse prints before exiting itself."""

    def error(self, message: str) -> Any:  # (argparse's own messages: "argument --jobs: ...")
        raise UsageFailure(f"{message} (see `{self.prog} --help`)")


class _CommandParser(_Parser):
    """A command's parser: options and paths in any order (``check a.py --select SHP1 b.py``), as
    click and ruff take them."""

    _inner = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inner:
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def _check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATHS",
                   help="Files or folders to check (folders are walked; default: the current folder; '-' reads "
                        "stdin).")
    p.add_argument("--output-format", default="text", choices=[f.value for f in OutputFormat],
                   metavar="FORMAT",
                   help="How to print findings: text (or concise), full (with the source line), json, json-lines, "
                        "pylint, github (Actions annotations), sarif (code scanning), gitlab (Code Quality), rdjson "
                        "(reviewdog) or junit (JUnit XML). Default: text.")
    p.add_argument("--output-file", "-o", metavar="FILE",
                   help="Write the report to this file instead of standard output.")
    p.add_argument("--select", action="append", metavar="CODES",
                   help="Only these codes or prefixes, comma-separated (SHP1,SHP301); replaces the config's.")
    p.add_argument("--ignore", action="append", metavar="CODES",
                   help="Skip these codes or prefixes, comma-separated; added to the config's.")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="Globs of files or folders to skip; added to the config's.")
    p.add_argument("--config", metavar="FILE",
                   help="Read this pyproject.toml or shapecheck.toml instead of searching for one.")
    p.add_argument("--isolated", action="store_true", help="Read no configuration file.")
    p.add_argument("--force-exclude", action="store_true",
                   help="Apply the exclude globs to files named on the command line too.")
    p.add_argument("--exit-zero", action="store_true", help="Exit 0 even when findings are reported.")
    p.add_argument("--statistics", action="store_true",
                   help="Print how many findings of each code, not the findings.")
    p.add_argument("--quiet", "-q", action="store_true", help="Print the findings only, no summary line.")
    p.add_argument("--stdin-filename", metavar="NAME",
                   help="The name to report for source read from stdin ('-').")
    p.add_argument("--jobs", "-j", type=_positive, metavar="N",
                   help="Files analyzed in parallel (default: one per CPU core).")
    p.add_argument("--keras-version", metavar="2|3",
                   help="The Keras the code runs on: 3 drops findings that fail under Keras 2 only, 2 makes them "
                        "errors; default: both, and those findings are warnings that say so. Replaces the config's.")
    p.add_argument("--fix", action="store_true",
                   help="Apply the safe fixes in place (notebooks: the cells' source), check again, then report "
                        "what remains; with '-' print the fixed source to stdout and the report to stderr.")
    p.add_argument("--unsafe-fixes", action="store_true",
                   help="With --fix or --diff, apply the unsafe fixes too (those only usually right, see "
                        "docs/fixes.md).")
    p.add_argument("--since", metavar="REV",
                   help="Report only findings on lines added or changed since this git revision (and in files new "
                        "since it); whole files are still analysed. For review bots: --since origin/main.")
    p.add_argument("--baseline", metavar="FILE",
                   help="Report only findings not recorded in this baseline (matched by path, code, message and "
                        "the line's text, not its number); stale entries are counted.")
    p.add_argument("--write-baseline", metavar="FILE", help="Record today's findings in FILE and exit 0.")
    p.add_argument("--add-noqa", action="store_true",
                   help="Write '# noqa: CODE' on every line with a finding (merged into a noqa comment already "
                        "there), to adopt shapecheck on existing code; prints how many were added.")
    p.add_argument("--diff", action="store_true",
                   help="Print a unified diff of what --fix would change (per cell for notebooks) and write "
                        "nothing; exit 1 if there would be changes, 0 otherwise.")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="Keep results here between runs (default: .shapecheck_cache beside the config file, else "
                        "in the current folder; $SHAPECHECK_CACHE_DIR or the config's cache-dir).")
    p.add_argument("--no-cache", action="store_true", help="Read and write no cached results.")


def _summary_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATHS",
                   help="Files or folders (default: the current folder); FILE::NAME picks one model, as --model.")
    p.add_argument("--output-format", default=None, choices=list(SUMMARY_FORMATS), metavar="{text,json,dot,mermaid}",
                   help="text (as model.summary() / torchinfo), json, dot (the model as a Graphviz graph: layers "
                        "as nodes, tensors as edges labelled with their shapes, a layer with a finding in red) or "
                        "mermaid (the same graph as a Mermaid flowchart). Default: text, or what --output's "
                        "extension says.")
    p.add_argument("--output", metavar="FILE",
                   help="Write to FILE instead of standard output. With dot: .svg, .png or .pdf is drawn by "
                        "Graphviz's dot when it is on PATH (else the DOT text goes to FILE.dot, and a note says "
                        "so), .dot or .gv is the DOT text; with mermaid: .mmd, or .md (in a mermaid block).")
    p.add_argument("--model", metavar="NAME",
                   help="Only this model: a global, a class, a function returning one (called with its defaults) "
                        "or a call such as 'resnet18(num_classes=10)'.")
    p.add_argument("--input-shape", "--input", metavar="SHAPE", action="append",
                   help="A shape to feed torch models' forward, e.g. 1,3,32,32 (add :int for token ids); "
                        "repeat for a forward with several inputs. Default: the file's own call, or forward's "
                        "jaxtyping annotations.")
    p.add_argument("--depth", type=int, default=3, metavar="N",
                   help="torch: show modules nested down to depth N (as torchinfo's depth). Default: 3.")
    p.add_argument("--columns", metavar="NAMES",
                   help="torch: the columns, comma-separated, of torchinfo's input_size, output_size, num_params, "
                        "kernel_size, mult_adds, trainable. Default: output_size,num_params (num_params without "
                        "an input).")
    p.add_argument("--weights", action="store_true", help="List each layer's weights and their shapes too.")
    p.add_argument("--ascii", action="store_true", help="torch: draw the tree with ASCII characters only.")
    p.add_argument("--expand-nested", action="store_true",
                   help="Keras: list the layers of a model used as a layer under it, as "
                        "model.summary(expand_nested=True) does.")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="Globs of files or folders to skip.")


# summary's output formats -> the extensions --output takes for each (None: any)
SUMMARY_FORMATS: dict = {"text": None, "json": None, "dot": (".svg", ".png", ".pdf", ".dot", ".gv"),
                         "mermaid": (".mmd", ".md")}

_OTHER_IMAGES = (".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".eps", ".ps")  # (not drawn here)


def _summary_format(fmt: Optional[str], output: Optional[str]) -> str:
    """The output format: the one asked for, else the one ``--output``'s extension names, else
    text; UsageFailure where ``--output``'s extension does not fit it."""
    ext = os.path.splitext(output)[1].lower() if output else ""
    if fmt is None:
        inferred = {".json": "json", ".mmd": "mermaid"}
        fmt = inferred.get(ext) or ("dot" if ext in SUMMARY_FORMATS["dot"] else "text")
    allowed = SUMMARY_FORMATS[fmt]
    if output is not None and allowed is not None and ext not in allowed:
        raise UsageFailure(f"--output: {output!r} is no file --output-format {fmt} writes; expected "
                           f"{', '.join(allowed[:-1])} or {allowed[-1]}")
    if output is not None and fmt in ("text", "json") and ext in SUMMARY_FORMATS["dot"] + _OTHER_IMAGES:
        raise UsageFailure(f"--output: {output!r} is a picture; --output-format {fmt} writes text (dot draws "
                           ".svg, .png or .pdf)")
    return fmt


def _write_graph(text: str, fmt: str, output: Optional[str]) -> None:
    """A graph's text on standard output or in ``output``; an image extension is drawn by Graphviz's
    ``dot`` (found on PATH), else the DOT text goes beside it (``FILE.dot``) and a note says so."""
    import shutil
    import subprocess

    if output is None:
        echo(text, nl=False)
        return
    ext = os.path.splitext(output)[1].lower()
    if fmt == "mermaid" and ext == ".md":
        text = f"```mermaid\n{text}```\n"
    if fmt == "dot" and ext in (".svg", ".png", ".pdf"):
        dot = shutil.which("dot")
        if dot is None:
            fallback = os.path.splitext(output)[0] + ".dot"
            _emit(text.rstrip("\n"), fallback, flag="--output")
            echo(f"shapecheck: note: Graphviz's dot was not found on PATH: wrote the DOT text to {fallback} "
                 f"instead of {output} (draw it with `dot -T{ext[1:]} {fallback} -o {output}`)", err=True)
            return
        try:
            os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
            done = subprocess.run([dot, f"-T{ext[1:]}", "-o", output], input=text.encode("utf-8"),
                                  capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as e:
            raise UsageFailure(f"--output: Graphviz's dot could not draw {output}: {e}") from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageFailure(f"--output: Graphviz's dot could not draw {output}: "
                               f"{why[0] if why else done.returncode}")
        return
    _emit(text.rstrip("\n"), output, flag="--output")


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--select", action="append", metavar="CODES",
                   help="Only these codes or prefixes, comma-separated; replaces the configuration's.")
    p.add_argument("--ignore", action="append", metavar="CODES",
                   help="Skip these codes or prefixes, comma-separated; added to the configuration's.")
    p.add_argument("--keras-version", metavar="2|3",
                   help="The Keras the code runs on (2 or 3); replaces the configuration's.")
    p.add_argument("--config", metavar="FILE",
                   help="Read this pyproject.toml or shapecheck.toml for every document.")
    p.add_argument("--isolated", action="store_true", help="Read no configuration file.")


COMMANDS = {  # name -> (one line of help, the longer description, its options)
    "check": ("Check files for shape bugs.",
              "Check files for shape bugs; prints path:line:col: CODE message, then a count (--fix mends what it "
              "can first).", _check_options),
    "summary": ("Print every model a file defines (a static model.summary() / torchinfo).",
                "Print every model a file makes: layers, shapes, parameter counts, as Keras's model.summary() "
                "and torchinfo's summary() print them (torch: nested modules, mult-adds and memory where an "
                "input is known), or draw it as a graph (--output-format dot or mermaid), without running "
                "anything.", _summary_options),
    "rule": ("Explain a rule.", "Explain a rule: what it does, why it is a bug, an example.",
             lambda p: p.add_argument("code", metavar="CODE",
                                      help="A rule code (SHP102), a prefix (SHP1), or 'all' to list every rule.")),
    "server": ("Run the language server (LSP over stdio) for editors.",
               "Run the language server (LSP over stdio) for editors: diagnostics, hover, code actions. Settings "
               "from the editor (initializationOptions or workspace/didChangeConfiguration): select, ignore, "
               "keras-version, inlayHints, debounce (ms), ruleDocsUrl. See docs/editors.md.", _server_options),
}


def build_parser() -> _Parser:
    """The program's parser: ``shapecheck COMMAND [OPTIONS]``."""
    top = _Parser(prog="shapecheck", description=DESCRIPTION, allow_abbrev=False)
    top.add_argument("--version", action="version", version=f"shapecheck {__version__}",
                     help="Print the version and exit.")
    subs = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for name, (short, long, options) in COMMANDS.items():
        options(subs.add_parser(name, help=short, description=long, allow_abbrev=False))
    return top


def check(ns: argparse.Namespace) -> int:
    """``shapecheck check``."""
    return run_check(ns.paths or ["."], output_format=ns.output_format, select=ns.select, ignore=ns.ignore,
                     exclude=ns.exclude, config_path=ns.config, isolated=ns.isolated,
                     force_exclude=ns.force_exclude, exit_zero=ns.exit_zero, statistics=ns.statistics,
                     quiet=ns.quiet, stdin_filename=ns.stdin_filename, jobs=ns.jobs,
                     keras_version=ns.keras_version, fix=ns.fix, unsafe_fixes=ns.unsafe_fixes, diff=ns.diff,
                     output_file=ns.output_file, add_noqa=ns.add_noqa, since=ns.since, baseline=ns.baseline,
                     write_baseline=ns.write_baseline, cache_dir=ns.cache_dir, no_cache=ns.no_cache)


def _require_paths(paths: list[str]) -> None:
    import errno

    for p in paths:
        if p == "-" or os.path.exists(p):
            continue
        try:
            os.stat(p)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UsageFailure(f"a symlink loop: {p}") from None
            if os.path.islink(p):
                raise UsageFailure(f"a broken symlink: {p} -> {os.readlink(p)}") from None
        raise UsageFailure(f"no such file or directory: {p}")


def _no_python_files(paths: list[str], files: list[str]) -> None:
    """A folder named on the command line that holds no Python file at all (a mistyped CI path) is
    a warning on stderr; when that leaves nothing checked it is a usage error, as ruff's "No Python
    files found". Files left out by excludes are not this: a run that excludes them all passes."""
    from .discover import iter_files

    found = [os.path.abspath(f) for f in files if f != "-"]
    empty = []
    for p in paths:
        if p == "-" or not os.path.isdir(p):
            continue
        top = os.path.abspath(p)
        if any(f == top or f.startswith(top.rstrip(os.sep) + os.sep) for f in found):
            continue
        if next(iter(iter_files([p], ())), None) is None:  # nothing there even without the excludes
            empty.append(p)
            echo(f"shapecheck: warning: no Python files found under {p}", err=True)
    if empty and not files:
        raise UsageFailure("no Python files found under the given paths")


def _excluder(cfg, exclude: Optional[list[str]]):
    """The config's exclude globs (relative to its folder) and the command line's (to the cwd)."""
    from .discover import Excluder

    return Excluder([(p, cfg.root) for p in cfg.exclude] + [(p, os.getcwd()) for p in exclude or ()])


def run_check(paths: list[str], *, output_format: str = "text", select: Optional[list[str]] = None,
              ignore: Optional[list[str]] = None, exclude: Optional[list[str]] = None,
              config_path: Optional[str] = None, isolated: bool = False, force_exclude: bool = False,
              exit_zero: bool = False, statistics: bool = False, quiet: bool = False,
              stdin_filename: Optional[str] = None, jobs: Optional[int] = None,
              keras_version: Optional[str] = None, fix: bool = False, unsafe_fixes: bool = False,
              diff: bool = False, output_file: Optional[str] = None, add_noqa: bool = False,
              since: Optional[str] = None, baseline: Optional[str] = None,
              write_baseline: Optional[str] = None, cache_dir: Optional[str] = None, no_cache: bool = False) -> int:
    """``shapecheck check``: prints the report and returns the exit status (UsageFailure: exit 2).

    ``fix``: apply the fixes first and report what remains (as ruff's ``--fix``: exit 1 only for
    what remains); ``diff``: print what ``fix`` would change instead, write nothing, exit 1 if
    anything would change."""
    from . import config as cfgmod
    from . import formats
    from .discover import WalkStats, iter_files

    _require_paths(paths)
    if config_path is not None and not isolated and not os.path.isfile(config_path):
        raise UsageFailure(f"--config: no such file: {config_path}")
    try:
        where = [stdin_filename or "."] if paths == ["-"] else [p for p in paths if p != "-"]
        cfg = cfgmod.resolve(config_path, isolated, where or ["."])
        chosen, extra_ignore, keras_flag = _selection_flags(select, ignore, keras_version)
        keras = cfg.keras_version if keras_flag is None else keras_flag
    except cfgmod.ConfigError as e:
        raise UsageFailure(str(e)) from None

    from . import baseline as basemod

    entries = None
    if baseline is not None:
        try:
            entries = basemod.load(baseline)
        except basemod.BaselineError as e:
            raise UsageFailure(f"--baseline: {e}") from None
    changed = None
    if since is not None:
        from . import review

        try:
            changed = review.changed_lines(since)
        except review.ReviewError as e:
            raise UsageFailure(f"--since: {e}") from None
    # the summary line says how many files the excludes left out: counted only where it is printed
    walk = WalkStats() if output_format in ("text", "concise", "full") and not (quiet or statistics) else None
    special: list = []
    files = list(iter_files(paths, _excluder(cfg, exclude), force_exclude=force_exclude, stats=walk,
                            skipped=special))
    for path, kind in special:
        echo(f"shapecheck: note: skipped {path}: {kind}, not a file to read", err=True)
    excluded = walk.excluded if walk is not None else 0
    _no_python_files(paths, files)
    by_ignores: dict = {}  # per-file-ignores -> the codes in force (a handful of distinct sets)
    tasks: list = []
    for f in files:
        shown = stdin_filename if f == "-" and stdin_filename else f
        extra = cfgmod.ignores_for(cfg, shown) if cfg.per_file_ignores else ()
        enabled = by_ignores.get(extra)
        if enabled is None:
            enabled = by_ignores[extra] = frozenset(cfgmod.enabled_for(cfg, shown, chosen, extra_ignore))
        if enabled:
            mode = "diff" if diff else "fix" if fix else None
            tasks.append((f, shown, enabled, keras, mode, unsafe_fixes))
    if add_noqa:
        return _add_noqa(tasks, fix or diff)
    fixing = diff or fix
    cache = None
    if not (no_cache or fixing):
        from . import cache as cachemod

        cache = cachemod.Cache.open(cache_dir or cfg.cache_dir or cachemod.default_root(
            cfg.root if cfg.path is not None else None))
    results = _analyze_cached(tasks, jobs, cache) if cache is not None else _analyze(tasks, jobs)
    # the engine reports SHP900/SHP901 whatever was selected: the selection holds for them too
    diags = [d for t, r in zip(tasks, results) for d in (r.diagnostics if fixing else r) if d.code in t[2]]
    if fixing:
        fixed = sum(r.fixed for r in results)
        if changed is not None:
            diags = review.keep_changed(diags, changed)
        hidden = 0 if unsafe_fixes else sum(1 for d in diags if d.fix is not None and d.edits() and not d.fix.safe)
        if diff:
            return _print_diffs(results, fixed, hidden)
        stdin = next((r for t, r in zip(tasks, results) if t[0] == "-"), None)
        if stdin is not None:  # the fixed source is the output; the report goes to stderr
            echo(stdin.source if stdin.source is not None else _STDIN.get("-", ""), nl=False)
        stream = sys.stderr if stdin is not None else sys.stdout
        report = _report(diags, len(files), output_format, statistics, quiet, fixed, hidden,
                         colour=output_file is None and formats.use_colour(stream), excluded=excluded)
        if report:
            _emit(report, output_file, err=stdin is not None)
        return _status(diags, exit_zero)
    if write_baseline is not None:
        try:
            n = basemod.write(write_baseline, diags)
        except basemod.BaselineError as e:
            raise UsageFailure(f"--write-baseline: {e}") from None
        echo(f"Wrote {n} finding{'' if n == 1 else 's'} to {write_baseline}.")
        return 0
    stale = 0
    if entries is not None and baseline is not None:
        diags, stale = basemod.new_findings(diags, baseline, entries, [t[1] for t in tasks])
    if changed is not None:
        diags = review.keep_changed(diags, changed)
    out = _report(diags, len(files), output_format, statistics, quiet,
                  colour=output_file is None and formats.use_colour(sys.stdout), excluded=excluded)
    if stale and output_format in ("text", "concise", "full") and not statistics and not quiet:
        out += f" ({stale} baseline entr{'y' if stale == 1 else 'ies'} no longer found)"
    if out or output_file:
        _emit(out, output_file)
    return _status(diags, exit_zero)


def _status(diags: list, exit_zero: bool) -> int:
    """As ruff's: 1 when something at error or warning level was reported (unless ``--exit-zero``)."""
    from . import formats

    return 1 if not exit_zero and any(d.severity in formats.FAILING for d in diags) else 0


def _selection_flags(select: Optional[list[str]], ignore: Optional[list[str]],
                     keras_version: Optional[str]) -> tuple:
    """``--select`` (None where not given), ``--ignore`` and ``--keras-version`` (None where not
    given) read and checked, for ``check`` and ``server`` alike (``ConfigError``: a bad one)."""
    from . import config as cfgmod

    codes = cfgmod.known_codes()
    chosen = cfgmod.parse_selectors(select, codes, "--select") if select else None
    ignored = cfgmod.parse_selectors(ignore, codes, "--ignore") if ignore else ()
    keras = None if keras_version is None else cfgmod.parse_keras_version(keras_version, "--keras-version")
    return chosen, ignored, keras


def _add_noqa(tasks: list, fixing: bool) -> int:
    """``--add-noqa``: each file gets ``# noqa`` on its findings' lines; 0 unless a file could not
    be read or analysed (its SHP900/SHP901 printed), as ruff's ``--add-noqa``."""
    from . import formats
    from .engine import Options, add_noqa_path

    if fixing:
        raise UsageFailure("--add-noqa cannot be combined with --fix or --diff")
    if any(t[0] == "-" for t in tasks):
        raise UsageFailure("--add-noqa writes files: it cannot read stdin ('-')")
    added, left = 0, []
    for f, _shown, enabled, keras, *_ in tasks:
        problems, n = add_noqa_path(f, Options(select=set(enabled), keras_version=keras))
        added += n
        left.extend(problems)
    for d in left:
        echo(f"{formats.where(d)}: {d.code} {d.message}", err=True)
    echo(f"Added {added} noqa directive{'' if added == 1 else 's'}.")
    return 1 if any(d.severity in formats.FAILING for d in left) else 0


def _emit(report: str, output_file: Optional[str], err: bool = False, flag: str = "--output-file") -> None:
    """The report on standard output (or error), or written to ``--output-file`` (its folder made;
    ``flag``: the option that named it, for the error)."""
    if output_file is None:  # (colour codes are there only when chosen: never on a pipe unless forced)
        echo(report, err=err)
        return
    try:
        folder = os.path.dirname(os.path.abspath(output_file))
        os.makedirs(folder, exist_ok=True)
        with open(output_file, "w", encoding="utf-8") as fh:
            fh.write(report + "\n" if report else "")
    except OSError as e:
        raise UsageFailure(f"{flag}: cannot write {output_file}: {e.strerror or e}") from None


def _report(diags: list, files: int, output_format: str, statistics: bool, quiet: bool,
            fixed: Optional[int] = None, hidden: int = 0, colour: bool = False, excluded: int = 0) -> str:
    """The findings in the chosen format (with ``fixed``: what remains after ``--fix``)."""
    from . import formats

    if statistics:
        out = formats.statistics_json(diags) if output_format == "json" else formats.statistics_text(diags)
    elif output_format == "json":
        out = formats.as_json(diags)
    elif output_format == "json-lines":
        out = formats.json_lines(diags)
    elif output_format == "pylint":
        out = formats.pylint(diags)
    elif output_format == "github":
        out = formats.github(diags)
    elif output_format == "sarif":
        out = formats.sarif(diags)
    elif output_format == "gitlab":
        out = formats.gitlab(diags)
    elif output_format == "rdjson":
        out = formats.rdjson(diags)
    elif output_format == "junit":
        out = formats.junit(diags)
    elif output_format == "full":
        out = formats.full(diags, files, quiet=quiet, fixed=fixed, hidden=hidden, colour=colour, excluded=excluded)
    else:
        out = formats.text(diags, files, quiet=quiet, fixed=fixed, hidden=hidden, colour=colour, excluded=excluded)
    return out


def _print_diffs(results: list, fixed: int, hidden: int) -> int:
    """``--diff``: the diffs on stdout, one line on stderr; 1 if anything would change (as ruff)."""
    from . import formats

    text = "".join(r.diff for r in results)
    if text:
        echo(text, nl=False)
    echo(formats.would_fix_line(fixed, hidden), err=True)
    return 1 if text else 0


_STDIN: dict = {}  # "-" -> the source read from stdin (read once; --fix prints it back when unchanged)


def _check_one(task: tuple):
    from .imports import settle

    try:
        return _check_task(task)
    finally:
        settle()


def _check_task(task: tuple):
    from .engine import Options, check_path, check_source, fix_path, fix_source

    f, shown, enabled, keras, mode, unsafe = task
    opts = Options(select=set(enabled), keras_version=keras)
    if f == "-":
        source = _STDIN["-"] = sys.stdin.read()
        if mode is not None:
            return fix_source(source, shown, opts, unsafe)
        return check_source(source, shown, opts)
    if mode is not None:
        return fix_path(f, opts, unsafe=unsafe, write=mode == "fix")
    return check_path(f, opts)


def _check_recorded(task: tuple) -> tuple:
    """``_check_one``, with what the analysis read of the project (the cache entry's conditions)."""
    from .imports import recording

    with recording() as reads:
        diags = _check_one(task)
    return diags, reads.files, reads.probes


def _analyze_cached(tasks: list, jobs: Optional[int], cache: Any) -> list:
    """``_analyze`` through the result cache: the hits are read here (no analysis is imported
    when every file hits), the rest analysed and kept. A file that changed while it was being
    checked is not kept."""
    import stat

    results: list = [None] * len(tasks)
    keys: dict[int, tuple] = {}
    for i, t in enumerate(tasks):
        if t[0] == "-":
            continue
        try:
            st = os.stat(t[0])
            if not stat.S_ISREG(st.st_mode):
                continue
            with open(t[0], "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        key = cache.key(t[0], t[1], data, (tuple(sorted(t[2])), t[3]))
        hit = cache.get(key)
        if hit is not None:
            results[i] = hit
        else:
            keys[i] = (key, st.st_size, st.st_mtime_ns)
    todo = [i for i, r in enumerate(results) if r is None]
    for i, (diags, files, probes) in zip(todo, _analyze([tasks[i] for i in todo], jobs, _check_recorded)):
        results[i] = diags
        if i in keys and not any(d.code == "SHP901" and "memory" in d.message for d in diags):
            key, size, mtime = keys[i]
            try:
                st = os.stat(tasks[i][0])
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns) == (size, mtime):
                cache.put(key, diags, files, probes, tasks[i][0])
    return results


def _analyze(tasks: list, jobs: Optional[int], work: Any = None) -> list:
    """Diagnostics per task, in order; files spread over forked workers when there are enough.

    Workers are forked after the engine is imported, so they share its loaded modules (sympy,
    LibCST, the shape-rule tables) instead of importing them again."""
    work = work or _check_one
    n = min(jobs or os.cpu_count() or 1, len(tasks))
    if n <= 1 or len(tasks) < 8 or any(t[0] == "-" for t in tasks):
        return [work(t) for t in tasks]
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        return [work(t) for t in tasks]
    from concurrent.futures import ProcessPoolExecutor

    from .analysis import driver  # noqa: F401 - imported before the fork, shared by the workers

    # the largest files first, one at a time: a worker never waits on a batch that holds the one
    # slow file while the other is idle (the output keeps the given order)
    order = sorted(range(len(tasks)), key=lambda i: -_size(tasks[i][0]))
    pool = ProcessPoolExecutor(n, mp_context=mp.get_context("fork"), initializer=_worker_start)
    try:
        got = list(pool.map(work, [tasks[i] for i in order]))
        out: list = [None] * len(tasks)
        for i, r in zip(order, got):
            out[i] = r
    except BaseException:  # Ctrl-C (or a dead worker): stop the workers now, not after their files
        import threading

        # (the pool's manager thread, finding its workers gone, sets an error on futures this
        # cancels and raises InvalidStateError on CPython 3.11: printed as a traceback, never ours)
        threading.excepthook = lambda args: None
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return out


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the main process, which stops it (no traceback per worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _summary_inputs(specs: Optional[list]) -> Optional[list]:
    """``--input-shape 1,3,32,32`` (``:int`` for an integer tensor), repeated: the forward's inputs."""
    from .shapes import Shape
    from .values import Tensor

    if not specs:
        return None
    out = []
    for spec in specs:
        text, _, dtype = spec.partition(":")
        dtype = dtype.strip().lower() or "float"
        kinds = {"float": "float", "float32": "float", "int": "int", "long": "int", "int64": "int", "bool": "bool"}
        try:
            dims = tuple(int(d) for d in text.replace("(", "").replace(")", "").split(",") if d.strip())
            if not dims or any(d < 1 for d in dims) or dtype not in kinds:
                raise ValueError
        except ValueError:
            raise UsageFailure(f"--input-shape: expected sizes like 1,3,32,32 (or 1,128:int), got {spec!r}") from None
        out.append(Tensor(Shape(dims), "torch", kinds[dtype]))
    return out


def summary(ns: argparse.Namespace) -> int:
    """``shapecheck summary``: every model a file makes, its layers, output shapes, parameter counts."""
    import json

    import libcst as cst

    from . import config as cfgmod
    from . import summary as summod
    from .discover import iter_files
    from .engine import Options

    paths, model = list(ns.paths or ["."]), ns.model
    try:
        picked = [p for p in paths if "::" in p and not os.path.exists(p)]
        if picked:
            if len(paths) != 1 or model is not None:
                raise UsageFailure("FILE::NAME takes one file and no --model")
            paths[0], model = picked[0].split("::", 1)
        _require_paths(paths)
        fmt = _summary_format(ns.output_format, ns.output)
        inputs = _summary_inputs(ns.input_shape)
        if ns.depth < 0:
            raise UsageFailure(f"--depth: expected a number >= 0, got {ns.depth}")
        columns = None
        if ns.columns is not None:
            columns = [c.strip() for c in ns.columns.split(",") if c.strip()]
            bad = [c for c in columns if c not in summod.COLUMNS]
            if bad or not columns:
                raise UsageFailure(f"--columns: unknown column {', '.join(bad) or '(none)'}; expected some of "
                                   f"{', '.join(summod.COLUMNS)}")
        if model is not None:
            try:
                summod.parse_model_spec(model)
            except summod.ModelSpecError as e:
                raise UsageFailure(str(e)) from None
        try:
            cfg = cfgmod.discover(paths)
        except cfgmod.ConfigError as e:
            raise UsageFailure(str(e)) from None
    except UsageFailure as e:
        echo(f"shapecheck: error: {e}", err=True)
        return 2
    models: list = []
    special: list = []
    broken: list = []
    missing: list = []  # files without the model --model names (an error where no file has it)
    graph = fmt in ("dot", "mermaid")
    for f in iter_files(paths, _excluder(cfg, ns.exclude), skipped=special):
        try:
            with open(f, encoding="utf-8") as fh:
                source = fh.read()
            errors: list = []
            # a graph marks the findings ``check`` would report for the file (its config's selection)
            opts = Options(select=set(cfgmod.enabled_for(cfg, f, None)), keras_version=cfg.keras_version) \
                if graph else None
            models.extend(summod.summarize_source(source, f, inputs=inputs, model=model, errors=errors, check=opts))
            for name, why in errors:
                echo(f"shapecheck: note: {f}: {name} not summarized ({type(why).__name__}: {str(why)[:200]})",
                     err=True)
        except cst.ParserSyntaxError:
            broken.append(_syntax_error_line(source, f))
        except summod.ModelSpecError as e:
            missing.append(f"{f}: {str(e).removeprefix('--model: ')}")
        except Exception as e:  # noqa: BLE001 - one unreadable file is noted, the others still summarized
            echo(f"shapecheck: note: {f}: not summarized ({type(e).__name__}: {str(e)[:200]})", err=True)
    for path, kind in special:
        echo(f"shapecheck: note: skipped {path}: {kind}, not a file to read", err=True)
    if missing and not models and not broken:
        echo(f"shapecheck: error: {missing[0]}", err=True)
        return 2
    try:
        if graph:
            from . import graph as graphmod

            for line in broken:
                echo(line, err=True)
            pictures = [graphmod.build(m, ns.depth) for m in models]
            text = graphmod.to_dot(pictures) if fmt == "dot" else graphmod.to_mermaid(pictures)
            _write_graph(text, fmt, ns.output)
        elif fmt == "json":
            for line in broken:
                echo(line, err=True)
            report = json.dumps(summod.to_json(models, weights=ns.weights, depth=ns.depth), indent=2,
                                ensure_ascii=False)
            _emit(report, ns.output, flag="--output")
        else:
            ascii_only = ns.ascii or not _can_draw(sys.stdout if ns.output is None else None)
            text = summod.render_text(models, weights=ns.weights, depth=ns.depth, columns=columns,
                                      ascii_only=ascii_only, expand_nested=ns.expand_nested)
            _emit("\n".join(broken + ([text] if models or not broken else [])), ns.output, flag="--output")
    except UsageFailure as e:
        echo(f"shapecheck: error: {e}", err=True)
        return 2
    return 1 if broken else 0


def _syntax_error_line(source: str, path: str) -> str:
    """``path:line:col: SHP900 cannot parse this file: ...``, as ``check`` prints it."""
    from . import formats
    from .engine import analyse_source

    diags = [d for d in analyse_source(source, path).diagnostics if d.code == "SHP900"]
    return formats.text(diags[:1], 1, quiet=True) if diags else f"{path}:1:1: SHP900 cannot parse this file"


def _can_draw(stream: Any) -> bool:
    """Whether the stream's encoding has torchinfo's tree characters (a cp1252 console has not)."""
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        "├─│└".encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def rule(ns: argparse.Namespace) -> int:
    """``shapecheck rule CODE``: what it does, why it is a bug, an example."""
    from .rule import all_rules, rule_by_code

    code = ns.code
    wanted = code.strip().upper()
    r = rule_by_code(wanted)
    if r is not None:
        echo(f"# {r.CODE} {r.NAME} ({r.SEVERITY})\n\n{r.doc()}")
        return 0
    prefix = "SHP" if wanted == "ALL" else wanted
    matching = [r for r in all_rules() if r.CODE.startswith(prefix)] if prefix.startswith("SHP") else []
    if not matching:
        echo(f"shapecheck: error: unknown rule {code!r} (see `shapecheck rule all`)", err=True)
        return 2
    for r in matching:
        echo(f"{r.CODE}  {r.NAME:<22} {r.SEVERITY:<8} {r.summary()}")
    return 0


def server(ns: argparse.Namespace) -> int:
    """``shapecheck server``: the language server over stdio (docs/editors.md)."""
    from . import config as cfgmod

    try:
        from .server import Settings, serve
    except ImportError as e:  # pygls missing from a hand-made environment
        echo(f"shapecheck: error: the server needs pygls and lsprotocol ({e})", err=True)
        return 2
    config = ns.config
    try:
        chosen, ignored, keras = _selection_flags(ns.select, ns.ignore, ns.keras_version)
        settings = Settings(select=None if chosen is None else list(chosen), ignore=list(ignored),
                            keras_version=keras, config_path=config, isolated=ns.isolated)
        if config is not None:
            if not os.path.isfile(config):
                raise cfgmod.ConfigError(f"--config: no such file: {config}")
            cfgmod.load(config)
    except cfgmod.ConfigError as e:
        echo(f"shapecheck: error: {e}", err=True)
        return 2
    serve(settings)
    return 0


def _unknown_option(name: str, parser: argparse.ArgumentParser) -> Optional[str]:
    """``no such option --sel (did you mean --select?)``: the one nearest real flag (a flag the
    name begins, else the closest spelling), never a list that names ``--help`` for anything."""
    import difflib

    flags = sorted({o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"})
    if not name.startswith("-") or not flags:
        return None
    starts = [f for f in flags if f.startswith(name.split("=", 1)[0])]
    near = starts if len(starts) == 1 else difflib.get_close_matches(name, flags, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"no such option {name}{hint}"


_RUN = {"check": check, "summary": summary, "rule": rule, "server": server}


def _parse(argv: list[str]) -> argparse.Namespace:
    """The command line read; ``UsageFailure`` for what is not one (SystemExit for --help/--version)."""
    top = build_parser()
    if not argv:  # bare `shapecheck`: the help, exit 2, as ruff
        top.print_help(sys.stderr)
        raise SystemExit(2)
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in COMMANDS and not any(a in ("--help", "-h", "--version") for a in argv):
        raise UsageFailure(f"No such command '{first}' (see `shapecheck --help`)")
    ns, extra = top.parse_known_args(argv)
    if ns.command is None:
        top.print_help(sys.stderr)
        raise SystemExit(2)
    if extra:
        sub = next(a.choices[ns.command] for a in top._actions if isinstance(a, argparse._SubParsersAction))
        unknown = next((e for e in extra if e.startswith("-")), None)
        msg = (_unknown_option(unknown, sub) if unknown is not None else None) or \
            f"unexpected arguments: {' '.join(extra)}"
        raise UsageFailure(f"{msg} (see `shapecheck {ns.command} --help`)")
    return ns


def run(argv: Optional[list[str]] = None) -> int:
    """The program: returns the exit status; never lets a traceback out."""
    try:
        ns = _parse(list(sys.argv[1:] if argv is None else argv))
        return _RUN[ns.command](ns)
    except SystemExit as e:  # --help, --version
        return e.code if isinstance(e.code, int) else 0
    except UsageFailure as e:
        echo(f"shapecheck: error: {e}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - internal errors end in one line, never a traceback
        echo(f"shapecheck: error: internal error: {type(e).__name__}: {e}"[:500], err=True)
        return 2


def main() -> None:
    sys.exit(run())
