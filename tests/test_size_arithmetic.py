"""Size arithmetic and tutorial idioms (issue 8), against torch as the oracle.

Each case is a small program with symbolic sizes (constructor or function parameters) and the
sizes to run it with. The checker reads the program alone (no call: the sizes stay symbolic)
and must report exactly the expected code; torch runs it with each set of sizes, and must raise
for every one of them where the checker says the sizes never match, and run where the checker
is silent and the sizes are ones the code allows. The program with a concrete call appended is
checked too, and must give the same answer as torch for those sizes.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Optional

import pytest

from shapecheck.engine import check_source


@dataclass
class Case:
    name: str
    source: str
    call: str  # a statement with `{0}`, `{1}`... for the sizes; runs the program
    code: Optional[str]  # what the checker reports on the symbolic program (None: nothing)
    message: str = ""  # a substring of that finding's message
    raising: list = field(default_factory=list)  # sizes torch must fail on
    running: list = field(default_factory=list)  # sizes torch must run with


# a window partition as Swin-style models write it: pad H and W to whole windows, split, merge back
_PARTITION = """
    import torch
    import torch.nn.functional as F

    def partition(x):
        ws = 7
        B, H, W, C = x.shape
        pad_b, pad_r = (ws - H % ws) % ws, (ws - W % ws) % ws
        x = F.pad(x, (0, 0, 0, pad_r, 0, pad_b))
        pH, pW = H + pad_b, W + pad_r
        x = x.view(B, pH // ws, ws, pW // ws, ws, C).transpose(2, 3)
        return x.reshape(B, pH, pW, CHANNELS)
    """

CASES = [
    Case("half-width", """
        import torch
        import torch.nn as nn

        class Head(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.proj = nn.Linear(4, dim)
                self.out = nn.Linear(dim // 2, 10)

            def forward(self, x):
                return self.out(self.proj(x))
        """, "Head({0})(torch.ones(2, 4))", "SHP301", "dim != floor(dim/2) for every dim >= 1",
         raising=[(1,), (2,), (3,), (8,), (9,)]),
    Case("doubled", """
        import torch
        import torch.nn as nn

        class Lin(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.a = nn.Linear(4, hidden)
                self.b = nn.Linear(2 * hidden, 3)

            def forward(self, x):
                return self.b(self.a(x))
        """, "Lin({0})(torch.ones(2, 4))", "SHP301", "hidden != 2*hidden for every hidden >= 1",
         raising=[(1,), (5,), (16,)]),
    Case("two-parameters", """
        import torch
        import torch.nn as nn

        class Lin(nn.Module):
            def __init__(self, hidden, embed):
                super().__init__()
                self.a = nn.Linear(4, embed)
                self.b = nn.Linear(hidden, 3)

            def forward(self, x):
                return self.b(self.a(x))
        """, "Lin({0}, {1})(torch.ones(2, 4))", "SHP301", "holds only if embed == hidden",
         raising=[(3, 5)], running=[(5, 5)]),
    Case("divisor-may-be-one", """
        import torch
        import torch.nn as nn

        class Lin(nn.Module):
            def __init__(self, dim, p):
                super().__init__()
                self.a = nn.Linear(4, dim)
                self.b = nn.Linear(dim // p, 3)

            def forward(self, x):
                return self.b(self.a(x))
        """, "Lin({0}, {1})(torch.ones(2, 4))", None, running=[(8, 1), (3, 1)], raising=[(8, 2)]),
    Case("multiple-of-divisor", """
        import torch
        import torch.nn as nn

        class Lin(nn.Module):
            def __init__(self, dim, heads):
                super().__init__()
                self.a = nn.Linear(4, dim)
                self.b = nn.Linear((dim // heads) * heads, 3)

            def forward(self, x):
                return self.b(self.a(x))
        """, "Lin({0}, {1})(torch.ones(2, 4))", None, running=[(8, 2), (12, 4), (5, 1)], raising=[(9, 2)]),
    Case("heads", """
        import torch
        import torch.nn as nn

        class Attention(nn.Module):
            def __init__(self, dim, heads, dim_head):
                super().__init__()
                inner_dim = dim_head * heads
                self.heads = heads
                self.to_qkv = nn.Linear(dim, inner_dim * 3)
                self.to_out = nn.Linear(inner_dim, dim)

            def forward(self, x):
                b, n, _ = x.shape
                q, k, v = self.to_qkv(x).chunk(3, dim=-1)
                q = q.reshape(b, n, self.heads, -1).transpose(1, 2)
                k = k.reshape(b, n, self.heads, -1).transpose(1, 2)
                v = v.reshape(b, n, self.heads, -1).transpose(1, 2)
                attn = (q @ k.transpose(-1, -2)).softmax(dim=-1)
                out = (attn @ v).transpose(1, 2).reshape(b, n, -1)
                return self.to_out(out)
        """, "Attention({0}, {1}, {2})(torch.ones(2, 5, {0}))", None, running=[(16, 2, 8), (8, 4, 3)]),
    Case("cls-token-forgotten", """
        import torch
        import torch.nn as nn

        class Embed(nn.Module):
            def __init__(self, image_size, patch_size, dim):
                super().__init__()
                num_patches = (image_size // patch_size) ** 2
                self.pos = nn.Parameter(torch.randn(1, num_patches + 1, dim))
                self.to_patch = nn.Linear(3 * patch_size ** 2, dim)
                self.p = patch_size

            def forward(self, img):
                b, c, h, w = img.shape
                x = img.reshape(b, c, h // self.p, self.p, w // self.p, self.p)
                x = x.permute(0, 2, 4, 3, 5, 1).reshape(b, -1, self.p * self.p * c)
                x = self.to_patch(x)
                return x + self.pos
        """, "Embed({0}, {1}, 16)(torch.ones(2, 3, {0}, {0}))", None, raising=[(32, 8)], running=[(8, 8)]),
    Case("conv-output", """
        import torch
        import torch.nn as nn

        def join(h):
            x = torch.randn(2, 3, h, h)
            y = nn.Conv2d(3, 8, 3, stride=2)(x)
            return torch.cat([y, x], dim=1)
        """, "join({0})", "SHP201", "the sizes never match", raising=[(3,), (4,), (7,), (12,)]),
    Case("guard-raise", """
        import torch
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, d_in, d_out):
                super().__init__()
                if d_in != d_out:
                    raise ValueError("d_in must equal d_out")
                self.a = nn.Linear(4, d_in)
                self.b = nn.Linear(d_out, 10)

            def forward(self, x):
                return self.b(self.a(x))
        """, "Block({0}, {1})(torch.ones(2, 4))", None, running=[(6, 6)]),
    Case("guard-in-function", """
        import torch

        def f(a, b):
            if a.shape[-1] != b.shape[0]:
                raise ValueError("inner sizes differ")
            return (a @ b).sum(0)

        def g(n, m):
            if not n == m:
                raise ValueError("n != m")
            return torch.ones(3, n) @ torch.ones(m, 3)
        """, "f(torch.ones(3, {0}), torch.ones({0}, 2)); g({0}, {0})", None, running=[(4,), (1,)]),
    Case("tensor-of-tensors", """
        import torch

        def total(n):
            t1 = torch.tensor(1.0)
            t2 = torch.ones(1)
            t3 = torch.ones(1, 1)
            v = torch.tensor([t1, t2, t3])
            return v @ torch.ones(n)
        """, "total({0})", None, running=[(3,)], raising=[(2,), (4,)]),
    Case("weight-tying", """
        import torch
        import torch.nn as nn

        class RNNModel(nn.Module):
            def __init__(self, ntoken, ninp, nhid):
                super().__init__()
                self.encoder = nn.Embedding(ntoken, ninp)
                self.rnn = nn.LSTM(ninp, nhid, batch_first=True)
                self.decoder = nn.Linear(nhid, ntoken)
                self.decoder.weight = self.encoder.weight

            def forward(self, x):
                out, _ = self.rnn(self.encoder(x))
                return self.decoder(out)
        """, "RNNModel({0}, {1}, {2})(torch.zeros(2, 5, dtype=torch.long))", None,
         running=[(50, 8, 8)], raising=[(50, 8, 16)]),
    Case("weight-tying-never", """
        import torch
        import torch.nn as nn

        class Tied(nn.Module):
            def __init__(self, ntoken, ninp):
                super().__init__()
                self.encoder = nn.Embedding(ntoken, ninp)
                self.decoder = nn.Linear(2 * ninp, ntoken)
                self.decoder.weight = self.encoder.weight

            def forward(self, x):
                h = self.encoder(x)
                return self.decoder(torch.cat([h, h], dim=-1))
        """, "Tied({0}, {1})(torch.zeros(2, 5, dtype=torch.long))", "SHP601", raising=[(50, 8), (10, 1)]),
    Case("outer-product", """
        import torch

        def pairwise(n, m):
            a = torch.ones(n, 1)
            b = torch.ones(1, m)
            return (a + b).sum()
        """, "pairwise({0}, {1})", None, running=[(3, 4), (5, 5)]),
    Case("column-minus-vector", """
        import torch

        def residual(y_true, y_pred):
            return (y_true - y_pred).pow(2).mean()

        y_true = torch.randn(100, 1)
        y_pred = torch.randn(100)
        loss = y_true - y_pred
        """, "residual(y_true, y_pred)", "SHP502", "broadcasts a column against a row", running=[()]),
    Case("window-partition", _PARTITION.replace("CHANNELS", "C"), "partition(torch.ones({0}, {1}, {2}, {3}))",
         None, running=[(2, 14, 14, 8), (1, 9, 10, 3), (1, 7, 1, 1)]),
    Case("window-partition-doubled", _PARTITION.replace("CHANNELS", "2 * C"),
         "partition(torch.ones({0}, {1}, {2}, {3}))", "SHP401", "never match",
         raising=[(2, 14, 14, 8), (1, 9, 10, 3), (1, 7, 1, 1)]),
]


def _codes(source: str) -> list:
    return [(d.code, d.message) for d in check_source(source, "case.py") if d.severity in ("error", "warning")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_checker_on_symbolic_sizes(case: Case) -> None:
    found = _codes(textwrap.dedent(case.source))
    if case.code is None:
        assert found == []
        return
    assert [c for c, _ in found] == [case.code], found
    assert case.message in found[0][1], found


def _run(source: str) -> Optional[BaseException]:
    try:
        exec(compile(source, "case.py", "exec"), {"__name__": "case"})  # the test's own program, for torch
    except (RuntimeError, ValueError, IndexError) as e:
        return e
    return None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_torch_agrees(case: Case) -> None:
    pytest.importorskip("torch")
    source = textwrap.dedent(case.source)
    for sizes in case.raising:
        program = source + "\n" + case.call.format(*sizes) + "\n"
        assert _run(program) is not None, f"torch runs {case.name} with {sizes}"
        if case.code is not None and case.code != "SHP601":  # the concrete program: the same bug, in numbers
            assert _codes(program), f"no finding on {case.name} with {sizes}"
    for sizes in case.running:
        program = source + "\n" + case.call.format(*sizes) + "\n"
        err = _run(program)
        assert err is None, f"torch fails {case.name} with {sizes}: {err}"
        errors = [d for d in check_source(program, "case.py") if d.severity == "error"]
        assert errors == [], f"error on {case.name} with {sizes}, which torch runs"
