"""SHP503 loss-broadcast."""
from __future__ import annotations

from shapecheck.rule import Rule


class LossBroadcast(Rule):
    """## What it does
    Checks that a regression loss gets prediction and target of the same shape.

    Checks that a regression loss gets a prediction and a target of the same shape: `F.mse_loss`,
    `F.l1_loss`, `F.smooth_l1_loss`, `F.huber_loss`, their modules (`nn.MSELoss()`, `nn.L1Loss()`,
    ...) and the Keras losses. Shapes that differ but broadcast, typically `(B, 1)` against `(B,)`,
    are reported.

    ## Why is this bad?
    The loss broadcasts `(B, 1)` and `(B,)` into `(B, B)`: every prediction is compared with
    every target, the gradient pushes all predictions towards the mean target, and the model
    quietly fails to learn. torch only warns (`Using a target size that is different to the
    input size`), and the warning is easy to miss in a training log.

    ## Example
    ```python
    import torch
    import torch.nn.functional as F

    pred = torch.randn(16, 1)  # a Linear(..., 1) head
    target = torch.randn(16)
    loss = F.mse_loss(pred, target)  # SHP503: (16, 1) vs (16,)
    ```

    Use instead:
    ```python
    loss = F.mse_loss(pred.squeeze(-1), target)
    ```
    """

    CODE = "SHP503"
    NAME = "loss-broadcast"
    SEVERITY = "warning"
    VALID = [
        """\
import torch
import torch.nn.functional as F
l = F.mse_loss(torch.randn(16, 1), torch.randn(16, 1))
m = F.l1_loss(torch.randn(16, 1).squeeze(-1), torch.randn(16))
""",
        """\
import torch
import torch.nn as nn
criterion = nn.MSELoss()
loss = criterion(torch.randn(8, 3), torch.randn(8, 3))
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn.functional as F
l = F.mse_loss(torch.randn(16, 1), torch.randn(16))  # E: SHP503
""",
        """\
import torch
import torch.nn as nn
head = nn.Linear(8, 1)
criterion = nn.MSELoss()
loss = criterion(head(torch.randn(32, 8)), torch.randn(32))  # E: SHP503
""",
    ]
