"""SHP305 recurrent-layout."""
from __future__ import annotations

from shapecheck.rule import Rule


class RecurrentLayout(Rule):
    """## What it does
    Checks that a recurrent layer gets its input in the layout it was built for.

    Covers `nn.RNN`, `nn.LSTM`, `nn.GRU`: `(batch, seq, feature)` with `batch_first=True`, `(seq,
    batch, feature)` otherwise (the default). It reports only where the layout is contradicted by
    something else in the program -- the initial state's batch size, or sizes known to be the batch.

    ## Why is this bad?
    A recurrent layer fed the other layout treats the batch as time and the time as batch: it
    either raises on the initial state (`Expected hidden size (1, 9, 24), got [1, 3, 24]`) or,
    without one, runs and silently learns from sequences mixed across samples.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    gru = nn.GRU(12, 24, batch_first=True)
    out, h = gru(torch.randn(9, 3, 12), torch.zeros(1, 3, 24))  # SHP305: batch is 3 per h0
    ```

    Use instead: the layout the layer was built for (`x.transpose(0, 1)`), or build the layer
    with the `batch_first` that matches the data.
    ```python
    out, h = gru(torch.randn(3, 9, 12), torch.zeros(1, 3, 24))
    ```
    """

    CODE = "SHP305"
    NAME = "recurrent-layout"
    SEVERITY = "error"
    VALID = [
        """\
import torch
import torch.nn as nn
gru = nn.GRU(12, 24, batch_first=True)
out, h = gru(torch.randn(3, 9, 12), torch.zeros(1, 3, 24))
""",
        """\
import torch
import torch.nn as nn
lstm = nn.LSTM(10, 20)
seq = torch.randn(7, 4, 10)
out, (h, c) = lstm(seq, (torch.zeros(1, 4, 20), torch.zeros(1, 4, 20)))
""",
    ]
    INVALID = [
        """\
import torch
import torch.nn as nn
gru = nn.GRU(12, 24, batch_first=True)
out, h = gru(torch.randn(9, 3, 12), torch.zeros(1, 3, 24))  # E: SHP305
""",
        """\
import torch
import torch.nn as nn
lstm = nn.LSTM(10, 20)
seq = torch.randn(4, 7, 10)
out, (h, c) = lstm(seq, (torch.zeros(1, 4, 20), torch.zeros(1, 4, 20)))  # E: SHP305
""",
    ]
