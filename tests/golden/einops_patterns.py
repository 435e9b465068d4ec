"""einops as a shape language: patterns checked against the shapes they meet (axis counts,
composed axes that must divide, names on one side only), and their results."""
import torch
from einops import einsum, pack, rearrange, reduce, repeat, unpack
from einops.layers.torch import Rearrange, Reduce
from torch import nn

img = torch.randn(2, 3, 32, 32)
patches = rearrange(img, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=8, p2=8)
reveal_shape(patches)  # revealed: (2, 16, 192)
bad_patches = rearrange(img, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=5, p2=5)  # E: SHP401 "32 is not divisible by 5"
wrong_rank = rearrange(img, "b (h w) c -> b h w c", h=4)  # E: SHP103 "names 3 axes"
one_side = rearrange(img, "b c h w -> b c h")  # E: SHP103 "axes on one side only: w"
contradicts = rearrange(img, "b c h w -> b h w c", c=4)  # E: SHP401 "the axis 'c' is 3"

cls = torch.randn(1, 1, 192)
cls_tokens = repeat(cls, "1 1 d -> b 1 d", b=2)
reveal_shape(cls_tokens)  # revealed: (2, 1, 192)
no_size = repeat(cls, "1 1 d -> b 1 d")  # E: SHP401 "no size given for the new axes b"

pooled = reduce(img, "b c (h 2) (w 2) -> b c h w", "max")
reveal_shape(pooled)  # revealed: (2, 3, 16, 16)
gap = reduce(img, "b c h w -> b c", "mean")
reveal_shape(gap)  # revealed: (2, 3)

q = torch.randn(2, 4, 16, 8)
k = torch.randn(2, 4, 16, 8)
dots = einsum(q, k, "b h i d, b h j d -> b h i j")
reveal_shape(dots)  # revealed: (2, 4, 16, 16)
bad_dots = einsum(q, torch.randn(2, 4, 16, 7), "b h i d, b h j d -> b h i j")  # E: SHP103 "axis d is 8"

tokens, ps = pack([cls_tokens, patches], "b * d")
reveal_shape(tokens)  # revealed: (2, 17, 192)
cls_out, patch_out = unpack(tokens, ps, "b * d")
reveal_shape(patch_out)  # revealed: (2, 16, 192)

to_patch = nn.Sequential(
    Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=8, p2=8),
    nn.Linear(8 * 8 * 3, 64),
)
reveal_shape(to_patch(img))  # revealed: (2, 16, 64)
head = nn.Sequential(Reduce("b n d -> b d", "mean"), nn.Linear(64, 10))
reveal_shape(head(to_patch(img)))  # revealed: (2, 10)
bad_head = nn.Sequential(Rearrange("b c h w -> b (c h w)"), nn.Linear(3 * 32 * 31, 10))  # runtime: ok (raises at the call below)  # E: SHP303
y = bad_head(img)  # runtime: raises


class Attention(nn.Module):
    """Symbolic sizes: ``(h d)`` of an ``inner_dim = dim_head * heads`` axis divides exactly."""

    def __init__(self, dim, heads=8, dim_head=64):
        super().__init__()
        inner_dim = dim_head * heads
        self.heads = heads
        self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
        self.to_out = nn.Linear(inner_dim, dim)

    def forward(self, x):
        qkv = self.to_qkv(x).chunk(3, dim=-1)
        q, k, v = map(lambda t: rearrange(t, "b n (h d) -> b h n d", h=self.heads), qkv)
        out = rearrange(q, "b h n d -> b n (h d)")
        return self.to_out(out)


class SplitHeads(nn.Module):
    """``dim`` need not be divisible by ``heads`` as far as the file tells: no finding."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        x = rearrange(self.proj(x), "b n (h d) -> b h n d", h=self.heads)
        reveal_shape(x)  # revealed: (b, heads, n, floor(dim/heads))
        return x
