"""SHP601 weight-layout."""
from __future__ import annotations

from shapecheck.rule import Rule


class WeightLayout(Rule):
    """## What it does
    Checks the shape of weights copied, assigned or loaded into a parameter.

    In detail: `param.copy_(w)`, `param.data = w`, `layer.weight = nn.Parameter(w)`,
    `load_state_dict` of a literal dict, Keras `set_weights`. Where the weight is the transpose of
    what fits, the message says which layout it is in: torch stores `nn.Linear.weight` as `(out,
    in)` and a conv kernel as `(out, in, *kernel)`; Keras/TF store a Dense kernel as `(in, out)` and
    a conv kernel as `(*kernel, in, out)`.

    ## Why is this bad?
    `copy_` and `load_state_dict` raise at run time (`size mismatch for weight: copying a param
    with shape torch.Size([3, 2]) from checkpoint, the shape in current model is
    torch.Size([2, 3])`); `param.data = w` does not raise at all and leaves a layer whose next
    forward pass fails, or -- for a square weight -- computes with the transposed matrix.
    Porting weights between Keras and torch is the usual source.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    layer = nn.Linear(3, 2)  # weight is (out, in) = (2, 3)
    kernel = torch.zeros(3, 2)  # a Keras Dense kernel: (in, out)
    with torch.no_grad():
        layer.weight.copy_(kernel)  # SHP601
    ```

    Use instead:
    ```python
    with torch.no_grad():
        layer.weight.copy_(kernel.T)
    ```
    """

    CODE = "SHP601"
    NAME = "weight-layout"
    SEVERITY = "error"
    VALID = [
        """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.copy_(torch.zeros(2, 3))
    layer.bias.copy_(torch.zeros(2))
""",
        """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 2)
layer.load_state_dict({"weight": torch.zeros(2, 3), "bias": torch.zeros(2)})
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.copy_(torch.zeros(3, 2))  # E: SHP601
""",
        """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 2)
layer.load_state_dict({"weight": torch.zeros(3, 2), "bias": torch.zeros(2)})  # E: SHP601
""",
        """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 2)
layer.weight.data = torch.zeros(3, 2)  # E: SHP601
""",
    ]
