"""timm's layer factories: ``'silu' in dir(F)`` (the checker knows ``F.silu``), ``any``/``all`` of
known items (``get_padding``), ``sum(lists, [])``; a factory whose ``try`` returns the module it
built (the ``except TypeError`` fallback is not taken); a block whose call sites pass
``conv_block=partial(ConvBN, padding=0)`` is not judged by its default ``conv_block``."""
import functools

import torch
import torch.nn.functional as F
from torch import nn

has_silu = "silu" in dir(F)
reveal_shape(has_silu)  # revealed: True


def get_padding(kernel_size, stride=1, dilation=1):
    if any([isinstance(v, (tuple, list)) for v in [kernel_size, stride, dilation]]):
        return [get_padding(*a) for a in zip(kernel_size, stride, dilation)]
    return ((stride - 1) + dilation * (kernel_size - 1)) // 2


reveal_shape(get_padding(3, 2))  # revealed: int 1
strides = sum([[s] + [1] * (n - 1) for s, n in zip([1, 2, 2], [1, 2, 3])], [])
reveal_shape(strides)  # revealed: [int 1, int 2, int 1, int 2, int 1, int 1]


class Blur(nn.Module):
    def __init__(self, channels=None, stride=2):
        super().__init__()
        c = channels or 1
        self.conv = nn.Conv2d(c, c, 3, stride=stride, padding=1, groups=c)

    def forward(self, x):
        return self.conv(x)


def create_aa(aa_layer, channels, stride=2):
    try:
        return aa_layer(channels=channels, stride=stride)
    except TypeError:
        return aa_layer(stride)


blur = create_aa(Blur, 8)
reveal_shape(blur(torch.randn(1, 8, 16, 16)))  # revealed: (1, 8, 8, 8)


class ConvBN(nn.Module):
    def __init__(self, cin, cout, kernel_size=1, stride=1, padding=None):
        super().__init__()
        pad = get_padding(kernel_size, stride) if padding is None else padding
        self.conv = nn.Conv2d(cin, cout, kernel_size, stride=stride, padding=pad)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Mixed(nn.Module):
    """With its default conv_block the two branches disagree on the size (padding 1 against the
    pool's 0); the model passes ``padding=0``."""

    def __init__(self, conv_block=ConvBN):
        super().__init__()
        self.pool = nn.MaxPool2d(3, stride=2)
        self.conv = conv_block(16, 32, kernel_size=3, stride=2)

    def forward(self, x):
        return torch.cat((self.pool(x), self.conv(x)), 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        conv_block = functools.partial(ConvBN, padding=0)
        self.stem = conv_block(3, 16, kernel_size=3)
        self.mixed = Mixed(conv_block=conv_block)

    def forward(self, x):
        return self.mixed(self.stem(x))


net = Net()
reveal_shape(net(torch.randn(1, 3, 33, 33)))  # revealed: (1, 48, 15, 15)


class Branch(nn.Module):
    def __init__(self, cin, conv_block=None):
        super().__init__()
        conv_block = conv_block or ConvBN
        self.conv = conv_block(cin, 8, kernel_size=3)

    def forward(self, x):
        return self.conv(x)


unpadded = functools.partial(ConvBN, padding=0)
branch = Branch(4, conv_block=unpadded)
reveal_shape(branch(torch.randn(1, 4, 10, 10)))  # revealed: (1, 8, 8, 8)


def make_norm(channels, norm_kwargs=None):
    norm_kwargs = {**(norm_kwargs or {})}
    return nn.BatchNorm2d(channels, **norm_kwargs)


norm_factory = functools.partial(make_norm, norm_kwargs=dict(eps=1e-3))
norm = norm_factory(8)
reveal_shape(norm(torch.randn(2, 8, 4, 4)))  # revealed: (2, 8, 4, 4)
