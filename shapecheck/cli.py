"""The command line: ``shapecheck check PATH...``, ``shapecheck rule CODE``.

Exit status as ruff's: 0 nothing at error/warning level reported, 1 findings, 2 usage,
configuration or internal error (one line on stderr, never a traceback).
"""
from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Any, Optional

import typer

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code.")


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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shapecheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code."""


@app.command()
def check(
    paths: Optional[list[str]] = typer.Argument(
        None, help="Files or folders to check (folders are walked; default: the current folder; '-' reads stdin)."),
    output_format: OutputFormat = typer.Option(
        OutputFormat.text, "--output-format",
        help="How to print findings: text (or concise), full (with the source line), json, json-lines, pylint, "
             "github (Actions annotations), sarif (code scanning), gitlab (Code Quality), rdjson (reviewdog) "
             "or junit (JUnit XML)."),
    output_file: Optional[str] = typer.Option(
        None, "--output-file", "-o", help="Write the report to this file instead of standard output."),
    select: Optional[list[str]] = typer.Option(
        None, "--select", help="Only these codes or prefixes, comma-separated (SHP1,SHP301); replaces the config's."),
    ignore: Optional[list[str]] = typer.Option(
        None, "--ignore", help="Skip these codes or prefixes, comma-separated; added to the config's."),
    exclude: Optional[list[str]] = typer.Option(
        None, "--exclude", help="Globs of files or folders to skip; added to the config's."),
    config: Optional[str] = typer.Option(
        None, "--config", help="Read this pyproject.toml or shapecheck.toml instead of searching for one."),
    isolated: bool = typer.Option(False, "--isolated", help="Read no configuration file."),
    force_exclude: bool = typer.Option(
        False, "--force-exclude", help="Apply the exclude globs to files named on the command line too."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings are reported."),
    statistics: bool = typer.Option(False, "--statistics",
                                    help="Print how many findings of each code, not the findings."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the findings only, no summary line."),
    stdin_filename: Optional[str] = typer.Option(
        None, "--stdin-filename", help="The name to report for source read from stdin ('-')."),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, help="Files analyzed in parallel (default: one per CPU core)."),
    keras_version: Optional[str] = typer.Option(
        None, "--keras-version",
        help="The Keras the code runs on: 3 drops findings that fail under Keras 2 only, 2 makes them errors; "
             "default: both, and those findings are warnings that say so. Replaces the config's."),
    fix: bool = typer.Option(
        False, "--fix",
        help="Apply the safe fixes in place (notebooks: the cells' source), check again, then report what "
             "remains; with '-' print the fixed source to stdout and the report to stderr."),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes",
        help="With --fix or --diff, apply the unsafe fixes too (those only usually right, see docs/fixes.md)."),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="REV",
        help="Report only findings on lines added or changed since this git revision (and in files new since "
             "it); whole files are still analysed. For review bots: --since origin/main."),
    baseline: Optional[str] = typer.Option(
        None, "--baseline", metavar="FILE",
        help="Report only findings not recorded in this baseline (matched by path, code, message and the "
             "line's text, not its number); stale entries are counted."),
    write_baseline: Optional[str] = typer.Option(
        None, "--write-baseline", metavar="FILE", help="Record today's findings in FILE and exit 0."),
    add_noqa: bool = typer.Option(
        False, "--add-noqa",
        help="Write '# noqa: CODE' on every line with a finding (merged into a noqa comment already there), "
             "to adopt shapecheck on existing code; prints how many were added."),
    diff: bool = typer.Option(
        False, "--diff",
        help="Print a unified diff of what --fix would change (per cell for notebooks) and write nothing; "
             "exit 1 if there would be changes, 0 otherwise."),
    cache_dir: Optional[str] = typer.Option(
        None, "--cache-dir", metavar="DIR",
        help="Keep results here between runs (default: .shapecheck_cache beside the config file, else in the "
             "current folder; $SHAPECHECK_CACHE_DIR or the config's cache-dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read and write no cached results."),
) -> None:
    """Check files for shape bugs; prints path:line:col: CODE message, then a count (--fix mends what it can first)."""
    try:
        code = run_check(paths or ["."], output_format=output_format.value, select=select, ignore=ignore,
                         exclude=exclude, config_path=config, isolated=isolated, force_exclude=force_exclude,
                         exit_zero=exit_zero, statistics=statistics, quiet=quiet, stdin_filename=stdin_filename,
                         jobs=jobs, keras_version=keras_version, fix=fix, unsafe_fixes=unsafe_fixes, diff=diff,
                         output_file=output_file, add_noqa=add_noqa, since=since, baseline=baseline,
                         write_baseline=write_baseline, cache_dir=cache_dir, no_cache=no_cache)
    except UsageFailure as e:
        typer.echo(f"shapecheck: error: {e}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


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
            typer.echo(f"shapecheck: warning: no Python files found under {p}", err=True)
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
    files = list(iter_files(paths, _excluder(cfg, exclude), force_exclude=force_exclude, stats=walk))
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
            typer.echo(stdin.source if stdin.source is not None else _STDIN.get("-", ""), nl=False)
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
        typer.echo(f"Wrote {n} finding{'' if n == 1 else 's'} to {write_baseline}.")
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
        typer.echo(f"{formats.where(d)}: {d.code} {d.message}", err=True)
    typer.echo(f"Added {added} noqa directive{'' if added == 1 else 's'}.")
    return 1 if any(d.severity in formats.FAILING for d in left) else 0


def _emit(report: str, output_file: Optional[str], err: bool = False) -> None:
    """The report on standard output (or error), or written to ``--output-file`` (its folder made)."""
    if output_file is None:  # (click strips colour codes off a pipe: they are there only when chosen)
        typer.echo(report, err=err, color=True if "\x1b[" in report else None)
        return
    try:
        folder = os.path.dirname(os.path.abspath(output_file))
        os.makedirs(folder, exist_ok=True)
        with open(output_file, "w", encoding="utf-8") as fh:
            fh.write(report + "\n" if report else "")
    except OSError as e:
        raise UsageFailure(f"--output-file: cannot write {output_file}: {e.strerror or e}") from None


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
        typer.echo(text, nl=False)
    typer.echo(formats.would_fix_line(fixed, hidden), err=True)
    return 1 if text else 0


_STDIN: dict = {}  # "-" -> the source read from stdin (read once; --fix prints it back when unchanged)


def _check_one(task: tuple):
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
    import multiprocessing as mp

    work = work or _check_one
    n = min(jobs or os.cpu_count() or 1, len(tasks))
    if n <= 1 or len(tasks) < 8 or any(t[0] == "-" for t in tasks) or "fork" not in mp.get_all_start_methods():
        return [work(t) for t in tasks]
    from concurrent.futures import ProcessPoolExecutor

    from .analysis import driver  # noqa: F401 - imported before the fork, shared by the workers

    with ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(work, tasks, chunksize=max(1, len(tasks) // (n * 4))))


class SummaryFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def summary(
    paths: Optional[list[str]] = typer.Argument(None, help="Files or folders (default: the current folder)."),
    output_format: SummaryFormat = typer.Option(SummaryFormat.text, "--output-format",
                                                help="text (as model.summary()) or json."),
    weights: bool = typer.Option(False, "--weights", help="List each layer's weights and their shapes too."),
    input_shape: Optional[str] = typer.Option(
        None, "--input-shape", "--input",
        help="A shape to feed torch models' forward, e.g. 1,3,32,32 (output shapes)."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="Globs of files or folders to skip."),
) -> None:
    """Print every model a file defines: layers, output shapes, parameter counts (a static model.summary())."""
    import json

    from . import config as cfgmod
    from . import summary as summod
    from .discover import iter_files

    paths = paths or ["."]
    try:
        _require_paths(paths)
        shape = None
        if input_shape is not None:
            try:
                shape = tuple(int(d) for d in input_shape.replace("(", "").replace(")", "").split(",") if d.strip())
            except ValueError:
                raise UsageFailure(f"--input-shape: expected sizes like 1,3,32,32, got {input_shape!r}") from None
        try:
            cfg = cfgmod.discover(paths)
        except cfgmod.ConfigError as e:
            raise UsageFailure(str(e)) from None
    except UsageFailure as e:
        typer.echo(f"shapecheck: error: {e}", err=True)
        raise typer.Exit(2) from None
    models: list = []
    for f in iter_files(paths, _excluder(cfg, exclude)):
        try:
            with open(f, encoding="utf-8") as fh:
                source = fh.read()
            models.extend(summod.summarize_source(source, f, shape))
        except Exception as e:  # noqa: BLE001 - one unreadable file is noted, the others still summarized
            typer.echo(f"shapecheck: note: {f}: not summarized ({type(e).__name__}: {str(e)[:200]})", err=True)
    if output_format is SummaryFormat.json:
        typer.echo(json.dumps(summod.to_json(models, weights=weights), indent=2, ensure_ascii=False))
    else:
        typer.echo(summod.render_text(models, weights=weights))


@app.command()
def rule(code: str = typer.Argument(
        ..., help="A rule code (SHP102), a prefix (SHP1), or 'all' to list every rule.")) -> None:
    """Explain a rule: what it does, why it is a bug, an example."""
    from .rule import all_rules, rule_by_code

    wanted = code.strip().upper()
    r = rule_by_code(wanted)
    if r is not None:
        typer.echo(f"# {r.CODE} {r.NAME} ({r.SEVERITY})\n\n{r.doc()}")
        return
    prefix = "SHP" if wanted == "ALL" else wanted
    matching = [r for r in all_rules() if r.CODE.startswith(prefix)] if prefix.startswith("SHP") else []
    if not matching:
        typer.echo(f"shapecheck: error: unknown rule {code!r} (see `shapecheck rule all`)", err=True)
        raise typer.Exit(2)
    for r in matching:
        typer.echo(f"{r.CODE}  {r.NAME:<22} {r.SEVERITY:<8} {r.summary()}")


@app.command()
def server(
    select: Optional[list[str]] = typer.Option(
        None, "--select", help="Only these codes or prefixes, comma-separated; replaces the configuration's."),
    ignore: Optional[list[str]] = typer.Option(
        None, "--ignore", help="Skip these codes or prefixes, comma-separated; added to the configuration's."),
    keras_version: Optional[str] = typer.Option(
        None, "--keras-version", help="The Keras the code runs on (2 or 3); replaces the configuration's."),
    config: Optional[str] = typer.Option(
        None, "--config", help="Read this pyproject.toml or shapecheck.toml for every document."),
    isolated: bool = typer.Option(False, "--isolated", help="Read no configuration file."),
) -> None:
    """Run the language server (LSP over stdio) for editors: diagnostics, hover, code actions.

    Settings from the editor (initializationOptions or workspace/didChangeConfiguration): select,
    ignore, keras-version, inlayHints, debounce (ms), ruleDocsUrl. See docs/editors.md."""
    from . import config as cfgmod

    try:
        from .server import Settings, serve
    except ImportError as e:  # pygls missing from a hand-made environment
        typer.echo(f"shapecheck: error: the server needs pygls and lsprotocol ({e})", err=True)
        raise typer.Exit(2) from None
    try:
        chosen, ignored, keras = _selection_flags(select, ignore, keras_version)
        settings = Settings(select=None if chosen is None else list(chosen), ignore=list(ignored),
                            keras_version=keras, config_path=config, isolated=isolated)
        if config is not None:
            if not os.path.isfile(config):
                raise cfgmod.ConfigError(f"--config: no such file: {config}")
            cfgmod.load(config)
    except cfgmod.ConfigError as e:
        typer.echo(f"shapecheck: error: {e}", err=True)
        raise typer.Exit(2) from None
    serve(settings)


def _unknown_option(name: str, command: Any) -> Optional[str]:
    """``no such option --sel (did you mean --select?)``: the one nearest real flag (a flag the
    name begins, else the closest spelling), never a list that names ``--help`` for anything."""
    import difflib

    flags = sorted({o for p in getattr(command, "params", ()) for o in getattr(p, "opts", ()) + getattr(
        p, "secondary_opts", ()) if o.startswith("--")})
    if not name.startswith("-") or not flags:
        return None
    starts = [f for f in flags if f.startswith(name)]
    near = starts if len(starts) == 1 else difflib.get_close_matches(name, flags, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"no such option {name}{hint}"


_METAVARS = {"select": "CODES", "ignore": "CODES", "exclude": "GLOB", "config": "FILE", "output_file": "FILE",
             "stdin_filename": "NAME", "jobs": "N", "keras_version": "2|3", "paths": "PATHS", "code": "CODE",
             "model": "NAME", "input_shape": "SHAPE"}


def _plain_metavars(command: Any) -> None:
    """Help as ruff and click print it: ``--select CODES``, a flag with no value shown, instead of
    typer's type labels (``<list[str]>``, ``<bool>``); a choice keeps its list of values."""
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)
    for p in getattr(command, "params", ()):
        desc = getattr(p, "type_descriptor", None)
        if p.metavar is not None or getattr(desc, "is_choice", False):
            continue
        p.metavar = "" if getattr(p, "is_flag", False) else _METAVARS.get(p.name or "", (p.name or "value").upper())
        if getattr(p, "param_type_name", "") == "argument":  # (typer shows an argument's type beside its name)
            p.display_type_rich = lambda ctx: None
    made = command.get_help_option

    def help_option(ctx: Any) -> Any:
        opt = made(ctx)
        if opt is not None and opt.metavar is None:
            opt.metavar = ""
        return opt

    command.get_help_option = help_option


def run(argv: Optional[list[str]] = None) -> int:
    """The program: returns the exit status; never lets a traceback out."""
    command = typer.main.get_command(app)
    try:
        _plain_metavars(command)
    except Exception:  # noqa: BLE001 - help cosmetics never stop the program
        pass
    try:
        rv = command.main(args=argv, prog_name="shapecheck", standalone_mode=False)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - usage errors and internal errors alike end in one line
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):  # click's (or typer's vendored) errors
            if type(e).__name__ == "NoArgsIsHelpError":  # bare `shapecheck`: the help, exit 2 as ruff
                if e.format_message().strip():  # (typer with rich has printed it already)
                    typer.echo(e.format_message(), err=True)
                return 2
            msg = " ".join(str(e.format_message()).split())
            ctx = getattr(e, "ctx", None)
            if type(e).__name__ == "NoSuchOption" and ctx is not None:
                msg = _unknown_option(str(getattr(e, "option_name", "")), ctx.command) or msg
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            typer.echo(f"shapecheck: error: {msg}{hint}", err=True)
            return int(e.exit_code)
        typer.echo(f"shapecheck: error: internal error: {type(e).__name__}: {e}"[:500], err=True)
        return 2
    return rv if isinstance(rv, int) else 0


def main() -> None:
    sys.exit(run())
