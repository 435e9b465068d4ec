"""SHP304 empty-spatial."""
from __future__ import annotations

from shapecheck.rule import Rule


class EmptySpatial(Rule):
    """## What it does
    Checks that convolutions and poolings leave every spatial size at least 1.

    In detail: the input (plus padding) must be at least as large as the (dilated) kernel.

    ## Why is this bad?
    The layer raises at run time (`Calculated padded input size per channel: (2 x 2). Kernel
    size: (3 x 3). Kernel size can't be greater than actual input size`, `Output size is too
    small`). It usually shows up when a network designed for large images gets small ones, or
    when one pooling too many shrinks a feature map to nothing.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    y = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 2, 2))  # SHP304: 2x2 input, 3x3 kernel
    ```

    Use instead: pad the input (`padding=1` or `padding="same"`), or use a smaller kernel or
    fewer poolings.
    ```python
    y = nn.Conv2d(1, 4, 3, padding=1)(torch.randn(1, 1, 2, 2))  # (1, 4, 2, 2)
    ```
    """

    CODE = "SHP304"
    NAME = "empty-spatial"
    SEVERITY = "error"
    VALID = [
        """\
import torch
import torch.nn as nn
y = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 8, 8))
z = nn.Conv2d(1, 4, 3, padding=1)(torch.randn(1, 1, 2, 2))
p = nn.MaxPool2d(2)(torch.randn(1, 3, 2, 2))
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn as nn
y = nn.Conv2d(1, 4, 3)(torch.randn(1, 1, 2, 2))  # E: SHP304
""",
        """\
import torch
import torch.nn as nn
x = torch.randn(1, 3, 8, 8)
x = nn.MaxPool2d(2)(x)
x = nn.MaxPool2d(2)(x)
x = nn.MaxPool2d(4)(x)  # E: SHP304
""",
    ]
