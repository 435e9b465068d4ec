"""SHP302 layer-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class LayerRank(Rule):
    """## What it does
    Checks that a layer gets a tensor of a rank it accepts.

    In detail: `nn.Conv2d` and `nn.MaxPool2d` take 3-D (unbatched) or 4-D input, `nn.Conv1d` 2-D or
    3-D, `nn.BatchNorm1d` 2-D or 3-D, `nn.BatchNorm2d` 4-D, `nn.RNN`/`LSTM`/`GRU` 2-D or 3-D (Keras:
    an `LSTM` needs 3-D, a `Conv2D` 4-D).

    ## Why is this bad?
    Any other rank raises at run time (`expected 2D or 3D input (got 4D input)`). It usually
    means a flatten too early or too late, a missing batch axis (`unsqueeze(0)`), or an image
    batch given to a sequence layer.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    bn = nn.BatchNorm1d(8)
    y = bn(torch.randn(4, 8, 2, 2))  # SHP302: BatchNorm1d takes 2-D or 3-D
    ```

    Use instead: the layer of the input's rank.
    ```python
    y = nn.BatchNorm2d(8)(torch.randn(4, 8, 2, 2))
    ```
    """

    CODE = "SHP302"
    NAME = "layer-rank"
    SEVERITY = "error"
    VALID = [
        """\
import torch
import torch.nn as nn
bn = nn.BatchNorm1d(8)
y = bn(torch.randn(4, 8))
z = bn(torch.randn(4, 8, 5))
w = nn.BatchNorm2d(8)(torch.randn(4, 8, 2, 2))
""",
        """\
import torch
import torch.nn as nn
conv = nn.Conv2d(3, 16, 3)
y = conv(torch.randn(3, 32, 32))
z = conv(torch.randn(2, 3, 32, 32))
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn as nn
bn = nn.BatchNorm1d(8)
y = bn(torch.randn(4, 8, 2, 2))  # E: SHP302
""",
        """\
import torch
import torch.nn as nn
conv = nn.Conv2d(3, 16, 3)
y = conv(torch.randn(3, 32))  # E: SHP302
""",
    ]
