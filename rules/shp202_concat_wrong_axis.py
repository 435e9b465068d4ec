"""SHP202 concat-wrong-axis."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatWrongAxis(Rule):
    """## What it does
    Checks joins that would work along another axis.

    ## Why is this bad?
    Forgetting `dim=1` joins along axis 0, where the feature sizes differ; the message names the
    axis that works.

    ## Example
    ```python
    import torch
    a = torch.randn(32, 7)
    b = torch.randn(32, 16)
    c = torch.cat((a, b))  # SHP202
    ```
    """

    CODE = "SHP202"
    NAME = "concat-wrong-axis"
    SEVERITY = "error"
    VALID = ['import torch\na = torch.randn(32, 7)\nb = torch.randn(32, 16)\nc = torch.cat((a, b), dim=1)\n']
    INVALID = ['import torch\na = torch.randn(32, 7)\nb = torch.randn(32, 16)\nc = torch.cat((a, b))  # E: SHP202\n']
