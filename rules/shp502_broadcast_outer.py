"""SHP502 broadcast-outer."""
from __future__ import annotations

from shapecheck.rule import Rule


class BroadcastOuter(Rule):
    """## What it does
    Checks for a column against a row that silently broadcasts into a matrix.

    Checks for an elementwise operation between a column `(n, 1)` and a row `(1, n)` or a vector
    `(n,)` of the same size, which broadcasts silently into an `(n, n)` matrix. A column and a row
    whose sizes may differ (`(n, 1) + (1, m)`) are taken as an outer product on purpose.

    ## Why is this bad?
    The program runs and returns a matrix where a vector or a dot product was most likely
    meant: `y_true - y_pred` with `y_true` of shape `(100, 1)` and `y_pred` of shape `(100,)`
    is a `(100, 100)` matrix, and its mean is a meaningless loss. Nothing raises; the model
    just does not learn.

    ## Example
    ```python
    import numpy as np

    y_true = np.random.rand(100, 1)
    y_pred = np.random.rand(100)
    residual = y_true - y_pred  # SHP502: (100, 100)
    ```

    Use instead: one layout for both.
    ```python
    residual = y_true[:, 0] - y_pred  # (100,)
    ```
    """

    CODE = "SHP502"
    NAME = "broadcast-outer"
    SEVERITY = "warning"
    VALID = [
        """\
import torch
f = torch.randn(1, 5)
w = torch.randn(1, 5)
y = f * w
""",
        """\
import numpy as np
y_true = np.random.rand(100, 1)
y_pred = np.random.rand(100)
residual = y_true.ravel() - y_pred
same = y_true - y_pred.reshape(-1, 1)
""",
    ]
    INVALID = [
        """\
import torch
f = torch.randn(1, 5)
w = torch.randn(1, 5)
y = f.t() * w  # E: SHP502
""",
        """\
import numpy as np
y_true = np.random.rand(100, 1)
y_pred = np.random.rand(100)
residual = y_true - y_pred  # E: SHP502
""",
    ]
