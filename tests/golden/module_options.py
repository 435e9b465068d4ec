"""A module built one of several ways (``nn.Linear(3 * d, d) if pool else nn.Linear(d, d)``) runs
each way on the input as on a branch of its own: the caller picks the input with the option, so
what one option binds of an input's unknown sizes does not constrain the other. What every option
binds still holds after the call."""
import torch
from torch import nn


class ClassificationHead(nn.Module):
    def __init__(self, hidden_size, num_labels, pool_feature=False):
        super().__init__()
        if pool_feature:
            self.dense = nn.Linear(hidden_size * 3, hidden_size)
        else:
            self.dense = nn.Linear(hidden_size, hidden_size)
        self.out_proj = nn.Linear(hidden_size, num_labels)

    def forward(self, x):
        x = torch.tanh(self.dense(x))
        return self.out_proj(x)


class GatedHead(nn.Module):
    def __init__(self, hidden_size, gated=False):
        super().__init__()
        if gated:
            self.dense = nn.Sequential(nn.Linear(hidden_size, hidden_size), nn.Sigmoid())
        else:
            self.dense = nn.Linear(hidden_size, hidden_size)
        self.wide = nn.Linear(2 * hidden_size, hidden_size)

    def forward(self, x):
        y = self.dense(x)
        return y + self.wide(x)  # E: SHP301 "never match"


head = ClassificationHead(16, 4, pool_feature=True)
reveal_shape(head(torch.randn(2, 48)))  # revealed: (2, 4)
