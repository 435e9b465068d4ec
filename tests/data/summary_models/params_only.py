"""A model made only of its own parameters and a buffer: no submodule at all."""
import torch
from torch import nn


class Affine(nn.Module):
    def __init__(self, n_in=8, n_out=16):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.zeros(n_out))
        self.register_buffer("scale", torch.ones(n_out))

    def forward(self, x):
        return (x @ self.weight.T + self.bias) * self.scale


model = Affine()
x = torch.randn(5, 8)
out = model(x)
