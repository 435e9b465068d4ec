"""One bug, one finding: what a failing operation produces is unknown downstream, and a layer
applied to it does not give what it guarantees on data the checker cannot see (that holds for a
batch from a loader, not for a value that does not exist). The squeeze-excite block below is
built for 16 channels and gets 32: one finding, not a second one where its gate multiplies the
input, nor one at the head."""
import torch
from torch import nn


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, reduced, 1)
        self.fc2 = nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = self.fc2(torch.relu(self.fc1(s)))  # E: SHP301
        return x * torch.sigmoid(s)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(16, 32, 3, padding=1)
        self.se = SqueezeExcite(16, 4)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        y = self.se(self.conv(x))
        y = y + 1
        return self.head(y.mean((2, 3)))


def run():
    out = Block()(torch.randn(2, 16, 8, 8))
    reveal_shape(out)  # revealed: unknown
    return out


if __name__ == "__main__":
    run()
