"""SHP301 layer-input-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class LayerInputMismatch(Rule):
    """## What it does
    Checks that the feature or channel size reaching a layer is the one it was built for.

    In detail: `nn.Linear` in_features (last axis), `nn.ConvNd`/`ConvTransposeNd` in_channels (axis
    1, or 0 unbatched), `nn.BatchNormNd` num_features, `nn.LayerNorm` normalized_shape,
    `nn.GroupNorm` num_channels, `nn.RNN`/`LSTM`/`GRU` input_size, `nn.MultiheadAttention`
    embed_dim. Chains are followed through `nn.Sequential`, `ModuleList` loops, `ModuleDict` and
    `forward` methods; a chain that is broken in `nn.Sequential` is reported on the layer that does
    not fit, even if the model is never called in the file. After a flatten, SHP303 (flatten-size)
    is reported instead.

    ## Why is this bad?
    The layer raises at the first forward pass (`mat1 and mat2 shapes cannot be multiplied
    (32x2000 and 1000x4800)`, `expected input[8, 3, 32, 32] to have 1 channels, but got 3
    channels instead`) -- often deep into a training script, after data loading and setup.

    ## Example
    ```python
    import torch.nn as nn

    net = nn.Sequential(
        nn.Linear(4800, 2000),
        nn.Tanh(),
        nn.Linear(1000, 4800),  # SHP301: gets 2000 features
    )
    ```

    Use instead: each layer built for what the previous one produces.
    ```python
    net = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(2000, 4800))
    ```
    """

    CODE = "SHP301"
    NAME = "layer-input-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import torch
import torch.nn as nn
net = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(2000, 4800))
y = net(torch.randn(2, 4800))
""",
        """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)
    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.fc(x.mean(dim=(2, 3)))
out = Net()(torch.randn(8, 3, 32, 32))
""",
        """\
import torch
import torch.nn as nn
lstm = nn.LSTM(input_size=10, hidden_size=20, batch_first=True)
out, (h, c) = lstm(torch.randn(4, 7, 10))
norm = nn.LayerNorm(20)(out)
""",
    ]
    INVALID = [
        """\
import torch.nn as nn
net = nn.Sequential(nn.Linear(4800, 2000), nn.Tanh(), nn.Linear(1000, 4800))  # runtime: ok (fails on call)  # E: SHP301
""",
        """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(128, 10)
    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)  # E: SHP301
out = Net()(torch.randn(32, 784))
""",
        """\
import torch
import torch.nn as nn
img = torch.randn(8, 3, 32, 32)
y = nn.Conv2d(1, 16, 3)(img)  # E: SHP301
z = nn.BatchNorm2d(32)(torch.randn(8, 16, 4, 4))  # E: SHP301
r = nn.LSTM(10, 20, batch_first=True)(torch.randn(4, 7, 12))  # E: SHP301
""",
    ]
