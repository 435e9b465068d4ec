"""SHP105 operand-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class OperandRank(Rule):
    """## What it does
    Checks that each operand of a matrix product has a rank the product accepts.

    In detail: `torch.mm` takes two 2-D tensors, `torch.bmm` two 3-D tensors, `torch.mv` a matrix
    and a vector, `torch.dot` two vectors, and `F.linear` a 1-D or 2-D weight.

    ## Why is this bad?
    Any other rank raises at run time (`self must be a matrix`, `batch1 must be a 3D tensor`,
    `vector + matrix @ vector expected`). It usually means a missing `unsqueeze`/`squeeze`, or
    `mm`/`bmm` used where the rank-generic `matmul` was meant.

    ## Example
    ```python
    import torch

    A = torch.randn(5, 3)
    B = torch.randn(3, 2)
    y = torch.mv(A, B)  # SHP105: mv needs a vector
    ```

    Use instead:
    ```python
    y = torch.mm(A, B)  # (5, 2); or torch.mv(A, v) with v of shape (3,)
    ```
    """

    CODE = "SHP105"
    NAME = "operand-rank"
    SEVERITY = "error"
    VALID = [
        """\
import torch
A = torch.randn(5, 3)
v = torch.randn(3)
y = torch.mv(A, v)
z = torch.mm(A, torch.randn(3, 2))
w = torch.bmm(torch.randn(4, 5, 3), torch.randn(4, 3, 2))
""",
    ]
    INVALID = [
        """\
import torch
A = torch.randn(5, 3)
B = torch.randn(3, 2)
y = torch.mv(A, B)  # E: SHP105
""",
        """\
import torch
x = torch.randn(32, 784)
y = torch.mm(x, torch.randn(784))  # E: SHP105
z = torch.bmm(x, torch.randn(784, 10))  # E: SHP105
""",
    ]
