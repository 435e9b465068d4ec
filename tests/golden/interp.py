"""The interpreter: imports and aliases, names, constants, unpacking, augmented assignment,
attributes on self, branches, loops, comprehensions, calls within the file, size arithmetic,
jaxtyping annotations, subclassed layers, Sequential(OrderedDict), ModuleDict, main guard."""
import math
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from jaxtyping import Float
from numpy import dot
from torch import Tensor
from torch.nn import functional as F

HIDDEN = 128
N_CLASSES = 10
BATCH = 32

x = torch.randn(BATCH, 784)
reveal_shape(x)  # revealed: (32, 784)

# ---------------------------------------------------------------- aliases and re-binding
enc = nn.Linear(784, HIDDEN)
h = enc(x)
reveal_shape(h)  # revealed: (32, 128)
h = F.relu(h)
h = nn.Linear(HIDDEN, N_CLASSES)(h)
reveal_shape(h)  # revealed: (32, 10)
bad = nn.Linear(HIDDEN * 2, N_CLASSES)(torch.relu(enc(x)))  # E: SHP301
from torch import nn  # noqa: E402 - the same module again, under the same name

h2 = nn.Linear(784, 64)(x)
reveal_shape(h2)  # revealed: (32, 64)
A = np.ones((5, 4))
B = np.ones((4, 3))
reveal_shape(dot(A, B))  # revealed: (5, 3)
C = dot(A, A)  # E: SHP102
A = A.T  # re-bound: now (4, 5)
reveal_shape(dot(A, np.ones((5, 2))))  # revealed: (4, 2)

# ---------------------------------------------------------------- sizes as values
reveal_shape(x.shape[0])  # revealed: int 32
reveal_shape(x.size(1))  # revealed: int 784
reveal_shape(x.size(-1))  # revealed: int 784
reveal_shape(len(x))  # revealed: int 32
reveal_shape(x.ndim)  # revealed: int 2
reveal_shape(x.dim())  # revealed: int 2
reveal_shape(x.numel())  # revealed: int 25088
reveal_shape(math.prod(x.shape))  # revealed: int 25088
reveal_shape(int(np.prod(A.shape)))  # revealed: int 20
reveal_shape(HIDDEN // 2 + 1)  # revealed: int 65
reveal_shape(int(HIDDEN / 4) * 3)  # revealed: int 96
n_rows, n_cols = x.shape
reveal_shape(n_cols)  # revealed: int 784
b, c, hh, ww = torch.randn(2, 3, 8, 8).shape
reveal_shape(c * hh * ww)  # revealed: int 192
*lead, last = torch.randn(2, 3, 5).size()
reveal_shape(last)  # revealed: int 5
width = 16
width *= 2
width += 1
width //= 3
reveal_shape(width)  # revealed: int 11
fc_from_shape = nn.Linear(x.shape[1], HIDDEN)
reveal_shape(fc_from_shape(x))  # revealed: (32, 128)
fc_wrong = nn.Linear(x.size(1) // 2, HIDDEN)
y_wrong = fc_wrong(x)  # E: SHP301
flat = torch.randn(4, 3, 8, 8).view(4, c * hh * ww)
reveal_shape(flat)  # revealed: (4, 192)

# ---------------------------------------------------------------- augmented assignment on tensors
acc = torch.zeros(BATCH, HIDDEN)
acc += enc(x)
acc = acc * 0.5
reveal_shape(acc)  # revealed: (32, 128)
acc += torch.zeros(HIDDEN + 1)  # E: SHP501


# ---------------------------------------------------------------- functions called with the caller's shapes
def project(inp, weight):
    return inp @ weight  # E: SHP101


def split_heads(t, n_heads):
    b, n, d = t.shape
    return t.view(b, n, n_heads, d // n_heads).transpose(1, 2)


def stats(t):
    return t.mean(dim=0), t.sum(dim=1)


reveal_shape(project(torch.randn(8, 20), torch.randn(20, 5)))  # revealed: (8, 5)
bad_projection = project(torch.randn(8, 20), torch.randn(30, 5))
reveal_shape(split_heads(torch.randn(2, 10, 64), 8))  # revealed: (2, 8, 10, 8)
mu, total = stats(x)
reveal_shape(mu)  # revealed: (784,)
reveal_shape(total)  # revealed: (32,)

# ---------------------------------------------------------------- branches
flag = torch.rand(1).item() > 0.5
if flag:
    z = x @ torch.randn(784, 10)
else:
    z = torch.zeros(BATCH, 10)
reveal_shape(z)  # revealed: (32, 10)
if flag:
    w = x @ torch.randn(784, 10)
else:
    w = x @ torch.randn(784, 20)
wrong_branch = x @ torch.randn(100, 3)  # E: SHP101
if flag:
    inside = x @ torch.randn(10, 784)  # E: SHP102
    inside = x @ torch.randn(784, 10)


# ---------------------------------------------------------------- attributes on self, loops, comprehensions
class Tower(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.act = nn.ReLU()
        self.dim_out = sizes[-1]

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return x


tower = Tower([784, 256, 64, N_CLASSES])
reveal_shape(tower(x))  # revealed: (32, 10)


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(784, 256), nn.Linear(128, 10)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)  # E: SHP301
        return x


broken_out = Broken()(x)


class Stack(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.body = nn.Sequential(*[nn.Linear(dim, dim) for _ in range(depth)])
        self.heads = [nn.Linear(dim, 1) for _ in range(3)]

    def forward(self, x):
        for i in range(len(self.heads)):
            x = x + self.body(x)
        outs = [head(x) for head in self.heads]
        return torch.cat(outs, dim=1)


reveal_shape(Stack(64, 3)(torch.randn(5, 64)))  # revealed: (5, 3)
pairs = [(torch.randn(4, 8), torch.randn(8, 2)) for _ in range(2)]
for left, right in pairs:
    reveal_shape(left @ right)  # revealed: (4, 2)
for left, right in zip([torch.randn(4, 8)], [torch.randn(9, 2)]):
    prod = left @ right  # E: SHP101
seq = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
t = x
for module in seq:
    t = module(t)
reveal_shape(t)  # revealed: (32, 10)


# ---------------------------------------------------------------- jaxtyping annotations
def encode(inp: Float[Tensor, "batch 784"]) -> Float[Tensor, "batch 128"]:
    out = enc(inp)
    reveal_shape(out)  # revealed: (batch, 128)
    return out


def encode_wrong(inp: Float[Tensor, "batch 100"]):
    return enc(inp)  # E: SHP301


def gram(a: Float[Tensor, "n d"], b: Float[Tensor, "m d"]) -> Float[Tensor, "n m"]:
    return a @ b.T


def gram_wrong(a: Float[Tensor, "n d"], b: Float[Tensor, "m d"]):
    return a @ b  # E: SHP102


# ---------------------------------------------------------------- subclassed layers
class MyLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)


class ScaledLinear(nn.Linear):
    def forward(self, inp):
        return super().forward(inp) * 2.0


reveal_shape(MyLinear(784, 64)(x))  # revealed: (32, 64)
reveal_shape(ScaledLinear(784, 32)(x))  # revealed: (32, 32)
my_bad = MyLinear(100, 64)(x)  # E: SHP301

# ---------------------------------------------------------------- Sequential(OrderedDict) and ModuleDict
named = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 64)), ("act", nn.ReLU()), ("fc2", nn.Linear(64, 10))]))
reveal_shape(named(x))  # revealed: (32, 10)
named_bad = nn.Sequential(OrderedDict([
    ("fc1", nn.Linear(784, 64)),
    ("fc2", nn.Linear(32, 10)),  # runtime: ok (raises when called)  # E: SHP301
]))
heads = nn.ModuleDict({"cls": nn.Linear(64, N_CLASSES), "reg": nn.Linear(64, 1)})
feat = torch.randn(BATCH, 64)
reveal_shape(heads["cls"](feat))  # revealed: (32, 10)
reveal_shape(heads["reg"](feat))  # revealed: (32, 1)
head_bad = heads["cls"](x)  # E: SHP301


# ---------------------------------------------------------------- call sites under the main guard
class Encoder(nn.Module):
    def __init__(self, n_in, n_hidden):
        super().__init__()
        self.fc = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_hidden)

    def forward(self, inp):
        return self.out(torch.tanh(self.fc(inp)))  # E: SHP301


if __name__ == "__main__":
    model = Encoder(784, HIDDEN)
    reveal_shape(model(torch.randn(BATCH, 784)))  # revealed: (32, 128)
    res = model(torch.randn(BATCH, 100))
    reveal_shape(gram(torch.randn(3, 5), torch.randn(7, 5)))  # revealed: (3, 7)
