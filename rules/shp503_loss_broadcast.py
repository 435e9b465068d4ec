"""SHP503 loss-broadcast."""
from __future__ import annotations

from shapecheck.rule import Rule


class LossBroadcast(Rule):
    """## What it does
    Checks that a loss gets prediction and target of the same shape.

    ## Why is this bad?
    `mse_loss` of `(B, 1)` and `(B,)` broadcasts to `(B, B)` and trains on the wrong objective;
    torch only warns.

    ## Example
    ```python
    import torch
    import torch.nn.functional as F
    l = F.mse_loss(torch.randn(16, 1), torch.randn(16))  # SHP503
    ```
    """

    CODE = "SHP503"
    NAME = "loss-broadcast"
    SEVERITY = "warning"
    VALID = ['import torch\nimport torch.nn.functional as F\nl = F.mse_loss(torch.randn(16, 1), torch.randn(16, 1))\n']
    INVALID = ['import torch\nimport torch.nn.functional as F\nl = F.mse_loss(torch.randn(16, 1), torch.randn(16))  # E: SHP503\n']
