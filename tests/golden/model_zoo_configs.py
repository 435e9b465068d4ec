"""Model zoo configurations, as timm writes them (cspnet, dpn, mobilenetv5): a dataclass config
whose ``__post_init__`` pads its per-stage tuples, read with ``dataclasses.asdict`` and changed
with ``dataclasses.replace``; ``isinstance(channels, numbers.Integral)``; a partial of a partial
(functools flattens it: ``.func`` is the inner function, ``.keywords`` both sets); and a method
that changes the model (``reset_classifier``) does not decide what the other methods see."""
import functools
import numbers
import os
from dataclasses import asdict, astuple, dataclass, replace

import torch
from torch import nn


def _pad(x, n):
    if not isinstance(x, (tuple, list)):
        x = (x,)
    return tuple(x) + (x[-1],) * (n - len(x))


@dataclass
class StagesCfg:
    depth: tuple = (1, 2)
    out_chs: tuple = (16, 32)
    stride: int = 2

    def __post_init__(self):
        self.stride = _pad(self.stride, len(self.depth))


@dataclass
class ModelCfg:
    stages: StagesCfg
    stem_chs: int = 8


cfg = ModelCfg(stages=StagesCfg())
reveal_shape(cfg.stages.stride)  # revealed: [int 2, int 2]
per_stage = [dict(zip(asdict(cfg.stages).keys(), v)) for v in zip(*asdict(cfg.stages).values())]
reveal_shape(per_stage[1]["out_chs"])  # revealed: int 32
reveal_shape(astuple(cfg)[1])  # revealed: int 8
wide = replace(cfg, stem_chs=16)
reveal_shape(wide.stem_chs)  # revealed: int 16
reveal_shape(wide.stages.stride)  # revealed: [int 2, int 2]


class Stage(nn.Module):
    def __init__(self, cin, cout, depth, stride):
        super().__init__()
        self.down = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
        self.blocks = nn.Sequential(*[nn.Conv2d(cout, cout, 3, padding=1) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.down(x))


class Net(nn.Module):
    def __init__(self, cfg: ModelCfg, num_classes=10, **kwargs):
        super().__init__()
        cfg = replace(cfg, **kwargs)  # (keywords overlaid on the config)
        self.stem = nn.Conv2d(3, cfg.stem_chs, 3, padding=1)
        prev = cfg.stem_chs
        stages = []
        for args in [dict(zip(asdict(cfg.stages).keys(), v)) for v in zip(*asdict(cfg.stages).values())]:
            stages.append(Stage(prev, args["out_chs"], args["depth"], args["stride"]))
            prev = args["out_chs"]
        self.stages = nn.Sequential(*stages)
        self.head = nn.Linear(prev, num_classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.head(x.mean((2, 3)))


net = Net(cfg, stem_chs=4)
reveal_shape(net(torch.randn(2, 3, 16, 16)))  # revealed: (2, 10)


class FirstWidthHead(nn.Module):
    """Sized from the first stage's width; the last stage's features reach it."""

    def __init__(self, cfg: ModelCfg):
        super().__init__()
        self.fc = nn.Linear(asdict(cfg.stages)["out_chs"][0], 10)

    def forward(self, x):
        return self.fc(x)  # E: SHP301


def run_first_width_head():
    head = FirstWidthHead(cfg)
    return head(torch.randn(2, cfg.stages.out_chs[-1]))


class Norm2d(nn.Module):
    """timm's RmsNorm2d: the channels are an int or a tuple of them."""

    def __init__(self, channels):
        super().__init__()
        shape = channels
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        self.weight = nn.Parameter(torch.ones(tuple(shape)))

    def forward(self, x):
        return x * self.weight.reshape(1, -1, 1, 1)  # E: SHP501


norm = Norm2d(8)
reveal_shape(norm.weight)  # revealed: (8,)
reveal_shape(norm(torch.randn(2, 8, 4, 4)))  # revealed: (2, 8, 4, 4)


def run_norm_on_other_channels():
    return norm(torch.randn(2, 6, 4, 4))


def norm_act(channels, eps=1e-5, act=None):
    return nn.BatchNorm2d(channels, eps=eps)


with_act = functools.partial(norm_act, act="relu")
with_eps = functools.partial(with_act, eps=1e-3)  # flattened: norm_act with act and eps
reveal_shape(with_eps.func is norm_act)  # revealed: True
reveal_shape(list(with_eps.keywords))  # revealed: ['act', 'eps']
reveal_shape(with_eps(8)(torch.randn(2, 8, 4, 4)))  # revealed: (2, 8, 4, 4)


class Classifier(nn.Module):
    """``reset_classifier`` replaces the head; ``logits`` is checked on the head the constructor built."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 10)

    def reset_classifier(self):
        self.head = nn.Identity()

    def logits(self):
        return self.head(torch.randn(2, 16))  # E: SHP301


class GlobalAttention(nn.Module):
    """gcvit's window attention: a global block takes its query from the stage."""

    def __init__(self, dim, use_global):
        super().__init__()
        self.use_global = use_global
        self.qkv = nn.Linear(dim, dim * 2 if use_global else dim * 3)

    def forward(self, x, q_global=None):
        B, N, C = x.shape
        if self.use_global and q_global is not None:
            k, v = self.qkv(x).reshape(B, N, 2, C).unbind(2)
            return q_global + k + v
        q, k, v = self.qkv(x).reshape(B, N, 3, C).unbind(2)
        return q + k + v


class GlobalStage(nn.Module):
    """The query comes out of a module the checker cannot see into; ``.permute`` makes it a
    tensor (not None), so the global blocks take their first branch."""

    def __init__(self, dim, pool):
        super().__init__()
        self.pool = pool
        self.blocks = nn.ModuleList([GlobalAttention(dim, i % 2 == 1) for i in range(2)])

    def forward(self, x):
        q = self.pool(x).permute(0, 1, 2)
        for blk in self.blocks:
            x = blk(x, q)
        return x


stage = GlobalStage(16, getattr(nn, os.environ.get("GLOBAL_POOL", "Identity"))())
reveal_shape(stage(torch.randn(2, 5, 16)))  # revealed: (2, 5, 16)


if __name__ == "__main__":
    run_first_width_head()
    run_norm_on_other_channels()
    Classifier().logits()
