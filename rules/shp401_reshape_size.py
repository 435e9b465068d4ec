"""SHP401 reshape-size."""
from __future__ import annotations

from shapecheck.rule import Rule


class ReshapeSize(Rule):
    """## What it does
    Checks that a reshape keeps the number of elements.

    Covers `reshape`/`view` (torch and NumPy, method and function spellings; Keras `Reshape`,
    `tf.reshape`): the target's element count must equal the input's, a single `-1` must divide the
    rest evenly, and there may be at most one `-1`.

    ## Why is this bad?
    The reshape raises at run time (`shape '[32, 10, 10]' is invalid for input of size 320`,
    `cannot reshape array of size 12 into shape (5,2)`, `only one dimension can be inferred`).
    A hard-coded batch size or feature count that no longer matches the data is the usual
    cause.

    ## Example
    ```python
    import torch

    x = torch.randn(32, 10)
    y = x.view(32, 10, 10)  # SHP401: 320 elements into 3200
    ```

    Use instead: derive the sizes from the tensor (`x.view(x.size(0), 5, -1)`).
    ```python
    y = x.view(32, 5, 2)
    ```
    """

    CODE = "SHP401"
    NAME = "reshape-size"
    SEVERITY = "error"
    VALID = [
        """\
import torch
x = torch.randn(32, 10)
y = x.view(32, 5, 2)
z = x.reshape(-1, 5)
w = x.view(x.size(0), -1)
""",
        """\
import numpy as np
a = np.arange(12)
b = a.reshape(3, 4)
c = np.reshape(a, (2, -1))
""",
    ]
    INVALID = [
        """\
import torch
x = torch.randn(32, 10)
y = x.view(32, 10, 10)  # E: SHP401
""",
        """\
import torch
x = torch.randn(4, 3, 8, 8)
y = x.reshape(-1, 7)  # E: SHP401
z = x.view(-1, -1)  # E: SHP401
""",
        """\
import numpy as np
a = np.arange(12)
b = a.reshape(5, 2)  # E: SHP401
""",
    ]
