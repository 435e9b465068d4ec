"""Idioms of the model zoos' attention and container code (timm's Attention, ConViT's MHSA,
torchvision's DenseNet): ``B, N, C = x.shape`` proves a tensor of unknown rank has rank 3 and names
its sizes; a scale the checker cannot compute (``head_dim ** -0.5``) is still a number, so
``attn * scale`` keeps attn's shape; ``enumerate``/``zip`` of a ModuleList and a ModuleDict's
``items()`` iterate the modules; ``functools.partial``'s ``func`` and ``keywords``."""
import functools
import os

import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim, num_heads=8):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class WideHeads(nn.Module):
    """Never built: its run with the defaults (dim=64, num_heads=8) finds the head size doubled."""

    def __init__(self, dim=64, num_heads=8):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3)

    def forward(self, x):
        B, N, C = x.shape
        return self.qkv(x).reshape(B, N, 3, self.num_heads, 2 * (C // self.num_heads))  # E: SHP401 "never match"


class OffByOne(nn.Module):
    """Never built: ``C`` is what ``qkv`` binds, so the projection built for ``dim + 1`` never fits."""

    def __init__(self, dim, num_heads=8):
        super().__init__()
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim + 1, dim)

    def forward(self, x):
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, C).unbind(2)
        return self.proj((q @ k.transpose(-2, -1)).softmax(-1) @ v)  # E: SHP301 "never"


attention = Attention(64, num_heads=4)
out = attention(torch.randn(2, 10, 64))
reveal_shape(out)  # revealed: (2, 10, 64)

dim = int(os.environ.get("SHAPECHECK_GOLDEN_DIM", "64"))
scaled = torch.randn(2, 3) * dim ** -0.5
reveal_shape(scaled)  # revealed: (2, 3)


class DenseBlock(nn.ModuleDict):
    def __init__(self, n, c, growth):
        super().__init__()
        for i in range(n):
            self.add_module("layer%d" % (i + 1), nn.Conv2d(c + i * growth, growth, 3, padding=1))

    def forward(self, x):
        features = [x]
        for name, layer in self.items():
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)


block = DenseBlock(3, 8, 4)
dense = block(torch.randn(1, 8, 16, 16))
reveal_shape(dense)  # revealed: (1, 20, 16, 16)
head = nn.Conv2d(16, 2, 1)
logits = head(dense)  # E: SHP301


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)] + [nn.Linear(8, 4)])
        self.norms = nn.ModuleList([nn.LayerNorm(8) for _ in range(3)] + [nn.LayerNorm(4)])

    def forward(self, x):
        for i, blk in enumerate(self.blocks):
            x = blk(x)
        return x

    def normed(self, x):
        for blk, norm in zip(self.blocks, self.norms):
            x = norm(blk(x))
        return x


stack = Stack()
tokens = stack(torch.randn(2, 8))
reveal_shape(tokens)  # revealed: (2, 4)
reveal_shape(stack.normed(torch.randn(2, 8)))  # revealed: (2, 4)
classifier = nn.Linear(8, 2)
scores = classifier(tokens)  # E: SHP301

norm_layer = functools.partial(nn.BatchNorm2d, eps=1e-3)
norm = norm_layer.func(16, **norm_layer.keywords)
normed = norm(torch.randn(2, 8, 4, 4))  # E: SHP301
