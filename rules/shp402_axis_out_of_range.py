"""SHP402 axis-out-of-range."""
from __future__ import annotations

from shapecheck.rule import Rule


class AxisOutOfRange(Rule):
    """## What it does
    Checks `dim`/`axis` arguments against the tensor's rank.

    ## Why is this bad?
    An axis outside `[-rank, rank)` raises.

    ## Example
    ```python
    import numpy as np
    s = np.random.rand(64, 10)
    b = s.argmax(axis=2)  # SHP402
    ```
    """

    CODE = "SHP402"
    NAME = "axis-out-of-range"
    SEVERITY = "error"
    VALID = ['import numpy as np\ns = np.random.rand(64, 10)\nb = s.argmax(axis=1)\n']
    INVALID = ['import numpy as np\ns = np.random.rand(64, 10)\nb = s.argmax(axis=2)  # E: SHP402\n']
