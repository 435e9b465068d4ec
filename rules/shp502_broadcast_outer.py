"""SHP502 broadcast-outer."""
from __future__ import annotations

from shapecheck.rule import Rule


class BroadcastOuter(Rule):
    """## What it does
    Checks for a column `(n, 1)` against a row that silently broadcasts to an `(n, m)` matrix.

    ## Why is this bad?
    The program runs and returns a matrix where a dot product was most likely meant.

    ## Example
    ```python
    import torch
    f = torch.randn(1, 5)
    w = torch.randn(1, 5)
    y = f.t() * w  # SHP502
    ```
    """

    CODE = "SHP502"
    NAME = "broadcast-outer"
    SEVERITY = "warning"
    VALID = ['import torch\nf = torch.randn(1, 5)\nw = torch.randn(1, 5)\ny = f * w\n']
    INVALID = ['import torch\nf = torch.randn(1, 5)\nw = torch.randn(1, 5)\ny = f.t() * w  # E: SHP502\n']
