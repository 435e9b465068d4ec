"""A torch Sequential is a chain when it is called, a list of layers when it is iterated by hand:
its construction is checked as a chain unless the code loops over it."""
import io

import torch
import torch.nn as nn


class Heads(nn.Module):
    """Two heads on the same features, kept in a Sequential and applied one by one: no chain."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.heads = nn.Sequential(nn.Linear(16, 1), nn.Linear(16, 1))

    def forward(self, x):
        h = self.body(x)
        return torch.cat([head(h) for head in self.heads], dim=1)


reveal_shape(Heads()(torch.zeros(4, 8)))  # revealed: (4, 2)

# a Sequential never called nor iterated is still a chain that cannot run
chain = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(16, 1))  # runtime: ok (raises when called)  # E: SHP301

# called on a batch the checker cannot see into, the chain still runs
buf = io.BytesIO()
torch.save(torch.randn(4, 10), buf)
mlp = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
reveal_shape(mlp(torch.load(io.BytesIO(buf.getvalue()))))  # revealed: (*, 3)
with torch.no_grad():
    chain(torch.zeros(2, 16))  # runtime: raises (the chain above)
