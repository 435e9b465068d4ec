"""SHP701 input-data-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class InputDataMismatch(Rule):
    """## What it does
    Checks arrays fed to a model against the model's input shape.

    ## Why is this bad?
    Data of the wrong rank or feature size raises at `fit`/`predict` time.
    """

    CODE = "SHP701"
    NAME = "input-data-mismatch"
    SEVERITY = "error"
    VALID = []
    INVALID = []
