"""SHP103 einsum-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class EinsumMismatch(Rule):
    """## What it does
    Checks einsum and tensordot operands against their subscripts and axes.

    In detail: a subscript letter bound to two different sizes, an operand whose rank differs from
    the number of its subscripts, an output subscript that appears in no input, and `tensordot` axes
    whose sizes differ.

    ## Why is this bad?
    Each of these raises at run time (`einsum(): operands do not broadcast with remapped shapes`,
    `subscript ... has size 6 for operand 1 which does not broadcast with previously seen size
    4`). Subscript strings are easy to get subtly wrong when a weight's layout changes.

    ## Example
    ```python
    import torch

    x = torch.randn(2, 4)
    w = torch.randn(5, 6, 4)
    y = torch.einsum("ab,cbe->ace", x, w)  # SHP103: b is 4 in x but 6 in w
    ```

    Use instead: subscripts that follow each operand's layout.
    ```python
    y = torch.einsum("ab,ceb->ace", x, w)  # (2, 5, 6)
    ```
    """

    CODE = "SHP103"
    NAME = "einsum-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import torch
x = torch.randn(2, 4)
w = torch.randn(5, 4, 6)
y = torch.einsum('ab,cbe->ace', x, w)
""",
        """\
import numpy as np
a = np.random.rand(3, 4, 5)
b = np.random.rand(4, 5, 6)
c = np.tensordot(a, b, axes=2)
d = np.einsum("ijk,jkl->il", a, b)
""",
    ]
    INVALID = [
        """\
import torch
x = torch.randn(2, 4)
w = torch.randn(5, 6, 4)
y = torch.einsum('ab,cbe->ace', x, w)  # E: SHP103
""",
        """\
import torch
x = torch.randn(32, 784)
w = torch.randn(784, 10)
y = torch.einsum("ijk,jk->ik", x, w)  # E: SHP103
z = torch.einsum("ij,jk->il", x, w)  # E: SHP103
""",
        """\
import numpy as np
a = np.random.rand(3, 4, 5)
b = np.random.rand(5, 4, 6)
c = np.tensordot(a, b, axes=([1, 2], [0, 1]))  # E: SHP103
""",
    ]
