"""SHP404 index-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class IndexRank(Rule):
    """## What it does
    Checks the rank of gather/scatter/take_along indices against the input's rank.

    Checks the rank of the index tensor of `torch.gather`/`Tensor.gather`, `scatter`/`scatter_`/
    `scatter_add`, `torch.take_along_dim` and `np.take_along_axis` against the input's rank: the
    index must have the same number of dimensions as the input.

    ## Why is this bad?
    The call raises at run time (`Index tensor must have the same number of dimensions as input
    tensor`, `indices and arr must have the same number of dimensions`). Picking one entry per
    row with labels of shape `(B,)` without `unsqueeze(-1)` is the classic case.

    ## Example
    ```python
    import torch

    logits = torch.randn(2, 9, 50)
    labels = torch.randint(0, 50, (2, 9))
    picked = logits.gather(-1, labels)  # SHP404: 2-D index for a 3-D input
    ```

    Use instead:
    ```python
    picked = logits.gather(-1, labels.unsqueeze(-1)).squeeze(-1)  # (2, 9)
    ```
    """

    CODE = "SHP404"
    NAME = "index-rank"
    SEVERITY = "error"
    VALID = [
        """\
import torch
l = torch.randn(2, 9, 50)
t = torch.randint(0, 50, (2, 9))
y = l.gather(-1, t.unsqueeze(-1))
""",
        """\
import numpy as np
scores = np.random.rand(4, 10)
best = np.argmax(scores, axis=1)
picked = np.take_along_axis(scores, best[:, None], axis=1)
""",
    ]
    INVALID = [
        """\
import torch
l = torch.randn(2, 9, 50)
t = torch.randint(0, 50, (2, 9))
y = l.gather(-1, t)  # E: SHP404
""",
        """\
import numpy as np
scores = np.random.rand(4, 10)
best = np.argmax(scores, axis=1)
picked = np.take_along_axis(scores, best, axis=1)  # E: SHP404
""",
        """\
import torch
q = torch.zeros(4, 10)
q.scatter_(1, torch.randint(0, 10, (4, 3, 1)), 1.0)  # E: SHP404
""",
    ]
