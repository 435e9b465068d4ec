"""Size arithmetic (issue 8): sizes are positive integers, so floor and integer arithmetic on them
is decided where it can be. `dim // 2` is never `dim` and `2 * hidden` never `hidden`: those are
errors whose message says the sizes never match (not "holds only if"); `h // p` against `h`
(p may be 1) and `(h // p) * p` against `h` (p may divide h) stay silent.
"""
import torch
import torch.nn as nn


class HalfHead(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(4, dim)
        self.half = nn.Linear(dim // 2, 10)
        self.full = nn.Linear(dim, 10)

    def forward(self, x):
        h = self.proj(x)
        y = self.full(h)
        return self.half(h)  # E: SHP301 "the sizes never match: dim != floor(dim/2) for every dim >= 1"


class Doubled(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.a = nn.Linear(4, hidden)
        self.b = nn.Linear(2 * hidden, 3)

    def forward(self, x):
        return self.b(self.a(x))  # E: SHP301 "hidden != 2*hidden for every hidden >= 1"


class TwoParams(nn.Module):
    def __init__(self, hidden, embed):
        super().__init__()
        self.a = nn.Linear(4, embed)
        self.b = nn.Linear(hidden, 3)

    def forward(self, x):
        return self.b(self.a(x))  # E: SHP301 "holds only if embed == hidden"


class MaybeOne(nn.Module):
    def __init__(self, dim, p):
        super().__init__()
        self.a = nn.Linear(4, dim)
        self.b = nn.Linear(dim // p, 3)
        self.c = nn.Linear((dim // p) * p, 3)

    def forward(self, x):
        h = self.a(x)
        return self.b(h) + self.c(h)


class Attention(nn.Module):
    def __init__(self, dim, heads, dim_head):
        super().__init__()
        inner_dim = dim_head * heads
        self.heads = heads
        self.to_qkv = nn.Linear(dim, inner_dim * 3)
        self.to_out = nn.Linear(inner_dim, dim)

    def forward(self, x):
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        reveal_shape(v)  # revealed: (*, dim_head*heads)
        return self.to_out(v)


class PatchEmbed(nn.Module):
    def __init__(self, image_size, patch_size, dim):
        super().__init__()
        num_patches = (image_size // patch_size) ** 2
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
        self.tokens = nn.Parameter(torch.randn(1, num_patches, dim))

    def forward(self):
        x = torch.cat([self.cls_token, self.tokens], dim=1)
        ok = x + self.pos_embedding
        return self.tokens + self.pos_embedding  # E: SHP501 "the sizes never match"


def conv_size(h):
    x = torch.randn(2, 3, h, h)
    y = nn.Conv2d(3, 8, 3, stride=2)(x)
    reveal_shape(y)  # revealed: (2, 8, floor((h - 3)/2) + 1, floor((h - 3)/2) + 1)
    same = nn.Conv2d(3, 8, 3, padding=1)(x)
    ok = torch.cat([same, x], dim=1)
    maybe = y + x[:, :1]  # broadcasts where the output is 1 wide (h = 3 or 4)
    return torch.cat([y, x], dim=1)  # E: SHP201 "the sizes never match"
