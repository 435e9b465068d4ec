"""SHP401 reshape-size."""
from __future__ import annotations

from shapecheck.rule import Rule


class ReshapeSize(Rule):
    """## What it does
    Checks that a reshape keeps the number of elements.

    ## Why is this bad?
    `view`/`reshape` to a shape with another element count raises; so do two `-1`s or a `-1` that
    cannot divide.

    ## Example
    ```python
    import torch
    x = torch.randn(32, 10)
    y = x.view(32, 10, 10)  # SHP401
    ```
    """

    CODE = "SHP401"
    NAME = "reshape-size"
    SEVERITY = "error"
    VALID = ['import torch\nx = torch.randn(32, 10)\ny = x.view(32, 5, 2)\n']
    INVALID = ['import torch\nx = torch.randn(32, 10)\ny = x.view(32, 10, 10)  # E: SHP401\n']
