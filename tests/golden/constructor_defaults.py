"""Classes no code builds, run with their constructor's literal size defaults. A finding that
holds for every value of a parameter stays general; one only the defaults show says which defaults
it assumed; one the defaults make pass (a parameter whose default is the size the code hard-wires)
is not reported."""
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, sizes=(784, 256, 128, 10)):
        super().__init__()
        self.a = nn.Linear(sizes[0], sizes[1])
        self.b = nn.Linear(sizes[2], sizes[3])

    def forward(self, x):
        return self.b(self.a(x))  # E: SHP301 "with the defaults sizes=(784, 256, 128, 10)"


class ChainedMLP(nn.Module):
    def __init__(self, sizes=(784, 256, 128, 10)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Lin(nn.Module):
    """Wrong for every ``hidden``: the message is general, it names no default."""

    def __init__(self, hidden=128):
        super().__init__()
        self.a = nn.Linear(4, hidden)
        self.b = nn.Linear(2 * hidden, 3)

    def forward(self, x):
        return self.b(self.a(x))  # E: SHP301 "2*hidden"


class HardWired(nn.Module):
    """Works with its default (256): not a bug of the code as written."""

    def __init__(self, hidden=256):
        super().__init__()
        self.a = nn.Linear(4, hidden)
        self.b = nn.Linear(256, 3)

    def forward(self, x):
        return self.b(self.a(x))


class Deep(nn.Module):
    def __init__(self, width=64, depth=3):
        super().__init__()
        layers = [nn.Linear(width, width) for _ in range(depth)]
        layers.append(nn.Linear(2 * width, 1))  # E: SHP301 "with the defaults width=64"
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class ConvNet(nn.Module):
    def __init__(self, channels=(3, 16, 32), num_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(channels[0], channels[1], 3, padding=1)
        self.c2 = nn.Conv2d(channels[1], channels[2], 3, padding=1)
        self.fc = nn.Linear(channels[2], num_classes)

    def forward(self, x):
        x = self.c2(self.c1(x))
        return self.fc(x.mean(dim=(2, 3)))


class BadConvNet(nn.Module):
    def __init__(self, channels=(3, 16, 32)):
        super().__init__()
        self.c1 = nn.Conv2d(channels[0], channels[1], 3, padding=1)
        self.c2 = nn.Conv2d(channels[2], channels[2], 3, padding=1)

    def forward(self, x):
        return self.c2(self.c1(x))  # E: SHP301 "with the defaults channels=(3, 16, 32)"
