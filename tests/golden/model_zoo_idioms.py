"""Idioms of model zoos (timm): ``to_2tuple`` helpers, ``torch._assert`` behind an import
fallback, heads that are ``Linear`` or ``Identity``, and a builder that hands its class to a
generic factory."""
import collections.abc
from itertools import repeat

from torch import nn

try:
    from torch import _assert
except ImportError:
    def _assert(condition: bool, message: str):
        assert condition, message


def _ntuple(n):
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))
    return parse


to_2tuple = _ntuple(2)


def sizes(img_size=224, patch_size=16, dim=512, hidden=None):
    mlp_ratio = (0.5, 4.0)
    reveal_shape(to_2tuple(img_size))  # revealed: [int img_size, int img_size]
    reveal_shape(to_2tuple(mlp_ratio))  # revealed: [0.5, 4.0]
    tokens, channels = [int(r * dim) for r in to_2tuple(mlp_ratio)]
    reveal_shape(tokens)  # revealed: int int(r * dim)
    reveal_shape(hidden or channels)  # revealed: unknown
    grid = tuple([s // p for s, p in zip(to_2tuple(img_size), to_2tuple(patch_size))])
    reveal_shape(grid[0] * grid[1])  # revealed: int floor(img_size/patch_size)**2



def mixer_sizes(hidden=None):
    tokens, channels = [int(r * 512) for r in to_2tuple((0.5, 4.0))]
    reveal_shape(tokens)  # revealed: int 256
    reveal_shape(hidden or channels)  # revealed: unknown
    reveal_shape(channels or hidden)  # revealed: int 2048


class Stem(nn.Module):
    def __init__(self, img_size=224, patch_size=16, dim=384):
        super().__init__()
        self.img_size = to_2tuple(img_size)
        self.proj = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        B, C, H, W = x.shape
        _assert(H == self.img_size[0], "height")
        _assert(W == self.img_size[1], "width")
        return self.proj(x).flatten(2).transpose(1, 2)


class Net(nn.Module):
    def __init__(self, num_classes=1000, dim=384, with_head=True):
        super().__init__()
        self.stem = Stem(dim=dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(num_classes, dim) if with_head else nn.Identity()

    def forward(self, x):
        x = self.norm(self.stem(x))
        reveal_shape(x)  # revealed: (B, 196, 384)
        return self.head(x.mean(dim=1))  # E: SHP301


def build_model(cls, **kwargs):
    return cls(**kwargs)


def net_small(**kwargs):
    return build_model(Net, dim=384, **kwargs)
