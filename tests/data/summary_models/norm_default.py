"""A constructor default followed: ``norm_layer=None`` becomes nn.BatchNorm2d in __init__."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = norm_layer(c)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(x + self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self, width=16, blocks=2, num_classes=10, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self.stem = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.bn = norm_layer(width)
        self.layers = nn.Sequential(*[Block(width, norm_layer) for _ in range(blocks)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.layers(self.bn(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


model = Net()
x = torch.randn(2, 3, 16, 16)
out = model(x)
