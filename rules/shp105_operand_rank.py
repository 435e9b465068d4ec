"""SHP105 operand-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class OperandRank(Rule):
    """## What it does
    Checks that each operand of a product has a rank the product accepts.

    ## Why is this bad?
    `mm` takes 2-D tensors, `bmm` 3-D, `mv` a matrix and a vector, `torch.dot` two vectors: any
    other rank raises.

    ## Example
    ```python
    import torch
    A = torch.randn(5, 3)
    B = torch.randn(3, 2)
    y = torch.mv(A, B)  # SHP105
    ```
    """

    CODE = "SHP105"
    NAME = "operand-rank"
    SEVERITY = "error"
    VALID = ['import torch\nA = torch.randn(5, 3)\nv = torch.randn(3)\ny = torch.mv(A, v)\n']
    INVALID = ['import torch\nA = torch.randn(5, 3)\nB = torch.randn(3, 2)\ny = torch.mv(A, B)  # E: SHP105\n']
