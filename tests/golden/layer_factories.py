"""Layer factories as model zoos write them (timm's ConvNormAct): keyword dicts merged with
``{**dd, **(kw or {})}``, a norm layer looked up from its class's ``__name__`` in a map and
checked against a set of classes, ``isinstance(layer, (type, str, functools.partial))``, an
activation built in a ``try`` with a ``TypeError`` fallback, ``getattr(self, 'aa', None)``."""
import functools
import types

import torch
from torch import nn


class BatchNormAct(nn.BatchNorm2d):
    def __init__(self, num_features, apply_act=True, act_layer=nn.ReLU, act_kwargs=None, device=None, dtype=None):
        super().__init__(num_features, device=device, dtype=dtype)
        self.act = make_act(act_layer, act_kwargs=act_kwargs, apply_act=apply_act)

    def forward(self, x):
        return self.act(super().forward(x))


class GroupNormAct(nn.GroupNorm):
    pass


_NORM_ACT = dict(batchnorm2d=BatchNormAct, groupnorm=GroupNormAct)
_NORM_ACT_TYPES = {m for n, m in _NORM_ACT.items()}
_NEEDS_ACT = {BatchNormAct, GroupNormAct}


def make_act(act_layer, act_kwargs=None, inplace=False, apply_act=True):
    act_kwargs = act_kwargs or {}
    act_kwargs.setdefault("inplace", inplace)
    act = None
    if apply_act:
        try:
            act = act_layer(**act_kwargs)
        except TypeError:
            act = act_layer()
    return nn.Identity() if act is None else act


def norm_act_type(norm_layer, act_layer=None):
    assert isinstance(norm_layer, (type, str, types.FunctionType, functools.partial))
    kwargs = {}
    if isinstance(norm_layer, functools.partial):
        kwargs.update(norm_layer.keywords)
        norm_layer = norm_layer.func
    if norm_layer in _NORM_ACT_TYPES:
        norm_act = norm_layer
    else:
        norm_act = _NORM_ACT.get(norm_layer.__name__.lower(), None)
        assert norm_act is not None
    if norm_act in _NEEDS_ACT:
        kwargs.setdefault("act_layer", act_layer)
    if kwargs:
        norm_act = functools.partial(norm_act, **kwargs)
    return norm_act


class ConvNormAct(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=1, stride=1, norm_layer=nn.BatchNorm2d,
                 act_layer=nn.ReLU, aa_layer=None, conv_kwargs=None, act_kwargs=None, device=None, dtype=None):
        super().__init__()
        dd = {"device": device, "dtype": dtype}
        conv_kwargs = {**dd, **(conv_kwargs or {})}
        act_kwargs = act_kwargs or {}
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=kernel_size // 2,
                              **conv_kwargs)
        self.bn = norm_act_type(norm_layer, act_layer)(out_channels, act_kwargs=act_kwargs, **dd)
        self.aa = aa_layer(out_channels) if aa_layer is not None else None

    def forward(self, x):
        x = self.bn(self.conv(x))  # E: SHP301 "expects in_channels=4"
        aa = getattr(self, "aa", None)
        if aa is not None:
            x = aa(x)
        return x


def factory_values(n=None):
    reveal_shape(nn.BatchNorm2d.__name__.lower())  # revealed: 'batchnorm2d'
    reveal_shape(BatchNormAct in _NORM_ACT_TYPES)  # revealed: True
    reveal_shape(nn.BatchNorm2d in _NEEDS_ACT)  # revealed: False
    reveal_shape(isinstance(BatchNormAct, type))  # revealed: True
    reveal_shape(isinstance(functools.partial(BatchNormAct), type))  # revealed: False
    reveal_shape({**{"a": 1, "b": 2}, **{"b": 3}}["b"])  # revealed: int 3
    reveal_shape(({} or {"c": 4})["c"])  # revealed: int 4


# 2*b channels into a block built for b: the conv inside ConvNormAct.forward is where it fails
class Bottleneck(nn.Module):
    def __init__(self, c, b):
        super().__init__()
        self.conv1 = ConvNormAct(c, 2 * b)
        self.conv2 = ConvNormAct(b, b, kernel_size=3)

    def forward(self, x):
        return self.conv2(self.conv1(x))  # (reported inside ConvNormAct, on the conv it calls)


x = torch.randn(2, 8, 32, 32)
y = ConvNormAct(8, 16, kernel_size=3)(x)
reveal_shape(y)  # revealed: (2, 16, 32, 32)

if __name__ == "__main__":
    Bottleneck(8, 4)(torch.randn(2, 8, 16, 16))
