"""SHP601 weight-layout."""
from __future__ import annotations

from shapecheck.rule import Rule


class WeightLayout(Rule):
    """## What it does
    Checks the shape of weights copied or assigned into a parameter.

    ## Why is this bad?
    Keras stores a Dense kernel `(in, out)`, torch stores `nn.Linear.weight` `(out, in)`; copying
    one into the other without a transpose raises or silently scrambles the weights.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    layer = nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.zeros(3, 2))  # SHP601
    ```
    """

    CODE = "SHP601"
    NAME = "weight-layout"
    SEVERITY = "error"
    VALID = ['import torch\nimport torch.nn as nn\nlayer = nn.Linear(3, 2)\nwith torch.no_grad():\n    layer.weight.copy_(torch.zeros(2, 3))\n']
    INVALID = ['import torch\nimport torch.nn as nn\nlayer = nn.Linear(3, 2)\nwith torch.no_grad():\n    layer.weight.copy_(torch.zeros(3, 2))  # E: SHP601\n']
