"""SHP405 invalid-shape-argument."""
from __future__ import annotations

from shapecheck.rule import Rule


class InvalidShapeArgument(Rule):
    """## What it does
    Checks size and axis arguments that the op rejects whatever tensor flows in: `flatten`
    with `start_dim` after `end_dim` (negative axes counted from the end), explicit split
    sizes (`torch.split`, `tf.split`) that do not add up to the axis size, `topk`/`kthvalue`
    asking for more elements than the axis has, and the layer arguments of the same kind
    (pooling padding over half the kernel, `output_padding` not smaller than the stride or
    dilation, a feature dropout on too few dims).

    ## Why is this bad?
    The call raises at run time (`start_dim cannot come after end_dim`, `split_with_sizes
    expects split_sizes to sum exactly to ...`, `selected index k out of range`). The
    argument usually was written for a tensor of another rank or size: a `flatten(x, 1, 2)`
    kept after the input lost an axis, split sizes left over from an older feature count.

    ## Example
    ```python
    import torch

    x = torch.randn(8, 6, 4)
    head, tail = torch.split(x, [2, 3], dim=1)  # SHP405: 2 + 3 = 5, the axis has 6
    ```

    Use instead: sizes that add up to the axis (or one size per chunk).
    ```python
    head, tail = torch.split(x, [2, 4], dim=1)  # (8, 2, 4) and (8, 4, 4)
    ```
    """

    CODE = "SHP405"
    NAME = "invalid-shape-argument"
    SEVERITY = "error"
    VALID = [
        """\
import torch
x = torch.randn(8, 6, 4)
head, tail = torch.split(x, [2, 4], dim=1)
y = torch.flatten(x, 1, -1)
values, indices = torch.topk(x, 4)
v, i = x.kthvalue(4, dim=-1)
""",
    ]
    INVALID = [
        """\
import torch
x = torch.randn(8, 6, 4)
head, tail = torch.split(x, [2, 3], dim=1)  # E: SHP405
""",
        """\
import torch
x = torch.randn(8, 6, 4)
y = torch.flatten(x, -1, 1)  # E: SHP405
""",
        """\
import torch
x = torch.randn(8, 6, 4)
values, indices = torch.topk(x, 5)  # E: SHP405
v, i = x.kthvalue(0)  # E: SHP405
""",
    ]
