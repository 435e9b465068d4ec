"""Formerly pending, now met: children of nn.Sequential(OrderedDict) by attribute.

expected: `named.fc1(x)` is the child Linear(784, 64) applied, revealed (32, 64), and a
mismatching input reported (SHP301); got: unknown, and nothing reported.
"""
from collections import OrderedDict

import torch
import torch.nn as nn

x = torch.randn(32, 784)
named = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 64)), ("act", nn.ReLU()), ("fc2", nn.Linear(64, 10))]))
reveal_shape(named(x))  # revealed: (32, 10)
reveal_shape(named.fc1(x))  # revealed: (32, 64)
wrong = named.fc2(x)  # E: SHP301
