"""SHP201 concat-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatMismatch(Rule):
    """## What it does
    Checks that joined tensors agree on every dim but the join axis.

    ## Why is this bad?
    `cat`/`concatenate` need equal sizes off the join axis; otherwise they raise.

    ## Example
    ```python
    import numpy as np
    a = np.zeros((4, 3))
    b = np.zeros((5, 2))
    c = np.concatenate([a, b], axis=1)  # SHP201
    ```
    """

    CODE = "SHP201"
    NAME = "concat-mismatch"
    SEVERITY = "error"
    VALID = ['import numpy as np\na = np.zeros((4, 3))\nb = np.zeros((4, 5))\nc = np.concatenate([a, b], axis=1)\n']
    INVALID = ['import numpy as np\na = np.zeros((4, 3))\nb = np.zeros((5, 2))\nc = np.concatenate([a, b], axis=1)  # E: SHP201\n']
