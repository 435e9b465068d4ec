"""SHP305 recurrent-layout."""
from __future__ import annotations

from shapecheck.rule import Rule


class RecurrentLayout(Rule):
    """## What it does
    Checks that a recurrent layer gets its input in the layout it was built for.

    ## Why is this bad?
    A `batch_first=True` GRU fed `(steps, batch, features)` computes garbage or raises on the
    initial state.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    gru = nn.GRU(12, 24, batch_first=True)
    out, h = gru(torch.randn(9, 3, 12), torch.zeros(1, 3, 24))  # SHP305
    ```
    """

    CODE = "SHP305"
    NAME = "recurrent-layout"
    SEVERITY = "error"
    VALID = ['import torch\nimport torch.nn as nn\ngru = nn.GRU(12, 24, batch_first=True)\nout, h = gru(torch.randn(3, 9, 12), torch.zeros(1, 3, 24))\n']
    INVALID = ['import torch\nimport torch.nn as nn\ngru = nn.GRU(12, 24, batch_first=True)\nout, h = gru(torch.randn(9, 3, 12), torch.zeros(1, 3, 24))  # E: SHP305\n']
