"""SHP901 analysis-skipped."""
from __future__ import annotations

from shapecheck.rule import Rule


class AnalysisSkipped(Rule):
    """## What it does
    Reports a function or file that was not fully analyzed (information only).

    In detail: a budget ran out (the steps of a function or of the file, the process's memory,
    the clock), an expression nests too deep to parse in bounded time, the file is too large to
    analyze whole (it is then checked in parts, and the parts left out are named), or the analyzer
    hit an internal error. The message says what was skipped and why. It never fails a run
    (severity info).

    ## Why is this bad?
    It is not a bug in the checked code. It is reported so that a clean run is not mistaken
    for a checked one: shape bugs in the skipped function would not have been found. Failure
    is contained -- one function is skipped, the rest of the file is still checked.

    ## Example
    ```python
    def generated(x):
        # thousands of machine-generated statements exhaust the step budget
        ...  # SHP901: function generated not fully analyzed: step budget exhausted
    ```

    Use instead: nothing to change in the code; split very large generated functions if their
    shapes matter, and report internal errors to the shapecheck maintainers.
    """

    CODE = "SHP901"
    NAME = "analysis-skipped"
    SEVERITY = "info"
    # An ordinary file is analyzed in full. There is no INVALID example: the budget is too large
    # for a snippet to exhaust, and an internal error is a bug that gets fixed.
    VALID = [
        """\
import torch
def f(x):
    for _ in range(3):
        x = torch.relu(x)
    return x
y = f(torch.randn(2, 3))
""",
    ]
    INVALID = []
