"""Convolutions down and transposed convolutions up, with GroupNorm and a 1-d head."""
import torch
from torch import nn


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.GroupNorm(2, 8), nn.SiLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.GroupNorm(4, 16), nn.SiLU(),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 2, stride=2), nn.SiLU(),
            nn.ConvTranspose2d(8, 1, 2, stride=2),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))

    def forward(self, x):
        z = self.down(x)
        return self.up(z), self.head(self.pool(z))


model = AutoEncoder()
x = torch.randn(3, 1, 28, 28)
out = model(x)
