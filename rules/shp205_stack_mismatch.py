"""SHP205 stack-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class StackMismatch(Rule):
    """## What it does
    Checks that stacked tensors all have the same shape.

    ## Why is this bad?
    `stack` needs identical shapes; one odd frame raises.

    ## Example
    ```python
    import numpy as np
    c = np.stack([np.zeros((48, 48)), np.zeros((64, 64))])  # SHP205
    ```
    """

    CODE = "SHP205"
    NAME = "stack-mismatch"
    SEVERITY = "error"
    VALID = ['import numpy as np\nc = np.stack([np.zeros((48, 48)), np.zeros((48, 48))])\n']
    INVALID = ['import numpy as np\nc = np.stack([np.zeros((48, 48)), np.zeros((64, 64))])  # E: SHP205\n']
