"""SHP301 layer-input-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class LayerInputMismatch(Rule):
    """## What it does
    Checks that the feature or channel size reaching a layer is the one it was built for.

    ## Why is this bad?
    `nn.Linear(1000, 4800)` after a layer producing 2000 features raises at the first forward pass,
    often deep into a run.

    ## Example
    ```python
    import torch.nn as nn
    net = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(1000, 4800))  # SHP301
    ```
    """

    CODE = "SHP301"
    NAME = "layer-input-mismatch"
    SEVERITY = "error"
    VALID = ['import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(2000, 4800))\n']
    INVALID = ['import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(1000, 4800))  # E: SHP301\n']
