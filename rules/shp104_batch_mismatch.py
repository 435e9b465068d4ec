"""SHP104 batch-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class BatchMismatch(Rule):
    """## What it does
    Checks that the batch dims of batched matrix products are equal or broadcast.

    In detail: `torch.bmm` needs them equal, `matmul`/`@` (torch and NumPy) needs them to broadcast
    (equal, or one of them 1).

    ## Why is this bad?
    The product raises at run time (`Expected size for first two dimensions of batch2 tensor to
    be: [8, 64] but got: [4, 64]`). Typical causes: attention scores and values built from
    different batches or head counts, or a batch dimension lost in a reshape.

    ## Example
    ```python
    import torch

    a = torch.randn(8, 12, 12)
    v = torch.randn(4, 12, 64)
    c = torch.bmm(a, v)  # SHP104: batch 8 vs 4
    ```

    Use instead: operands built with the same batch size.
    ```python
    v = torch.randn(8, 12, 64)
    c = torch.bmm(a, v)  # (8, 12, 64)
    ```
    """

    CODE = "SHP104"
    NAME = "batch-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import torch
a = torch.randn(8, 12, 12)
v = torch.randn(8, 12, 64)
c = torch.bmm(a, v)
d = torch.randn(8, 1, 32, 64) @ torch.randn(5, 64, 16)
""",
        """\
import numpy as np
s = np.random.rand(8, 32, 64)
t = np.matmul(s, np.random.rand(1, 64, 16))
""",
    ]
    INVALID = [
        """\
import torch
a = torch.randn(8, 12, 12)
v = torch.randn(4, 12, 64)
c = torch.bmm(a, v)  # E: SHP104
""",
        """\
import torch
d = torch.randn(8, 3, 32, 64) @ torch.randn(5, 64, 16)  # E: SHP104
""",
        """\
import numpy as np
s = np.random.rand(8, 32, 64)
t = s @ np.random.rand(4, 64, 16)  # E: SHP104
""",
    ]
