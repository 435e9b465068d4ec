"""SHP402 axis-out-of-range."""
from __future__ import annotations

from shapecheck.rule import Rule


class AxisOutOfRange(Rule):
    """## What it does
    Checks `dim`/`axis` arguments against the tensor's rank.

    In detail: they must lie in `[-rank, rank)` (`[-rank-1, rank]` for `unsqueeze`/`expand_dims`).
    Covers softmax, reductions (`sum`, `mean`, `max`, `argmax`, ...), `cat`, `squeeze`, `unsqueeze`,
    `transpose`, `flatten`, `x.size(d)` and `x.shape[i]`.

    ## Why is this bad?
    The call raises at run time (`Dimension out of range (expected to be in range of [-2, 1],
    but got 2)`, `axis 2 is out of bounds for array of dimension 2`). It usually means the
    tensor has lost or never had an axis the code assumes (a batch axis, a channel axis).

    ## Example
    ```python
    import numpy as np

    s = np.random.rand(64, 10)
    b = s.argmax(axis=2)  # SHP402: s is 2-D
    ```

    Use instead:
    ```python
    b = s.argmax(axis=1)  # or axis=-1
    ```
    """

    CODE = "SHP402"
    NAME = "axis-out-of-range"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
s = np.random.rand(64, 10)
b = s.argmax(axis=1)
m = np.mean(s, axis=-1)
""",
        """\
import torch
import torch.nn.functional as F
x = torch.randn(4, 3, 8)
p = F.softmax(x, dim=-1)
u = x.unsqueeze(3)
n = x.size(2)
""",
    ]
    INVALID = [
        """\
import numpy as np
s = np.random.rand(64, 10)
b = s.argmax(axis=2)  # E: SHP402
""",
        """\
import torch
import torch.nn.functional as F
x = torch.randn(4, 3, 8)
p = F.softmax(x, dim=3)  # E: SHP402
u = x.unsqueeze(4)  # E: SHP402
n = x.size(-4)  # E: SHP402
""",
    ]
