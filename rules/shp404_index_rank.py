"""SHP404 index-rank."""
from __future__ import annotations

from shapecheck.rule import Rule


class IndexRank(Rule):
    """## What it does
    Checks the rank of gather/scatter indices against the input's.

    ## Why is this bad?
    `gather` needs an index with the input's rank; a missing `unsqueeze(-1)` raises.

    ## Example
    ```python
    import torch
    l = torch.randn(2, 9, 50)
    t = torch.randint(0, 50, (2, 9))
    y = l.gather(-1, t)  # SHP404
    ```
    """

    CODE = "SHP404"
    NAME = "index-rank"
    SEVERITY = "error"
    VALID = ['import torch\nl = torch.randn(2, 9, 50)\nt = torch.randint(0, 50, (2, 9))\ny = l.gather(-1, t.unsqueeze(-1))\n']
    INVALID = ['import torch\nl = torch.randn(2, 9, 50)\nt = torch.randint(0, 50, (2, 9))\ny = l.gather(-1, t)  # E: SHP404\n']
