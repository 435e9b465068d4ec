"""Sizes from settings: a config object's fields (``config.n_embd``), a dataclass config built with
its defaults, and ``argparse`` arguments (``args.hidden``). A setting is a size named by its
access path, the same symbol wherever the file reads it; the user picks its value, so two
settings may be equal: only what fails for every value is reported."""
import argparse
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass
class GPTConfig:
    n_embd: int = 64
    n_head: int = 4
    vocab: int = 100

    @property
    def head_dim(self):
        return self.n_embd // self.n_head


# ---------------------------------------------------------------- config fields, no config built
class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.proj = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.out = nn.Linear(2 * config.n_embd, config.n_embd)

    def forward(self, x):
        q = self.proj(x)
        return self.out(q)  # E: SHP301 "3*config.n_embd"


class GoodBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.proj = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.out = nn.Linear(4 * config.n_embd, config.n_embd)
        self.n_embd = config.n_embd

    def forward(self, x):
        y = self.out(torch.relu(self.proj(x)))
        reveal_shape(y)  # revealed: (*, config.n_embd)
        return y.view(-1, self.n_embd)


class TwoFields(nn.Module):
    """Two fields the user may set equal (a model that needs vocab == n_embd): not reported."""

    def __init__(self, config):
        super().__init__()
        self.a = nn.Linear(config.vocab, config.n_embd)
        self.b = nn.Linear(config.vocab, config.n_embd)

    def forward(self, x):
        return self.b(self.a(x))


class Attention(nn.Module):
    """A field computed from others (a property) is no size of its own: nothing to report."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_head * config.head_dim, config.n_embd)
        self.n_head = config.n_head

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        y = (att @ v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)).transpose(1, 2)
        return self.c_proj(y.contiguous().view(B, T, C))


class TypedBlock(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.emb = nn.Embedding(config.vocab, config.n_embd)
        self.head = nn.Linear(2 * config.n_embd, config.vocab)

    def forward(self, idx):
        return self.head(self.emb(idx))  # E: SHP301 "config.n_embd"


# ---------------------------------------------------------------- a config built with its defaults
class Head(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.vocab)

    def forward(self, x):
        return self.fc(x)


cfg = GPTConfig()
head = Head(cfg)
reveal_shape(head(torch.randn(2, 64)))  # revealed: (2, 100)
small = Head(GPTConfig(n_embd=32, vocab=10))
reveal_shape(small(torch.randn(2, 32)))  # revealed: (2, 10)


# ---------------------------------------------------------------- argparse
parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=128)
parser.add_argument("--n-layers", type=int, default=2)
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args([])
reveal_shape(args.hidden)  # revealed: int args.hidden
reveal_shape(args.n_layers)  # revealed: int args.n_layers
net = nn.Sequential(nn.Linear(10, args.hidden), nn.ReLU(), nn.Linear(2 * args.hidden, 1))  # runtime: ok  # E: SHP301
out = net(torch.randn(5, 10))  # runtime: raises (reported on the Linear that does not fit)
good_net = nn.Sequential(nn.Linear(10, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 1))
reveal_shape(good_net(torch.randn(5, 10)))  # revealed: (5, 1)


def train(opts):
    model = nn.Sequential(nn.Linear(10, opts.hidden), nn.Linear(opts.hidden, 1))
    return model(torch.randn(8, 10))


reveal_shape(train(args))  # revealed: (8, 1)


# ---------------------------------------------------------------- data of unknown shape
def as_batch(x):
    a = np.array(x, ndmin=2)
    reveal_shape(a)  # revealed: (*, n, d)
    b = torch.as_tensor(x).view(-1, 512)
    reveal_shape(b)  # revealed: (n, 512)
    return a
