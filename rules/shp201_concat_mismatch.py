"""SHP201 concat-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatMismatch(Rule):
    """## What it does
    Checks that joined tensors agree on every dim except the join axis.

    In detail: `torch.cat`, `torch.concat`/`concatenate`, `torch.hstack`/`vstack`, `np.concatenate`,
    `np.hstack`, `np.vstack`, `np.column_stack`. When joining along another axis would work, SHP202
    (concat-wrong-axis) is reported instead.

    ## Why is this bad?
    The join raises at run time (`Sizes of tensors must match except in dimension 1. Expected
    size 4 but got size 5 for tensor number 1 in the list`). Mismatched batch sizes between
    two branches of a model are the usual cause.

    ## Example
    ```python
    import numpy as np

    a = np.zeros((4, 3))
    b = np.zeros((5, 2))
    c = np.concatenate([a, b], axis=1)  # SHP201: 4 rows vs 5 rows
    ```

    Use instead: inputs with the same size off the join axis.
    ```python
    b = np.zeros((4, 2))
    c = np.concatenate([a, b], axis=1)  # (4, 5)
    ```
    """

    CODE = "SHP201"
    NAME = "concat-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
a = np.zeros((4, 3))
b = np.zeros((4, 5))
c = np.concatenate([a, b], axis=1)
d = np.hstack([a, b])
e = np.vstack([a, np.zeros(3)])
""",
        """\
import torch
img = torch.randn(16, 128)
txt = torch.randn(16, 64)
fused = torch.cat([img, txt], dim=-1)
""",
    ]
    INVALID = [
        """\
import numpy as np
a = np.zeros((4, 3))
b = np.zeros((5, 2))
c = np.concatenate([a, b], axis=1)  # E: SHP201
""",
        """\
import torch
a = torch.randn(4, 3)
c = torch.cat([a, torch.randn(6, 5)], dim=1)  # E: SHP201
d = torch.vstack([a, torch.randn(2, 7)])  # E: SHP201
""",
        """\
import numpy as np
c = np.column_stack([np.zeros(4), np.zeros(5)])  # E: SHP201
""",
    ]
