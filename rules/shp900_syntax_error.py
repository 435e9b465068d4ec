"""SHP900 syntax-error."""
from __future__ import annotations

from shapecheck.rule import Rule


class SyntaxError(Rule):
    """## What it does
    Reports a file that cannot be parsed.

    Reports a file that cannot be parsed (or read as UTF-8), as a finding on the line where parsing
    failed, instead of crashing or skipping the file.

    ## Why is this bad?
    A file that does not parse cannot be checked at all: none of its shape bugs would be
    reported. Saying so keeps a clean run from meaning "nothing was looked at". (Python would
    refuse to run the file too.)

    ## Example
    ```python
    x = (  # SHP900: the parenthesis is never closed
    ```

    Use instead:
    ```python
    x = ()
    ```
    """

    CODE = "SHP900"
    NAME = "syntax-error"
    SEVERITY = "error"
    VALID = [
        'x = 1\n',
        'x = (\n    1,\n)\n',
    ]
    INVALID = [
        'x = (  # E: SHP900\n',
        'x = 1\n    y = 2  # E: SHP900\n',
    ]
