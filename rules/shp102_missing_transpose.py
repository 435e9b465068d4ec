"""SHP102 missing-transpose."""
from __future__ import annotations

from shapecheck.rule import Rule


class MissingTranspose(Rule):
    """## What it does
    Checks matrix products that would fit if one operand were transposed or the two swapped.

    ## Why is this bad?
    Keras stores a Dense kernel as `(in, out)`, torch stores `nn.Linear.weight` as `(out, in)`,
    textbooks write `W x`: mixing the conventions gives a product whose inner sizes differ but
    would match after `W.T`.

    ## Example
    ```python
    import torch
    x = torch.randn(64, 20)
    w = torch.randn(10, 20)
    y = x @ w  # SHP102
    ```
    """

    CODE = "SHP102"
    NAME = "missing-transpose"
    SEVERITY = "error"
    VALID = ['import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w.T\n']
    INVALID = ['import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w  # E: SHP102\n']
