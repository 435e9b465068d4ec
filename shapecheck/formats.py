"""Output formats: text (ruff-like), json (the RULES.md contract), github annotations, sarif."""
from __future__ import annotations

import json
from typing import Iterable


def text(diags: list, files: int) -> str:
    lines = [f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in diags]
    shown = [d for d in diags if d.severity in ("error", "warning")]
    if shown:
        lines.append(f"Found {len(shown)} error{'s' if len(shown) != 1 else ''} in {files} file{'s' if files != 1 else ''} checked.")
    else:
        lines.append(f"All checks passed! ({files} file{'s' if files != 1 else ''} checked)")
    return "\n".join(lines)


def as_json(diags: Iterable) -> str:
    return json.dumps([d.to_json() for d in diags], indent=2)


def github(diags: Iterable) -> str:
    out = []
    for d in diags:
        level = {"error": "error", "warning": "warning"}.get(d.severity, "notice")
        msg = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::{level} title=shapecheck ({d.code}),file={d.path},line={d.line},col={d.column},"
                   f"endLine={d.end_line},endColumn={d.end_column}::{d.code} {msg}")
    return "\n".join(out)
