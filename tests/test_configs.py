"""Sizes from settings and defaults, against torch as the oracle.

* A setting (``config.n_embd``, ``args.hidden``) is reported only where the code fails for every
  value of it: each program below is checked by shapecheck, then built and run by torch under
  several configs (some with equal fields); "reported" must mean "fails under every config", and
  each program's expected verdict is met by both.
* A class no code builds is checked with its constructor's defaults: torch builds it with them and
  runs it; the class raises exactly where shapecheck reports a finding inside it.
* Data of unknown shape (``np.array(x, ndmin=2)``, ``torch.as_tensor(x).view(-1, 512)``) has the rank
  shapecheck reveals, for every kind of ``x``.

The programs are shapecheck's input (read, never imported) and torch's (executed here, as the
golden oracle does).
"""
from __future__ import annotations

import argparse
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from shapecheck.engine import check_source, reveal

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

GOLDEN = Path(__file__).parent / "golden"

CONFIG = '''
from dataclasses import dataclass
import torch
import torch.nn as nn


@dataclass
class Config:
    n_embd: int = 16
    n_head: int = 4
    vocab: int = 24


class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
{init}

    def forward(self, x):
{forward}
'''

# name -> (__init__ body, forward body, input kind, fails for every config?)
SETTING_PROGRAMS = {
    "qkv_out_chain": ("self.a = nn.Linear(config.n_embd, 3 * config.n_embd)\n"
                      "self.b = nn.Linear(2 * config.n_embd, config.n_embd)",
                      "return self.b(self.a(x))", "embd", True),
    "mlp_ok": ("self.a = nn.Linear(config.n_embd, 4 * config.n_embd)\n"
               "self.b = nn.Linear(4 * config.n_embd, config.n_embd)",
               "return self.b(torch.relu(self.a(x)))", "embd", False),
    "two_fields_may_be_equal": ("self.a = nn.Linear(config.n_embd, config.vocab)\n"
                                "self.b = nn.Linear(config.n_embd, config.vocab)",
                                "return self.b(self.a(x))", "embd", False),
    "off_by_one": ("self.a = nn.Linear(config.n_embd, config.n_embd + 1)\n"
                   "self.b = nn.Linear(config.n_embd, config.vocab)",
                   "return self.b(self.a(x))", "embd", True),
    "embedding_head": ("self.emb = nn.Embedding(config.vocab, config.n_embd)\n"
                       "self.head = nn.Linear(config.n_embd, config.vocab)",
                       "return self.head(self.emb(x))", "idx", False),
    "embedding_head_doubled": ("self.emb = nn.Embedding(config.vocab, config.n_embd)\n"
                               "self.head = nn.Linear(2 * config.n_embd, config.vocab)",
                               "return self.head(self.emb(x))", "idx", True),
    "heads_view": ("self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)\n"
                   "self.n_head = config.n_head\n"
                   "self.proj = nn.Linear(config.n_embd, config.n_embd)",
                   "B, T, C = x.shape\n"
                   "q, k, v = self.qkv(x).split(C, dim=2)\n"
                   "q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)\n"
                   "k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)\n"
                   "v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)\n"
                   "y = torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v\n"
                   "return self.proj(y.transpose(1, 2).reshape(B, T, C))", "embd", False),
    "cat_then_linear": ("self.a = nn.Linear(config.n_embd, config.n_embd)\n"
                        "self.b = nn.Linear(config.n_embd, config.vocab)",
                        "h = torch.cat([self.a(x), x], dim=-1)\n"
                        "return self.b(h)", "embd", True),
}

CONFIGS = [dict(n_embd=e, n_head=h, vocab=v) for e, h, v in
           [(16, 4, 24), (8, 2, 8), (24, 4, 12), (12, 3, 24), (32, 8, 32)]]


@dataclass
class Config:
    n_embd: int
    n_head: int
    vocab: int


def _indent(body: str, n: int) -> str:
    return "\n".join(" " * n + line for line in body.splitlines())


def _program(init: str, forward: str) -> str:
    return CONFIG.format(init=_indent(init, 8), forward=_indent(forward, 8))


def _errors(source: str) -> list:
    return [d for d in check_source(source, "<cfg>") if d.severity in ("error", "warning")]


def _runs(source: str, cfg: dict, kind: str) -> bool:
    env: dict = {"__name__": "__main__"}
    exec(compile(source, "<cfg>", "exec"), env)  # noqa: S102 - our own program, run as the oracle
    model = env["Model"](Config(**cfg))
    x = torch.randn(2, 5, cfg["n_embd"]) if kind == "embd" else torch.randint(0, cfg["vocab"], (2, 5))
    try:
        model(x)
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(SETTING_PROGRAMS))
def test_settings_report_only_what_fails_for_every_config(name: str) -> None:
    init, forward, kind, always_fails = SETTING_PROGRAMS[name]
    source = _program(init, forward)
    runs = [_runs(source, cfg, kind) for cfg in CONFIGS]
    assert (not any(runs)) == always_fails, f"the oracle disagrees with the table: {runs}"
    found = _errors(source)
    assert bool(found) == always_fails, [d.message for d in found]
    for d in found:
        assert "config." in d.message  # named by the access path


def test_setting_symbols_reveal_the_real_sizes() -> None:
    source = _program("self.a = nn.Linear(config.n_embd, 3 * config.n_embd)\n"
                      "self.b = nn.Linear(3 * config.n_embd, config.vocab)",
                      "h = self.a(x)\nreveal_shape(h)\ny = self.b(h)\nreveal_shape(y)\nreturn y")
    texts = [t for _, t in reveal(source)]
    assert texts == ["(*, 3*config.n_embd)", "(*, config.vocab)"]
    for cfg in CONFIGS:
        env: dict = {"__name__": "__main__", "reveal_shape": lambda v: v}
        exec(compile(source, "<cfg>", "exec"), env)  # noqa: S102
        model = env["Model"](Config(**cfg))
        h = model.a(torch.randn(2, cfg["n_embd"]))
        assert h.shape[-1] == 3 * cfg["n_embd"]
        assert model.b(h).shape[-1] == cfg["vocab"]


def test_the_same_access_path_is_the_same_size_across_the_file() -> None:
    source = '''
import torch.nn as nn

class Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.d_in, config.d_model)

    def forward(self, x):
        return self.fc(x)


class Decoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.d_model, config.d_in)

    def forward(self, x):
        return self.fc(x)


class Wide(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(2 * config.d_model, config.d_in)

    def forward(self, x):
        return self.fc(x)


class AutoEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.enc = Encoder(config)
        self.dec = Decoder(config)
        self.wide = Wide(config)

    def forward(self, x):
        y = self.dec(self.enc(x))
        return self.wide(self.enc(y))
'''
    # Encoder's output (*, config.d_model) meets Wide's 2*config.d_model: wrong for every config only
    # because both classes read the same symbol
    found = _errors(source)
    assert len(found) == 1 and "2*config.d_model" in found[0].message, [d.message for d in found]


# ---------------------------------------------------------------- argparse
ARGPARSE = '''
import argparse
import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=128)
parser.add_argument("--embed", type=int, default=32)
parser.add_argument("--dropout", type=float, default=0.1)
args = parser.parse_args(ARGV)
net = nn.Sequential({layers})
out = net(torch.randn(4, 10))
'''

ARGPARSE_PROGRAMS = {
    "doubled": ("nn.Linear(10, args.hidden), nn.ReLU(), nn.Linear(2 * args.hidden, 1)", True),
    "chained": ("nn.Linear(10, args.hidden), nn.Dropout(args.dropout), nn.Linear(args.hidden, 1)", False),
    "two_arguments": ("nn.Linear(10, args.hidden), nn.Linear(args.embed, 1)", False),
    "plus_one": ("nn.Linear(10, args.hidden + 1), nn.Linear(args.hidden, 1)", True),
}


@pytest.mark.parametrize("name", sorted(ARGPARSE_PROGRAMS))
def test_argparse_sizes(name: str) -> None:
    layers, always_fails = ARGPARSE_PROGRAMS[name]
    source = ARGPARSE.format(layers=layers)
    runs = []
    for hidden, embed in itertools.product((16, 32), (16, 32)):
        env: dict = {"__name__": "argparse_program", "ARGV": ["--hidden", str(hidden), "--embed", str(embed)]}
        try:
            exec(compile(source, "<args>", "exec"), env)  # noqa: S102
            runs.append(True)
        except RuntimeError:
            runs.append(False)
    assert (not any(runs)) == always_fails, runs
    found = _errors(source)
    assert bool(found) == always_fails, [d.message for d in found]
    assert all("args.hidden" in d.message for d in found)


def test_argparse_dest_and_types() -> None:
    source = '''
import argparse
parser = argparse.ArgumentParser()
group = parser.add_argument_group("model")
group.add_argument("--n-layers", "-n", type=int, default=2)
parser.add_argument("--width", default=64)
parser.add_argument("--name", default="x")
parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2])
opt = parser.parse_args()
reveal_shape(opt.n_layers)
reveal_shape(opt.width)
reveal_shape(opt.name)
reveal_shape(opt.sizes)
'''
    assert [t for _, t in reveal(source)] == ["int opt.n_layers", "int opt.width", "unknown", "unknown"]
    real = argparse.ArgumentParser()
    real.add_argument_group("model").add_argument("--n-layers", "-n", type=int, default=2)
    assert real.parse_args([]).n_layers == 2  # the destination shapecheck named


# ---------------------------------------------------------------- constructor defaults
# class -> an input its forward takes (torch builds the class with its defaults and runs it)
DEFAULT_INPUTS = {
    "MLP": (2, 784), "ChainedMLP": (2, 784), "Lin": (2, 4), "HardWired": (2, 4), "Deep": (2, 64),
    "ConvNet": (2, 3, 8, 8), "BadConvNet": (2, 3, 8, 8),
}


def _class_spans(source: str) -> dict:
    import ast

    tree = ast.parse(source)
    return {n.name: (n.lineno, n.end_lineno) for n in tree.body if isinstance(n, ast.ClassDef)}


def test_defaults_findings_are_where_torch_raises() -> None:
    path = GOLDEN / "constructor_defaults.py"
    source = path.read_text(encoding="utf-8")
    spans = _class_spans(source)
    assert set(spans) == set(DEFAULT_INPUTS)
    found = _errors(source)
    env: dict = {"__name__": "defaults_program"}
    exec(compile(source, str(path), "exec"), env)  # noqa: S102
    for name, shape in DEFAULT_INPUTS.items():
        lo, hi = spans[name]
        mine = [d for d in found if lo <= d.line <= hi]
        try:
            env[name]()(torch.randn(*shape))
            raised = False
        except RuntimeError:
            raised = True
        assert bool(mine) == raised, (name, raised, [d.message for d in mine])
        for d in mine:  # a finding only the defaults show names them; a general one does not need to
            assert any(t in d.message for t in ("with the defaults", "holds only if", "never match")), d.message


def test_hard_wired_default_works_as_written_and_breaks_elsewhere() -> None:
    """The class the checker leaves alone runs with its default and fails with another value: the
    checker does not report code that works as written."""
    source = (GOLDEN / "constructor_defaults.py").read_text(encoding="utf-8")
    env: dict = {"__name__": "defaults_program"}
    exec(compile(source, "<defaults>", "exec"), env)  # noqa: S102
    env["HardWired"]()(torch.randn(2, 4))
    with pytest.raises(RuntimeError):
        env["HardWired"](hidden=128)(torch.randn(2, 4))


def test_defaults_message_names_the_defaults_it_assumed() -> None:
    source = '''
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, n_in=784, n_hidden=300, n_out=10, dropout=0.5):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden * 2 if n_out > 5 else n_hidden, n_out)

    def forward(self, x):
        return self.fc2(self.fc1(x))
'''
    found = _errors(source)
    assert len(found) == 1, [d.message for d in found]
    msg = found[0].message
    assert "with the defaults" in msg and "n_hidden=300" in msg and "dropout" not in msg


def test_a_class_the_file_builds_is_not_run_with_its_defaults() -> None:
    source = '''
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.a = nn.Linear(4, hidden)
        self.b = nn.Linear(64, 2)

    def forward(self, x):
        return self.b(self.a(x))

net = Net(hidden=32)
y = net(torch.randn(3, 4))
'''
    found = _errors(source)
    assert len(found) == 1 and "with the defaults" not in found[0].message, [d.message for d in found]


# ---------------------------------------------------------------- data of unknown shape
def _matches(revealed: str, shape: tuple) -> bool:
    items = [t.strip() for t in revealed.strip("()").split(",")]
    variadic = items[0] == "*"
    items = items[1:] if variadic else items
    if len(shape) < len(items) or (not variadic and len(shape) != len(items)):
        return False
    return all(not re.fullmatch(r"\d+", w) or int(w) == h for w, h in zip(items, shape[len(shape) - len(items):]))


UNKNOWN_DATA = '''
import numpy as np
import torch

def prepare(x):
    a = np.array(x, ndmin=2)
    reveal_shape(a)
    b = np.atleast_2d(x)
    reveal_shape(b)
    c = torch.as_tensor(np.asarray(x, dtype=np.float32)).view(-1, 512)
    reveal_shape(c)
    d = np.array(x, ndmin=3)
    reveal_shape(d)
    return a, b, c, d
'''


@pytest.mark.parametrize("x", [3.0, [1.0] * 512, np.ones(512), np.ones((2, 512)), np.ones((2, 2, 512)),
                               [[1.0] * 512] * 3])
def test_unknown_data_gets_the_rank_revealed(x: object) -> None:
    texts = [t for _, t in reveal(UNKNOWN_DATA)]
    assert len(texts) == 4 and "unknown" not in texts, texts
    env: dict = {"reveal_shape": lambda v: v}
    exec(compile(UNKNOWN_DATA, "<data>", "exec"), env)  # noqa: S102
    try:
        real = env["prepare"](x)
    except RuntimeError:
        assert np.asarray(x).size % 512 != 0  # view(-1, 512) of a scalar: torch raises, nothing claimed
        return
    for text, value in zip(texts, real):
        assert _matches(text, tuple(value.shape)), (text, tuple(value.shape))
