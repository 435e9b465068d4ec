"""Idioms of tutorial code that were false positives (issue 8), each with its buggy variant.

1. `if a != b: raise ...` teaches the analysis `a == b` on the path past it, as `assert a == b`
   does, in the function and in what `__init__` builds for `forward`.
2. `torch.tensor([t1, t2])` of 0-d or one-element tensors is `(2,)` (each is read as a number).
3. Weight tying (`decoder.weight = encoder.weight`) of `Embedding(ntoken, ninp)` and
   `Linear(nhid, ntoken)` works where the caller passes ninp == nhid: SHP601 only where the sizes
   can never be equal.
4. SHP502 only for a column and a row of the same size (`(N, 1)` against `(N,)`), not for a
   deliberate outer product of `(n, 1)` and `(1, m)`.
"""
import torch
import torch.nn as nn


def guarded_matmul(d_in, d_out):
    if d_in != d_out:
        raise ValueError("d_in and d_out must match")
    return torch.ones(3, d_in) @ torch.ones(d_out, 3)


def unguarded_matmul(d_in, d_out):
    if d_in == d_out:
        print("square")
    return torch.ones(3, d_in) @ torch.ones(d_out, 3)  # E: SHP102 "holds only if d_in == d_out"


class GuardedBlock(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.d_in = d_in
        if d_in != d_out:
            raise ValueError("residual needs d_in == d_out")
        self.a = nn.Linear(4, self.d_in)
        self.b = nn.Linear(d_out, 10)

    def forward(self, x):
        return self.b(self.a(x))


class AssertedBlock(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        assert d_in == d_out, "residual needs d_in == d_out"
        self.a = nn.Linear(4, d_in)
        self.b = nn.Linear(d_out, 10)

    def forward(self, x):
        return self.b(self.a(x))


class UnguardedBlock(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.a = nn.Linear(4, d_in)
        self.b = nn.Linear(d_out, 10)

    def forward(self, x):
        return self.b(self.a(x))  # E: SHP301 "holds only if d_in == d_out"


t1 = torch.tensor(1.0)
t2 = torch.tensor(2.0)
reveal_shape(torch.tensor([t1, t2]))  # revealed: (2,)
u = torch.ones(1)
reveal_shape(torch.tensor([u, u, u]))  # revealed: (3,)
reveal_shape(torch.tensor([[u], [u]]))  # revealed: (2, 1)
losses = torch.tensor([t1, t2])
total = losses @ torch.ones(2)
wrong = losses @ torch.ones(3)  # E: SHP101


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight


class TiedTwice(nn.Module):
    def __init__(self, ntoken, ninp):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.decoder = nn.Linear(2 * ninp, ntoken)
        self.decoder.weight = self.encoder.weight  # E: SHP601


encoder = nn.Embedding(100, 32)
decoder = nn.Linear(64, 100)
decoder.weight = encoder.weight  # E: SHP601


def pairwise(n, m):
    a = torch.ones(n, 1)
    b = torch.ones(1, m)
    return a + b


outer = torch.ones(3, 1) * torch.ones(1, 4)
y_true = torch.randn(100, 1)
y_pred = torch.randn(100)
residual = y_true - y_pred  # E: SHP502
