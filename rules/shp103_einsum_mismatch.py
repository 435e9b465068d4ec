"""SHP103 einsum-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class EinsumMismatch(Rule):
    """## What it does
    Checks `einsum` and `tensordot` operands against their subscripts and axes.

    ## Why is this bad?
    A subscript letter bound to two different sizes, an operand whose rank differs from its
    subscripts, or `tensordot` axes of different sizes raise at run time.

    ## Example
    ```python
    import torch
    x = torch.randn(2, 4)
    w = torch.randn(5, 6, 4)
    y = torch.einsum('ab,cbe->ace', x, w)  # SHP103
    ```
    """

    CODE = "SHP103"
    NAME = "einsum-mismatch"
    SEVERITY = "error"
    VALID = ["import torch\nx = torch.randn(2, 4)\nw = torch.randn(5, 4, 6)\ny = torch.einsum('ab,cbe->ace', x, w)\n"]
    INVALID = ["import torch\nx = torch.randn(2, 4)\nw = torch.randn(5, 6, 4)\ny = torch.einsum('ab,cbe->ace', x, w)  # E: SHP103\n"]
