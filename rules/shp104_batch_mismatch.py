"""SHP104 batch-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class BatchMismatch(Rule):
    """## What it does
    Checks that the batch dims of batched products are equal or broadcast.

    ## Why is this bad?
    `bmm` needs equal batch sizes and `matmul` broadcastable ones; otherwise the product raises.

    ## Example
    ```python
    import torch
    a = torch.randn(8, 12, 12)
    v = torch.randn(4, 12, 64)
    c = torch.bmm(a, v)  # SHP104
    ```
    """

    CODE = "SHP104"
    NAME = "batch-mismatch"
    SEVERITY = "error"
    VALID = ['import torch\na = torch.randn(8, 12, 12)\nv = torch.randn(8, 12, 64)\nc = torch.bmm(a, v)\n']
    INVALID = ['import torch\na = torch.randn(8, 12, 12)\nv = torch.randn(4, 12, 64)\nc = torch.bmm(a, v)  # E: SHP104\n']
