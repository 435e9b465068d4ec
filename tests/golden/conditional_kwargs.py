"""Keyword dicts filled under conditions the checker cannot decide, as model zoos build them
(timm's builder sets ``num_classes`` and ``img_size`` from a pretrained config it looks up in a
registry): a key one branch sets may be absent, so the parameter it binds is that value or its
default, and the keys no branch sets are surely not there -- ``replace(cfg, **kwargs)`` keeps the
fields no keyword names. A tuple extended under such a condition is one of the two, and a loop
over it runs each."""
import json
import os
from dataclasses import dataclass, replace

import torch
from torch import nn


@dataclass
class Cfg:
    widths: tuple = (16, 32)
    depth: int = 1


class Net(nn.Module):
    def __init__(self, cfg, num_classes=10, **kwargs):
        super().__init__()
        cfg = replace(cfg, **kwargs)
        self.stem = nn.Conv2d(3, cfg.widths[0], 3, padding=1)
        self.blocks = nn.Sequential(*[nn.Conv2d(cfg.widths[0], cfg.widths[0], 3, padding=1)
                                      for _ in range(cfg.depth)])
        self.proj = nn.Conv2d(cfg.widths[0], cfg.widths[-1], 1)
        self.head = nn.Linear(cfg.widths[0], num_classes)  # built for the first width, gets the last

    def forward(self, x):
        x = self.proj(self.blocks(self.stem(x)))
        return self.head(x.mean((2, 3)))  # E: SHP301


def defaults_from(pretrained, kwargs):
    names = ("num_classes",)
    if pretrained.get("fixed_input_size", False):
        names += ("img_size",)
    for n in names:
        value = pretrained.get(n, None)
        if value is not None:
            kwargs.setdefault(n, value)


pretrained = json.loads(os.environ.get("NET_PRETRAINED_CFG", '{"num_classes": 5}'))  # (known at run time)
kwargs = {}
defaults_from(pretrained, kwargs)
reveal_shape("num_classes" in kwargs)  # revealed: unknown
reveal_shape("depth" in kwargs)  # revealed: False
reveal_shape(kwargs.get("num_classes", 10))  # revealed: unknown
net = Net(Cfg(), **kwargs)  # (depth and widths: the config's, no keyword names them)

if __name__ == "__main__":
    net(torch.randn(2, 3, 8, 8))
