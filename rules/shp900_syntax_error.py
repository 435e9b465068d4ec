"""SHP900 syntax-error."""
from __future__ import annotations

from shapecheck.rule import Rule


class SyntaxError(Rule):
    """## What it does
    Reports files that cannot be parsed.

    ## Why is this bad?
    A file that does not parse cannot be checked; it is reported rather than skipped silently.

    ## Example
    ```python
    x = (  # SHP900
    ```
    """

    CODE = "SHP900"
    NAME = "syntax-error"
    SEVERITY = "error"
    VALID = ['x = 1\n']
    INVALID = ['x = (  # E: SHP900\n']
