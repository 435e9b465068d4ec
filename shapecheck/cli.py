"""The command line: ``shapecheck check PATH...``, ``shapecheck rule CODE``."""
from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

import typer

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code.")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shapecheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code."""


def _codes(values: Optional[List[str]]) -> Optional[set]:
    if not values:
        return None
    out = set()
    for v in values:
        for c in v.split(","):
            c = c.strip().upper()
            if not c:
                continue
            if not c.startswith("SHP"):
                typer.echo(f"shapecheck: error: unknown rule selector {c!r} (codes look like SHP101 or SHP1)", err=True)
                raise typer.Exit(2)
            out.add(c)
    return out


@app.command()
def check(
    paths: List[str] = typer.Argument(..., help="Files or folders to check (folders are walked)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--output-format", help="How to print findings."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings are reported."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these codes or prefixes (SHP1,SHP301)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these codes or prefixes."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="Glob patterns of paths to skip."),
) -> None:
    """Check files for shape bugs; prints path:line:col: CODE message."""
    import os

    from .discover import iter_files
    from .engine import Options, check_path
    from . import formats

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        typer.echo(f"shapecheck: error: no such file or directory: {missing[0]}", err=True)
        raise typer.Exit(2)
    opts = Options(select=_codes(select), ignore=_codes(ignore) or set())
    files = list(iter_files(paths, tuple(exclude or ())))
    diags = []
    for f in files:
        diags.extend(check_path(f, opts))
    if output_format is OutputFormat.json:
        typer.echo(formats.as_json(diags))
    elif output_format is OutputFormat.github:
        out = formats.github(diags)
        if out:
            typer.echo(out)
    else:
        typer.echo(formats.text(diags, len(files)))
    failing = any(d.severity in ("error", "warning") for d in diags)
    raise typer.Exit(1 if failing and not exit_zero else 0)


@app.command()
def rule(code: str = typer.Argument(..., help="A rule code, e.g. SHP102; 'all' lists every rule.")) -> None:
    """Explain a rule: what it does, why it is a bug, an example."""
    from .rule import all_rules, rule_by_code

    if code.lower() == "all":
        for r in all_rules():
            typer.echo(f"{r.CODE}  {r.NAME:<22} {r.SEVERITY}")
        return
    r = rule_by_code(code)
    if r is None:
        typer.echo(f"shapecheck: error: unknown rule {code!r}", err=True)
        raise typer.Exit(2)
    typer.echo(f"# {r.NAME} ({r.CODE}, {r.SEVERITY})\n\n{r.doc()}")


def main() -> None:
    try:
        app(prog_name="shapecheck")
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
