"""Formerly pending, now met: the column-times-row warning (SHP502).

1. expected: after the SHP502 warning the program still runs, so the value is the broadcast
   result, revealed (5, 5); got: unknown (the warning loses the value and everything
   downstream of it goes unchecked).
2. expected: no finding for an outer product spelled out with explicit new axes
   (`v[:, None] * v[None, :]`): the author inserted the axes on purpose; got: SHP502, and the
   value unknown.
"""
import numpy as np
import torch

features = torch.randn(1, 5)
weights = torch.randn_like(features)
outer = features.t() * weights  # E: SHP502
reveal_shape(outer)  # revealed: (5, 5)

y_pred = np.random.rand(100)
reveal_shape(y_pred[:, None] * y_pred[None, :])  # revealed: (100, 100)
