"""SHP203 concat-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatRank(Rule):
    """## What it does
    Checks that joined tensors have the same rank.

    ## Why is this bad?
    Joining a 3-D and a 2-D array raises; a missing `expand_dims`/`unsqueeze` is the usual cause.

    ## Example
    ```python
    import numpy as np
    a = np.zeros((10, 6, 3))
    b = np.zeros((10, 3))
    c = np.concatenate([a, b], axis=-1)  # SHP203
    ```
    """

    CODE = "SHP203"
    NAME = "concat-rank"
    SEVERITY = "error"
    VALID = ['import numpy as np\na = np.zeros((10, 6, 3))\nb = np.zeros((10, 6, 1))\nc = np.concatenate([a, b], axis=-1)\n']
    INVALID = ['import numpy as np\na = np.zeros((10, 6, 3))\nb = np.zeros((10, 3))\nc = np.concatenate([a, b], axis=-1)  # E: SHP203\n']
