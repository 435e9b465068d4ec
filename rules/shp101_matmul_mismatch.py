"""SHP101 matmul-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class MatmulMismatch(Rule):
    """## What it does
    Checks that the contracted sizes of a matrix product agree.

    Covers `a @ b`, `np.dot`, `np.matmul`, `np.inner`, `ndarray.dot`, `torch.mm`, `torch.matmul`,
    `torch.mv`, `torch.addmm`, `Tensor.mm`/`matmul`, `F.linear`. A product contracts the last axis
    of `a` with the second-to-last axis of `b` (the only axis of a vector). When transposing one
    operand or swapping the two would make the product fit, SHP102 (missing-transpose) is reported
    instead.

    Sizes may be symbolic: two different constructor parameters (`n_hidden`, `n_out`) are
    generically different, so a product contracting one against the other is reported with the
    condition under which it would hold ("holds only if n_hidden == n_out").

    ## Why is this bad?
    The product raises at run time -- torch: `mat1 and mat2 shapes cannot be multiplied
    (64x128 and 100x10)`, NumPy: `matmul: Input operand 1 has a mismatch in its core dimension
    0` -- usually at the first batch of a long run. With symbolic sizes the code works only for
    the configurations where the two sizes happen to be equal, and breaks on the first other one.

    ## Example
    ```python
    import numpy as np

    h = np.random.rand(64, 128)
    w = np.random.rand(100, 10)
    y = h @ w  # SHP101: 128 != 100
    ```

    Use instead: a weight whose rows match the features it multiplies.
    ```python
    w = np.random.rand(128, 10)
    y = h @ w  # (64, 10)
    ```
    """

    CODE = "SHP101"
    NAME = "matmul-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
h = np.random.rand(64, 128)
w = np.random.rand(128, 10)
y = h @ w
z = np.dot(h, w) + h.dot(w)
""",
        """\
import torch
x = torch.randn(32, 784)
w = torch.randn(784, 10)
y = torch.mm(x, w) + x.matmul(w) + torch.addmm(torch.zeros(10), x, w)
v = torch.mv(w.t(), torch.randn(784))
""",
        """\
import numpy as np
def forward(n_in, n_hidden, n_out):
    w1 = np.random.rand(n_in, n_hidden)
    w2 = np.random.rand(n_hidden, n_out)
    return w1 @ w2
""",
    ]
    INVALID = [
        """\
import numpy as np
h = np.random.rand(64, 128)
w = np.random.rand(100, 10)
y = h @ w  # E: SHP101 "128 != 100"
""",
        """\
import torch
x = torch.randn(32, 784)
y = torch.mm(x, torch.randn(100, 10))  # E: SHP101
z = x.matmul(torch.randn(100, 10))  # E: SHP101
""",
        """\
import numpy as np
def forward(n_in, n_hidden, n_out):
    w1 = np.random.rand(n_in, n_hidden)
    w2 = np.random.rand(n_out, n_out)
    return w1 @ w2  # E: SHP101 "holds only if"
""",
    ]
