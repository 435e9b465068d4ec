"""A residual block that widens 32 channels to 64 but adds its input back unprojected: the
shortcut still has 32 channels (``self.proj`` is built and never used)."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.proj = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + x)  # bug: x has c_in channels; self.proj(x) has c_out


class Net(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, padding=1)
        self.block = Block(32, 64)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(64, classes)

    def forward(self, x):
        x = self.block(torch.relu(self.stem(x)))
        return self.head(torch.flatten(self.pool(x), 1))


if __name__ == "__main__":
    net = Net()
    print(net(torch.randn(8, 3, 32, 32)).shape)
