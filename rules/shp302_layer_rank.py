"""SHP302 layer-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class LayerRank(Rule):
    """## What it does
    Checks that a layer gets a tensor of a rank it accepts.

    ## Why is this bad?
    An LSTM needs `(batch, time, features)`, a Conv2d a 3-D or 4-D tensor; other ranks raise.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    bn = nn.BatchNorm1d(8)
    y = bn(torch.randn(4, 8, 2, 2))  # SHP302
    ```
    """

    CODE = "SHP302"
    NAME = "layer-rank"
    SEVERITY = "error"
    VALID = ['import torch\nimport torch.nn as nn\nbn = nn.BatchNorm1d(8)\ny = bn(torch.randn(4, 8))\n']
    INVALID = ['import torch\nimport torch.nn as nn\nbn = nn.BatchNorm1d(8)\ny = bn(torch.randn(4, 8, 2, 2))  # E: SHP302\n']
