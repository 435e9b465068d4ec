"""SHP304 empty-spatial."""
from __future__ import annotations

from shapecheck.rule import Rule


class EmptySpatial(Rule):
    """## What it does
    Checks that convolutions and poolings leave a spatial size of at least 1.

    ## Why is this bad?
    An input smaller than the kernel raises (`Output size is too small`).

    ## Example
    ```python
    import torch
    import torch.nn as nn
    y = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 2, 2))  # SHP304
    ```
    """

    CODE = "SHP304"
    NAME = "empty-spatial"
    SEVERITY = "error"
    VALID = ['import torch\nimport torch.nn as nn\ny = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 8, 8))\n']
    INVALID = ['import torch\nimport torch.nn as nn\ny = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 2, 2))  # E: SHP304\n']
