"""SHP205 stack-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class StackMismatch(Rule):
    """## What it does
    Checks that the inputs of `torch.stack` / `np.stack` all have exactly the same shape.

    ## Why is this bad?
    Unlike `cat`, `stack` adds a new axis and needs identical shapes; one odd input raises at run
    time (`stack expects each tensor to be equal size, but got [48, 48] at entry 0 and [64, 64]
    at entry 1`) -- typically an image that was not resized, or a last batch that is smaller.

    ## Example
    ```python
    import numpy as np

    c = np.stack([np.zeros((48, 48)), np.zeros((64, 64))])  # SHP205
    ```

    Use instead: inputs of one shape (resize or pad first), or `concatenate` to join along an
    existing axis.
    ```python
    c = np.stack([np.zeros((48, 48)), np.zeros((48, 48))])  # (2, 48, 48)
    ```
    """

    CODE = "SHP205"
    NAME = "stack-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
c = np.stack([np.zeros((48, 48)), np.zeros((48, 48))])
""",
        """\
import torch
a = torch.randn(4, 3)
s = torch.stack([a, a, a], dim=1)
""",
    ]
    INVALID = [
        """\
import numpy as np
c = np.stack([np.zeros((48, 48)), np.zeros((64, 64))])  # E: SHP205
""",
        """\
import torch
a = torch.randn(4, 3)
s = torch.stack([a, a.t()])  # E: SHP205
""",
    ]
