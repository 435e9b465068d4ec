"""SHP303 flatten-size."""
from __future__ import annotations

from shapecheck.rule import Rule


class FlattenSize(Rule):
    """## What it does
    Checks the size a Linear/Dense expects after a flatten against the flattened size.

    ## Why is this bad?
    The flattened size of a conv stack is easy to miscount; the message shows the derivation
    (`16*5*5 = 400, not 256`).

    ## Example
    ```python
    import torch
    import torch.nn as nn
    fc = nn.Linear(16 * 4 * 4, 10)
    y = fc(torch.randn(1, 16, 5, 5).flatten(1))  # SHP303
    ```
    """

    CODE = "SHP303"
    NAME = "flatten-size"
    SEVERITY = "error"
    VALID = ['import torch\nimport torch.nn as nn\nfc = nn.Linear(16 * 5 * 5, 10)\ny = fc(torch.randn(1, 16, 5, 5).flatten(1))\n']
    INVALID = ['import torch\nimport torch.nn as nn\nfc = nn.Linear(16 * 4 * 4, 10)\ny = fc(torch.randn(1, 16, 5, 5).flatten(1))  # E: SHP303\n']
