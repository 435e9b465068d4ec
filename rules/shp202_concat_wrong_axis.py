"""SHP202 concat-wrong-axis."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatWrongAxis(Rule):
    """## What it does
    Checks joins that fail along the axis given but would work along another one.

    Checks joins (`torch.cat`, `np.concatenate`, ...) that fail along the axis given -- often the
    default axis 0 -- but would work along another one; the message names it ("did you mean
    dim=1?").

    ## Why is this bad?
    Forgetting `dim=1` (or `axis=-1`) joins along the batch axis, where the feature sizes
    differ, and raises at run time. Where the feature sizes happen to be equal it silently
    stacks the features as extra samples instead.

    ## Example
    ```python
    import torch

    a = torch.randn(32, 7)
    b = torch.randn(32, 16)
    c = torch.cat((a, b))  # SHP202: did you mean dim=1?
    ```

    Use instead:
    ```python
    c = torch.cat((a, b), dim=1)  # (32, 23)
    ```
    """

    CODE = "SHP202"
    NAME = "concat-wrong-axis"
    SEVERITY = "error"
    SUPERSEDES = ("concat-mismatch",)
    VALID = [
        """\
import torch
a = torch.randn(32, 7)
b = torch.randn(32, 16)
c = torch.cat((a, b), dim=1)
d = torch.cat([a, a])
""",
        """\
import numpy as np
x = np.zeros((4, 3))
y = np.zeros((4, 5))
z = np.concatenate([x, y], axis=-1)
""",
    ]
    INVALID = [
        """\
import torch
a = torch.randn(32, 7)
b = torch.randn(32, 16)
c = torch.cat((a, b))  # E: SHP202 "dim=1"
""",
        """\
import numpy as np
x = np.zeros((4, 3))
y = np.zeros((4, 5))
z = np.concatenate([x, y])  # E: SHP202
""",
    ]
