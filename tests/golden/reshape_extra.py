"""Formerly pending, now met: results the checker leaves unknown (no false finding, just no shape).

expected vs got, line by line: the named-tuple results of reductions (`x.max(dim=1).values`,
`torch.topk(...).values`) -> unknown; `x.type(torch.float16)` -> unknown; `np.linspace(0, 1, 50)`
-> unknown.
"""
import numpy as np
import torch

x = torch.randn(4, 3, 8, 8)
reveal_shape(x.max(dim=1).values)  # revealed: (4, 8, 8)
reveal_shape(torch.topk(x, 2, dim=-1).values)  # revealed: (4, 3, 8, 2)
reveal_shape(x.type(torch.float16))  # revealed: (4, 3, 8, 8)
reveal_shape(np.linspace(0, 1, 50))  # revealed: (50,)
