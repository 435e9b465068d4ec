"""SHP203 concat-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class ConcatRank(Rule):
    """## What it does
    Checks that the inputs of a join (`torch.cat`, `np.concatenate`, ...) all have the same rank.

    ## Why is this bad?
    Joining a 3-D and a 2-D tensor raises at run time (`Tensors must have same number of
    dimensions: got 3 and 2`). The usual cause is a missing `unsqueeze`/`expand_dims`, or a
    reduction that dropped an axis (`keepdim=False`).

    ## Example
    ```python
    import numpy as np

    a = np.zeros((10, 6, 3))
    b = np.zeros((10, 3))
    c = np.concatenate([a, b], axis=-1)  # SHP203: 3-D and 2-D
    ```

    Use instead:
    ```python
    b = np.zeros((10, 6, 1))
    c = np.concatenate([a, b], axis=-1)  # (10, 6, 4)
    ```
    """

    CODE = "SHP203"
    NAME = "concat-rank"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
a = np.zeros((10, 6, 3))
b = np.zeros((10, 6, 1))
c = np.concatenate([a, b], axis=-1)
""",
        """\
import torch
h = torch.randn(4, 10, 8)
pooled = h.mean(dim=1, keepdim=True)
both = torch.cat([h, pooled], dim=1)
""",
    ]
    INVALID = [
        """\
import numpy as np
a = np.zeros((10, 6, 3))
b = np.zeros((10, 3))
c = np.concatenate([a, b], axis=-1)  # E: SHP203
""",
        """\
import torch
h = torch.randn(4, 10, 8)
pooled = h.mean(dim=1)
both = torch.cat([h, pooled], dim=1)  # E: SHP203
""",
    ]
