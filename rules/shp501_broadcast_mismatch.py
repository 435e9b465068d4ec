"""SHP501 broadcast-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class BroadcastMismatch(Rule):
    """## What it does
    Checks that the operands of elementwise operations broadcast.

    ## Why is this bad?
    Sizes that are neither equal nor 1 raise at run time.

    ## Example
    ```python
    import numpy as np
    s = np.random.rand(32, 10)
    w = np.ones(9)
    y = s * w  # SHP501
    ```
    """

    CODE = "SHP501"
    NAME = "broadcast-mismatch"
    SEVERITY = "error"
    VALID = ['import numpy as np\ns = np.random.rand(32, 10)\nw = np.ones(10)\ny = s * w\n']
    INVALID = ['import numpy as np\ns = np.random.rand(32, 10)\nw = np.ones(9)\ny = s * w  # E: SHP501\n']
