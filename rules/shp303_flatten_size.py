"""SHP303 flatten-size."""
from __future__ import annotations

from shapecheck.rule import Rule


class FlattenSize(Rule):
    """## What it does
    Checks the size a Linear/Dense after a flatten expects against the flattened size.

    Checks the input size of a `Linear` (or Keras `Dense`) that follows a flatten (`torch.flatten`,
    `x.flatten(1)`, `x.view(x.size(0), -1)`, `nn.Flatten`) against the flattened size of the tensor
    that reaches it. The message shows the derivation, e.g. `16*5*5 = 400, not 256`.

    ## Why is this bad?
    The flattened size of a convolution stack depends on the input resolution, the kernels,
    strides, paddings and poolings; it is easy to miscount, and the classic mistake (a LeNet
    written for 28x28 inputs fed 32x32 images) raises only at the first forward pass.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    fc = nn.Linear(16 * 4 * 4, 10)
    y = fc(torch.randn(1, 16, 5, 5).flatten(1))  # SHP303: 16*5*5 = 400, not 256
    ```

    Use instead: the size the message derives -- or `nn.LazyLinear(10)`, which infers it.
    ```python
    fc = nn.Linear(16 * 5 * 5, 10)
    ```
    """

    CODE = "SHP303"
    NAME = "flatten-size"
    SEVERITY = "error"
    SUPERSEDES = ("layer-input-mismatch",)
    VALID = [
        """\
import torch
import torch.nn as nn
fc = nn.Linear(16 * 5 * 5, 10)
y = fc(torch.randn(1, 16, 5, 5).flatten(1))
""",
        """\
import torch
import torch.nn as nn
net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 10))
y = net(torch.randn(4, 1, 28, 28))
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn as nn
fc = nn.Linear(16 * 4 * 4, 10)
y = fc(torch.randn(1, 16, 5, 5).flatten(1))  # E: SHP303 "16*5*5"
""",
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc1(x)  # E: SHP303
out = LeNet()(torch.randn(4, 1, 32, 32))
""",
    ]
