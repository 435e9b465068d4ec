"""SHP101 matmul-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class MatmulMismatch(Rule):
    """## What it does
    Checks that the contracted sizes of a matrix product agree.

    ## Why is this bad?
    A product `a @ b` contracts the last axis of `a` with the second-to-last of `b`; when the two
    sizes differ the program raises at run time (or, for symbolic sizes, works only where they
    happen to be equal).

    ## Example
    ```python
    import numpy as np
    h = np.random.rand(64, 128)
    w = np.random.rand(100, 10)
    y = h @ w  # SHP101
    ```
    """

    CODE = "SHP101"
    NAME = "matmul-mismatch"
    SEVERITY = "error"
    VALID = ['import numpy as np\nh = np.random.rand(64, 128)\nw = np.random.rand(128, 10)\ny = h @ w\n']
    INVALID = ['import numpy as np\nh = np.random.rand(64, 128)\nw = np.random.rand(100, 10)\ny = h @ w  # E: SHP101\n']
