"""SHP901 analysis-skipped."""
from __future__ import annotations

from shapecheck.rule import Rule


class AnalysisSkipped(Rule):
    """## What it does
    Reports a function or file that was not fully analyzed.

    ## Why is this bad?
    An internal error or an exhausted budget in one function is contained there: the rest of the
    file is still checked, and this note says what was skipped.
    """

    CODE = "SHP901"
    NAME = "analysis-skipped"
    SEVERITY = "info"
    VALID = []
    INVALID = []
