"""SHP501 broadcast-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class BroadcastMismatch(Rule):
    """## What it does
    Checks that the operands of elementwise operations broadcast.

    In detail: arithmetic operators (`+ - * / // ** %`), comparisons, in-place updates (`+=`), and
    the elementwise functions of torch and NumPy (`torch.add/mul/where/maximum`,
    `np.add/multiply/where/maximum`, ...). Aligned from the right, each pair of sizes must be equal
    or contain a 1.

    ## Why is this bad?
    The operation raises at run time (`The size of tensor a (10) must match the size of tensor
    b (9) at non-singleton dimension 1`, `operands could not be broadcast together with shapes
    (32,10) (9,)`). A bias or a mask built for another layer size is the usual cause.

    ## Example
    ```python
    import numpy as np

    s = np.random.rand(32, 10)
    w = np.ones(9)
    y = s * w  # SHP501: 10 vs 9 on the last axis
    ```

    Use instead:
    ```python
    w = np.ones(10)
    y = s * w  # (32, 10)
    ```
    """

    CODE = "SHP501"
    NAME = "broadcast-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
s = np.random.rand(32, 10)
w = np.ones(10)
y = s * w
z = np.maximum(s, 0) + np.ones((32, 1))
""",
        """\
import torch
h = torch.randn(8, 16)
bias = torch.zeros(16)
out = torch.where(h > 0, h + bias, torch.zeros(1))
""",
    ]
    INVALID = [
        """\
import numpy as np
s = np.random.rand(32, 10)
w = np.ones(9)
y = s * w  # E: SHP501
""",
        """\
import torch
h = torch.randn(8, 16)
bias = torch.zeros(8)
out = h + bias  # E: SHP501
m = torch.mul(h, torch.randn(2, 16))  # E: SHP501
""",
    ]
