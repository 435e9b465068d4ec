"""SHP403 bad-permutation."""
from __future__ import annotations

from shapecheck.rule import Rule


class BadPermutation(Rule):
    """## What it does
    Checks that permutation axes are a permutation of the tensor's axes.

    Covers `Tensor.permute`, `torch.permute`, `np.transpose`, `ndarray.transpose` (and
    `tf.transpose`): one entry per axis, none repeated. (An axis beyond the rank is SHP402.)

    ## Why is this bad?
    The call raises at run time (`number of dims don't match in permute`, `axes don't match
    array`, `repeated axis in transpose`). Typically the permutation was written for a tensor
    of another rank -- an image batch without its batch axis, or a sequence with one.

    ## Example
    ```python
    import numpy as np

    b = np.zeros((8, 32, 32, 3))
    c = np.transpose(b, (0, 3, 1))  # SHP403: 3 axes for a 4-D array
    ```

    Use instead: NHWC to NCHW.
    ```python
    c = np.transpose(b, (0, 3, 1, 2))  # (8, 3, 32, 32)
    ```
    """

    CODE = "SHP403"
    NAME = "bad-permutation"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
b = np.zeros((8, 32, 32, 3))
c = np.transpose(b, (0, 3, 1, 2))
""",
        """\
import torch
x = torch.randn(4, 3, 8, 8)
y = x.permute(0, 2, 3, 1)
z = torch.permute(x, (3, 2, 1, 0))
""",
    ]
    INVALID = [
        """\
import numpy as np
b = np.zeros((8, 32, 32, 3))
c = np.transpose(b, (0, 3, 1))  # E: SHP403
""",
        """\
import torch
x = torch.randn(4, 3, 8, 8)
y = x.permute(0, 2, 1)  # E: SHP403
z = x.permute(0, 1, 2, 2)  # E: SHP403
""",
    ]
