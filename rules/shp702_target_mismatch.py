"""SHP702 target-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class TargetMismatch(Rule):
    """## What it does
    Checks targets given to `fit`/`evaluate` against the model's output under its loss.

    ## Why is this bad?
    Targets that do not fit the output raise, or silently broadcast into a wrong loss.
    """

    CODE = "SHP702"
    NAME = "target-mismatch"
    SEVERITY = "error"
    VALID = []
    INVALID = []
