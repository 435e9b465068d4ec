"""SHP102 missing-transpose."""
from __future__ import annotations

from shapecheck.rule import Rule


class MissingTranspose(Rule):
    """## What it does
    Checks matrix products that would fit if one operand were transposed or the two swapped.

    The contracted sizes differ, but `W.T`, `w.t()` or `k.transpose(-2, -1)` -- or `matmul(x, W)`
    for `matmul(W, x)` -- would make them agree; the message names the fix.

    ## Why is this bad?
    Layouts differ between conventions: torch stores `nn.Linear.weight` as `(out, in)`, Keras a
    Dense kernel as `(in, out)`, textbooks write `W x` with `W` of shape `(out, in)`. Mixing
    them gives a product that raises at run time -- or, when the two sizes happen to be equal
    (a square weight), silently multiplies by the wrong matrix.

    ## Example
    ```python
    import torch

    x = torch.randn(64, 20)
    w = torch.randn(10, 20)  # nn.Linear layout: (out, in)
    y = x @ w  # SHP102: did you mean w.T?
    ```

    Use instead:
    ```python
    y = x @ w.T  # or torch.nn.functional.linear(x, w)
    ```
    """

    CODE = "SHP102"
    NAME = "missing-transpose"
    SEVERITY = "error"
    SUPERSEDES = ("matmul-mismatch",)
    VALID = [
        """\
import torch
import torch.nn.functional as F
x = torch.randn(64, 20)
w = torch.randn(10, 20)
y = x @ w.T
z = F.linear(x, w)
""",
        """\
import torch
q = torch.randn(2, 4, 10, 16)
k = torch.randn(2, 4, 12, 16)
scores = q @ k.transpose(-2, -1)
""",
    ]
    INVALID = [
        """\
import torch
x = torch.randn(64, 20)
w = torch.randn(10, 20)
y = x @ w  # E: SHP102
""",
        """\
import torch
q = torch.randn(2, 4, 10, 16)
k = torch.randn(2, 4, 12, 16)
scores = torch.matmul(q, k)  # E: SHP102
""",
        """\
import numpy as np
inputs = np.random.rand(1, 784)
w_ih = np.random.rand(200, 784)
hidden = np.dot(inputs, w_ih)  # E: SHP102
""",
    ]
