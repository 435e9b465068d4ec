"""SHP403 bad-permutation."""
from __future__ import annotations

from shapecheck.rule import Rule


class BadPermutation(Rule):
    """## What it does
    Checks that permutation axes are a permutation of the tensor's axes.

    ## Why is this bad?
    `permute`/`transpose` with missing or repeated axes raise.

    ## Example
    ```python
    import numpy as np
    b = np.zeros((8, 32, 32, 3))
    c = np.transpose(b, (0, 3, 1))  # SHP403
    ```
    """

    CODE = "SHP403"
    NAME = "bad-permutation"
    SEVERITY = "error"
    VALID = ['import numpy as np\nb = np.zeros((8, 32, 32, 3))\nc = np.transpose(b, (0, 3, 1, 2))\n']
    INVALID = ['import numpy as np\nb = np.zeros((8, 32, 32, 3))\nc = np.transpose(b, (0, 3, 1))  # E: SHP403\n']
