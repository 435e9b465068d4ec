"""Deterministic generator of small torch/NumPy programs for the differential test.

Each program is a few lines of straight-line code in one family (matrix products, layer chains,
conv arithmetic, joins, reshapes, broadcasts), about half of them written to be correct and half
with one shape bug. Nothing here decides what the program really does: the test runs every program
for real and takes torch/NumPy as the oracle; ``intended_bug`` only keeps the mix balanced.

Every program assigns its results to variables and ends with a ``reveal_shape(var)`` line per
result, which shapecheck understands (``engine.reveal``) and the test reads back from the real
run's namespace.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

SEED = 20240611

HEADER_TORCH = ["import torch", "import torch.nn as nn", "import torch.nn.functional as F"]
HEADER_NUMPY = ["import numpy as np"]

# Which finding codes answer a shape error of each family (the code of the right family).
FAMILY_CODES = {
    # SHP601: F.linear with an (in, out) weight is a weight-layout error by the contract (RULES.md).
    "products": ("SHP101", "SHP102", "SHP103", "SHP104", "SHP105", "SHP601"),
    "layers": ("SHP301", "SHP302", "SHP303", "SHP305"),
    "conv": ("SHP301", "SHP302", "SHP303", "SHP304", "SHP401"),  # SHP401: x.view(-1, 16 * 5 * 5)
    "joins": ("SHP201", "SHP202", "SHP203", "SHP205", "SHP402"),
    "reshapes": ("SHP401", "SHP402", "SHP403", "SHP404"),
    "broadcasts": ("SHP501",),  # in-place ops included
}
# Semantic traps (mostly valid programs): any shape rule answers their few bugs.
FAMILY_CODES["traps"] = tuple(sorted({c for cs in FAMILY_CODES.values() for c in cs}))


@dataclass
class Program:
    id: str
    family: str
    fw: str  # "torch" or "numpy"
    source: str
    results: List[str]  # variable names revealed in the trailing block
    intended_bug: bool
    # Lines (1-based) besides the raising ones where the error may be reported: the definition of
    # the layer that does not fit (shapecheck points into an nn.Sequential at the layer itself).
    alt_lines: Tuple[int, ...] = ()
    # Warning codes the program may legitimately get although it runs (a column against a row).
    allow_warnings: Tuple[str, ...] = ()
    note: str = ""
    # Codes besides the family's that answer this program's error (an elementwise op inside a product idiom).
    extra_codes: Tuple[str, ...] = ()

    @property
    def codes(self) -> Tuple[str, ...]:
        return FAMILY_CODES[self.family] + self.extra_codes


class _Src:
    """Lines of one program, with the 1-based line number of each statement."""

    def __init__(self, fw: str) -> None:
        self.lines: List[str] = list(HEADER_TORCH if fw == "torch" else HEADER_NUMPY)
        self.alt: List[int] = []
        self.results: List[str] = []
        self.warn: List[str] = []
        self.codes: List[str] = []

    def add(self, text: str, site: bool = False) -> int:
        for part in text.split("\n"):
            self.lines.append(part)
        n = len(self.lines)
        if site:
            self.alt.append(n)
        return n

    def result(self, *names: str) -> None:
        self.results.extend(names)

    def finish(self) -> Tuple[str, List[str], Tuple[int, ...]]:
        body = list(self.lines)
        for r in self.results:
            body.append(f"reveal_shape({r})")
        return "\n".join(body) + "\n", list(self.results), tuple(self.alt)


# ------------------------------------------------------------------------------------ helpers
def _sz(rng: random.Random, lo: int = 2, hi: int = 9) -> int:
    return rng.randint(lo, hi)


def _other(rng: random.Random, d: int, lo: int = 2, hi: int = 9) -> int:
    """A size different from ``d`` (and never 1, so it cannot broadcast)."""
    while True:
        x = rng.randint(lo, hi)
        if x != d:
            return x


def _tup(dims: Sequence[int]) -> str:
    return ", ".join(str(d) for d in dims)


def _t(dims: Sequence[int], rng: random.Random) -> str:
    """A torch tensor of these sizes, in one of several spellings."""
    k = rng.random()
    if k < 0.6:
        return f"torch.randn({_tup(dims)})"
    if k < 0.8:
        return f"torch.zeros({_tup(dims)})"
    return f"torch.ones(({_tup(dims)}{',' if len(dims) == 1 else ''}))"


def _n(dims: Sequence[int], rng: random.Random) -> str:
    """A NumPy array of these sizes."""
    k = rng.random()
    tup = f"({_tup(dims)}{',' if len(dims) == 1 else ''})"
    if k < 0.4:
        return f"np.random.rand({_tup(dims)})"
    if k < 0.7:
        return f"np.zeros({tup})"
    if k < 0.85:
        return f"np.ones({tup})"
    return f"np.random.randn({_tup(dims)})"


def _arr(fw: str, dims: Sequence[int], rng: random.Random) -> str:
    return _t(dims, rng) if fw == "torch" else _n(dims, rng)


def _is_col(s: Sequence[int]) -> bool:
    return len(s) == 2 and s[1] == 1 and s[0] > 1


def _is_row(s: Sequence[int]) -> bool:
    return (len(s) == 2 and s[0] == 1 and s[1] > 1) or (len(s) == 1 and s[0] > 1)


def _outer(a: Sequence[int], b: Sequence[int]) -> bool:
    """SHP502's pattern (a column against a row): a warning is allowed on programs that run."""
    return (_is_col(a) and _is_row(b)) or (_is_row(a) and _is_col(b))


# ------------------------------------------------------------------------------------ products
def gen_product_chains(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    """Products inside a few lines of real code: scaled dot-product attention, a NumPy MLP forward."""
    if rng.random() < 0.5:
        s = _Src("torch")
        b, t, src_len, d, dv = _sz(rng, 1, 4), _sz(rng), _sz(rng), _sz(rng), _sz(rng)
        bug_kind = rng.choice(["no_transpose", "value_len"]) if bug else ""
        if bug_kind == "no_transpose" and d == src_len:
            src_len = _other(rng, d)
        s.add(f"q = {_t((b, t, d), rng)}")
        s.add(f"k = {_t((b, src_len, d), rng)}")
        s.add(f"v = {_t((b, _other(rng, src_len) if bug_kind == 'value_len' else src_len, dv), rng)}")
        kt = "k" if bug_kind == "no_transpose" else rng.choice(["k.transpose(-2, -1)", "k.transpose(1, 2)", "k.mT"])
        s.add(f"scores = q @ {kt} / {d} ** 0.5" if rng.random() < 0.5 else f"scores = torch.bmm(q, {kt}) / {d} ** 0.5")
        s.add("attn = torch.softmax(scores, dim=-1)")
        s.add(rng.choice(["y = attn @ v", "y = torch.bmm(attn, v)", "y = torch.matmul(attn, v)"]))
        s.result("scores", "attn", "y")
        return "torch", s, f"attention {bug_kind or 'ok'}"
    s = _Src("numpy")
    n, i, h, o = _sz(rng), _sz(rng), _sz(rng), _sz(rng)
    hb = _other(rng, h) if bug else h
    s.add(f"x = {_n((n, i), rng)}")
    s.add(f"w1 = {_n((i, h), rng)}")
    s.add(f"b1 = np.zeros({h})")
    s.add(f"w2 = {_n((hb, o), rng)}")
    s.add(f"b2 = np.zeros({o})")
    s.add(rng.choice(["h = np.tanh(x @ w1 + b1)", "h = np.maximum(0, np.dot(x, w1) + b1)",
                      "h = 1 / (1 + np.exp(-(x.dot(w1) + b1)))"]))
    s.add(rng.choice(["y = h @ w2 + b2", "y = np.dot(h, w2) + b2"]))
    s.result("h", "y")
    return "numpy", s, "numpy mlp"


def gen_products(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    if rng.random() < 0.2:
        return gen_product_chains(rng, bug)
    fw = "torch" if rng.random() < 0.65 else "numpy"
    s = _Src(fw)
    m, k, n = _sz(rng), _sz(rng), _sz(rng)
    kb = _other(rng, k) if bug else k
    if fw == "torch":
        form = rng.choice(["at", "matmul", "mm", "method_mm", "method_matmul", "bmm", "batched", "mv",
                           "vec_mat", "vecvec", "transpose", "einsum", "tensordot", "linear", "addmm",
                           "broadcast_batch"])
    else:
        form = rng.choice(["np_dot", "np_matmul", "np_at", "np_method_dot", "np_batched", "np_vec",
                           "np_transpose", "np_einsum", "np_tensordot", "np_inner"])
    note = form
    if form in ("at", "matmul", "mm", "method_mm", "method_matmul"):
        s.add(f"a = {_t((m, k), rng)}")
        s.add(f"b = {_t((kb, n), rng)}")
        expr = {"at": "a @ b", "matmul": "torch.matmul(a, b)", "mm": "torch.mm(a, b)",
                "method_mm": "a.mm(b)", "method_matmul": "a.matmul(b)"}[form]
        s.add(f"y = {expr}")
        s.result("y")
    elif form == "bmm":
        bsz = _sz(rng)
        bb = bsz
        if bug and rng.random() < 0.4:
            kb, bb = k, _other(rng, bsz)
        s.add(f"a = {_t((bsz, m, k), rng)}")
        s.add(f"b = {_t((bb, kb, n), rng)}")
        s.add("y = torch.bmm(a, b)" if rng.random() < 0.6 else "y = a.bmm(b)")
        s.result("y")
    elif form == "batched":
        bsz = _sz(rng)
        shape_b = rng.choice([(kb, n), (bsz, kb, n), (1, kb, n)])
        s.add(f"a = {_t((bsz, m, k), rng)}")
        s.add(f"b = {_t(shape_b, rng)}")
        s.add(rng.choice(["y = a @ b", "y = torch.matmul(a, b)"]))
        s.result("y")
    elif form == "broadcast_batch":
        b1, b2 = _sz(rng), _sz(rng)
        bb1 = _other(rng, b1) if bug and rng.random() < 0.5 else b1
        if bb1 != b1:
            kb = k
        s.add(f"a = {_t((b1, b2, m, k), rng)}")
        s.add(f"b = {_t((bb1, 1, kb, n), rng)}")
        s.add("y = torch.matmul(a, b)")
        s.result("y")
    elif form == "mv":
        s.add(f"a = {_t((m, k), rng)}")
        s.add(f"v = {_t((kb,), rng)}")
        s.add(rng.choice(["y = torch.mv(a, v)", "y = a.mv(v)", "y = a @ v", "y = torch.matmul(a, v)"]))
        s.result("y")
    elif form == "vec_mat":
        s.add(f"v = {_t((k,), rng)}")
        s.add(f"b = {_t((kb, n), rng)}")
        s.add(rng.choice(["y = v @ b", "y = torch.matmul(v, b)"]))
        s.result("y")
    elif form == "vecvec":
        s.add(f"u = {_t((k,), rng)}")
        s.add(f"v = {_t((kb,), rng)}")
        s.add(rng.choice(["y = u @ v", "y = torch.dot(u, v)", "y = torch.matmul(u, v)"]))
        s.result("y")
    elif form == "transpose":
        # b is stored (n, k): the product needs its transpose; a bug forgets it (or uses a wrong one).
        spell = rng.choice([".T", ".t()", ".transpose(-2, -1)", ".transpose(0, 1)"])
        s.add(f"a = {_t((m, k), rng)}")
        s.add(f"w = {_t((n, k), rng)}")
        if bug and n != k:
            s.add(rng.choice(["y = a @ w", "y = torch.matmul(a, w)"]))
        elif bug:
            s.add(f"y = a @ w{spell}")  # n == k by chance: not a bug after all
        else:
            s.add(f"y = a @ w{spell}")
        s.result("y")
    elif form == "einsum":
        pat = rng.choice(["ij,jk->ik", "bij,bjk->bik", "ij,ij->i", "i,i->", "ij,j->i", "bhqd,bhkd->bhqk"])
        letters: dict = {}
        for ch in "ijkbhqd":
            letters[ch] = _sz(rng, 2, 6)
        ins = pat.split("->")[0].split(",")
        shapes = [[letters[c] for c in term] for term in ins]
        if bug:
            # Change one occurrence of a letter shared by both operands.
            shared = [c for c in ins[1] if c in ins[0]]
            c = rng.choice(shared)
            pos = ins[1].index(c)
            shapes[1][pos] = _other(rng, letters[c], 2, 6)
        s.add(f"a = {_t(shapes[0], rng)}")
        s.add(f"b = {_t(shapes[1], rng)}")
        s.add(f"y = torch.einsum('{pat}', a, b)")
        s.result("y")
        note = f"einsum {pat}"
    elif form == "tensordot":
        s.add(f"a = {_t((m, k), rng)}")
        s.add(f"b = {_t((kb, n), rng)}")
        s.add(rng.choice(["y = torch.tensordot(a, b, dims=1)", "y = torch.tensordot(a, b, dims=([1], [0]))"]))
        s.result("y")
    elif form == "linear":
        inf, outf = k, n
        s.add(f"x = {_t((m, inf), rng)}")
        if bug:
            if inf != outf and rng.random() < 0.5:
                s.add(f"w = {_t((inf, outf), rng)}")  # (in, out): Keras's layout, not torch's
            else:
                s.add(f"w = {_t((outf, kb), rng)}")
        else:
            s.add(f"w = {_t((outf, inf), rng)}")
        s.add(f"bias = {_t((outf,), rng)}")
        s.add("y = F.linear(x, w, bias)")
        s.result("y")
    elif form == "addmm":
        s.add(f"c = {_t((m, n), rng)}")
        s.add(f"a = {_t((m, k), rng)}")
        s.add(f"b = {_t((kb, n), rng)}")
        s.add("y = torch.addmm(c, a, b)")
        s.result("y")
    elif form in ("np_dot", "np_matmul", "np_at", "np_method_dot"):
        s.add(f"a = {_n((m, k), rng)}")
        s.add(f"b = {_n((kb, n), rng)}")
        s.add("y = " + {"np_dot": "np.dot(a, b)", "np_matmul": "np.matmul(a, b)", "np_at": "a @ b",
                        "np_method_dot": "a.dot(b)"}[form])
        s.result("y")
    elif form == "np_batched":
        bsz = _sz(rng)
        shape_b = rng.choice([(kb, n), (bsz, kb, n), (1, kb, n)])
        s.add(f"a = {_n((bsz, m, k), rng)}")
        s.add(f"b = {_n(shape_b, rng)}")
        s.add(rng.choice(["y = a @ b", "y = np.matmul(a, b)"]))
        s.result("y")
    elif form == "np_vec":
        s.add(f"a = {_n((m, k), rng)}")
        s.add(f"v = {_n((kb,), rng)}")
        s.add(rng.choice(["y = np.dot(a, v)", "y = a @ v", "y = a.dot(v)", "y = np.matmul(a, v)"]))
        s.result("y")
    elif form == "np_transpose":
        s.add(f"a = {_n((m, k), rng)}")
        s.add(f"w = {_n((n, k), rng)}")
        if bug and n != k:
            s.add(rng.choice(["y = np.dot(a, w)", "y = a @ w"]))
        else:
            s.add(rng.choice(["y = np.dot(a, w.T)", "y = a @ w.T", "y = np.dot(a, np.transpose(w))",
                              "y = a @ w.transpose()"]))
        s.result("y")
    elif form == "np_einsum":
        pat = rng.choice(["ij,jk->ik", "ij,ij->i", "i,i->", "ij,j->i", "bij,bjk->bik"])
        letters = {ch: _sz(rng, 2, 6) for ch in "ijkb"}
        ins = pat.split("->")[0].split(",")
        shapes = [[letters[c] for c in term] for term in ins]
        if bug:
            shared = [c for c in ins[1] if c in ins[0]]
            c = rng.choice(shared)
            shapes[1][ins[1].index(c)] = _other(rng, letters[c], 2, 6)
        s.add(f"a = {_n(shapes[0], rng)}")
        s.add(f"b = {_n(shapes[1], rng)}")
        s.add(f"y = np.einsum('{pat}', a, b)")
        s.result("y")
        note = f"np.einsum {pat}"
    elif form == "np_tensordot":
        s.add(f"a = {_n((m, k), rng)}")
        s.add(f"b = {_n((kb, n), rng)}")
        s.add(rng.choice(["y = np.tensordot(a, b, axes=1)", "y = np.tensordot(a, b, axes=([1], [0]))"]))
        s.result("y")
    elif form == "np_inner":
        s.add(f"a = {_n((m, k), rng)}")
        s.add(f"b = {_n((n, kb), rng)}")
        s.add("y = np.inner(a, b)")
        s.result("y")
    return fw, s, note


# ------------------------------------------------------------------------------------ layer chains
_ACTS = ["nn.ReLU()", "nn.Tanh()", "nn.GELU()", "nn.Sigmoid()", "nn.Dropout(0.1)", "nn.LeakyReLU(0.2)"]
_FACTS = ["torch.relu({})", "F.relu({})", "torch.tanh({})", "F.gelu({})", "torch.sigmoid({})", "F.dropout({}, 0.1)"]


def _chain_sizes(rng: random.Random, n_layers: int, bug: bool) -> Tuple[List[int], List[int], int]:
    """Feature sizes f0 -> f1 -> ... and the in_features each Linear is built with (one wrong on a bug)."""
    feats = [_sz(rng, 2, 12) for _ in range(n_layers + 1)]
    ins = feats[:-1]
    wrong = -1
    if bug:
        wrong = rng.randrange(n_layers)
        ins = list(ins)
        ins[wrong] = _other(rng, feats[wrong], 2, 12)
    return feats, ins, wrong


def gen_layers(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    s = _Src("torch")
    form = rng.choice(["seq", "seq", "module", "module", "norm", "embedding", "rnn", "attention", "call_chain"])
    batch = _sz(rng)
    if form == "seq":
        n_layers = rng.randint(2, 4)
        feats, ins, _ = _chain_sizes(rng, n_layers, bug)
        lead = rng.choice([(batch,), (batch, _sz(rng))])
        s.add("net = nn.Sequential(")
        for i in range(n_layers):
            s.add(f"    nn.Linear({ins[i]}, {feats[i + 1]}),", site=True)
            if i < n_layers - 1:
                s.add(f"    {rng.choice(_ACTS)},")
        s.add(")")
        s.add(f"x = {_t(lead + (feats[0],), rng)}")
        s.add("y = net(x)")
        s.result("y")
        return "torch", s, "nn.Sequential of Linear"
    if form == "call_chain":
        n_layers = rng.randint(2, 3)
        feats, ins, _ = _chain_sizes(rng, n_layers, bug)
        for i in range(n_layers):
            s.add(f"fc{i} = nn.Linear({ins[i]}, {feats[i + 1]})", site=True)
        s.add(f"h = {_t((batch, feats[0]), rng)}")
        for i in range(n_layers):
            act = rng.choice(_FACTS)
            s.add(f"h = {act.format(f'fc{i}(h)')}" if i < n_layers - 1 else f"y = fc{i}(h)")
        s.result("y")
        return "torch", s, "Linear layers called in turn"
    if form == "module":
        n_layers = rng.randint(2, 3)
        feats, ins, _ = _chain_sizes(rng, n_layers, bug)
        s.add("class Net(nn.Module):")
        s.add("    def __init__(self):")
        s.add("        super().__init__()")
        for i in range(n_layers):
            s.add(f"        self.fc{i + 1} = nn.Linear({ins[i]}, {feats[i + 1]})", site=True)
        s.add("")
        s.add("    def forward(self, x):")
        for i in range(n_layers):
            if i < n_layers - 1:
                s.add(f"        x = {rng.choice(_FACTS).format(f'self.fc{i + 1}(x)')}")
            else:
                s.add(f"        return self.fc{i + 1}(x)")
        s.add("")
        s.add("")
        s.add("model = Net()")
        s.add(f"y = model({_t((batch, feats[0]), rng)})")
        s.result("y")
        return "torch", s, "nn.Module with Linear layers"
    if form == "norm":
        d, h, c = _sz(rng, 2, 12), _sz(rng, 2, 12), _sz(rng, 2, 6)
        kind = rng.choice(["LayerNorm", "BatchNorm1d"])
        nd = _other(rng, h, 2, 12) if bug else h
        s.add("net = nn.Sequential(")
        s.add(f"    nn.Linear({d}, {h}),", site=True)
        s.add(f"    nn.{kind}({nd}),", site=True)
        s.add("    nn.ReLU(),")
        s.add(f"    nn.Linear({h}, {c}),", site=True)
        s.add(")")
        s.add(f"y = net({_t((batch, d), rng)})")
        s.result("y")
        return "torch", s, f"Linear + {kind}"
    if form == "embedding":
        vocab, d, c, t = _sz(rng, 10, 50), _sz(rng, 2, 12), _sz(rng, 2, 6), _sz(rng)
        di = _other(rng, d, 2, 12) if bug else d
        s.add(f"emb = nn.Embedding({vocab}, {d})", site=True)
        s.add(f"fc = nn.Linear({di}, {c})", site=True)
        s.add(f"tokens = torch.randint(0, {vocab}, ({batch}, {t}))")
        s.add("h = emb(tokens)")
        s.add(rng.choice(["y = fc(h)", "y = fc(h.mean(dim=1))", "y = fc(h[:, -1])"]))
        s.add("")
        s.result("h", "y")
        return "torch", s, "Embedding + Linear"
    if form == "rnn":
        kind = rng.choice(["RNN", "LSTM", "GRU"])
        f, hid, c, t = _sz(rng, 2, 12), _sz(rng, 2, 12), _sz(rng, 2, 6), _sz(rng)
        fi = _other(rng, f, 2, 12) if bug and rng.random() < 0.6 else f
        hc = _other(rng, hid, 2, 12) if bug and fi == f else hid
        s.add(f"rnn = nn.{kind}({fi}, {hid}, batch_first=True)", site=True)
        s.add(f"head = nn.Linear({hc}, {c})", site=True)
        s.add(f"x = {_t((batch, t, f), rng)}")
        s.add("out, _ = rnn(x)")
        s.add("y = head(out[:, -1])")
        s.result("out", "y")
        return "torch", s, f"{kind} + Linear"
    # attention
    heads = rng.choice([1, 2, 4])
    e = heads * _sz(rng, 1, 4)
    t = _sz(rng)
    eq = e
    if bug:
        eq = e + heads * rng.randint(1, 3)
    s.add(f"mha = nn.MultiheadAttention({e}, {heads}, batch_first=True)", site=True)
    s.add(f"q = {_t((batch, t, eq), rng)}")
    s.add("y, w = mha(q, q, q)")
    s.result("y", "w")
    return "torch", s, "MultiheadAttention"


# ------------------------------------------------------------------------------------ conv arithmetic
def _conv_out(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _pool_out(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def gen_lenet(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    """Two conv + pool blocks, then a flatten and two Linear layers (LeNet's shape arithmetic)."""
    s = _Src("torch")
    c0, c1, c2 = _sz(rng, 1, 3), _sz(rng, 2, 8), _sz(rng, 2, 16)
    k1, k2 = rng.choice([3, 5]), rng.choice([3, 5])
    hid, classes, batch = _sz(rng, 4, 32), _sz(rng, 2, 10), _sz(rng, 1, 4)
    size = rng.randint(k1 + 2 * k2 + 4, 32)

    def spatial(n: int) -> int:
        n = (n - k1 + 1) // 2
        return max((n - k2 + 1) // 2, 0)

    sp = spatial(size)
    bug_kind = rng.choice(["fc", "fc", "channels", "input"]) if bug else ""
    c1b = _other(rng, c1, 2, 8) if bug_kind == "channels" else c1
    fc_sp = sp
    if bug_kind == "fc":
        fc_sp = sp + rng.choice([1, 2]) if rng.random() < 0.5 or sp < 2 else sp - 1
    x_size = size
    if bug_kind == "input":
        x_size = size + rng.choice([-4, -2, 2, 4, 6])
        if spatial(x_size) == sp:
            x_size = size + 8
    flat_text = f"{c2} * {fc_sp} * {fc_sp}"
    flatten = rng.choice(["view_literal", "flatten", "view_size"])
    if rng.random() < 0.6:
        s.add("class Net(nn.Module):")
        s.add("    def __init__(self):")
        s.add("        super().__init__()")
        s.add(f"        self.conv1 = nn.Conv2d({c0}, {c1}, {k1})", site=True)
        s.add(f"        self.conv2 = nn.Conv2d({c1b}, {c2}, {k2})", site=True)
        s.add("        self.pool = nn.MaxPool2d(2, 2)")
        s.add(f"        self.fc1 = nn.Linear({flat_text}, {hid})", site=True)
        s.add(f"        self.fc2 = nn.Linear({hid}, {classes})")
        s.add("")
        s.add("    def forward(self, x):")
        s.add("        x = self.pool(F.relu(self.conv1(x)))")
        s.add("        x = self.pool(F.relu(self.conv2(x)))")
        s.add({"view_literal": f"        x = x.view(-1, {flat_text})",
               "flatten": "        x = torch.flatten(x, 1)",
               "view_size": "        x = x.view(x.size(0), -1)"}[flatten])
        s.add("        x = F.relu(self.fc1(x))")
        s.add("        return self.fc2(x)")
        s.add("")
        s.add("")
        s.add("net = Net()")
    else:
        s.add("net = nn.Sequential(")
        s.add(f"    nn.Conv2d({c0}, {c1}, kernel_size={k1}),", site=True)
        s.add("    nn.ReLU(),")
        s.add("    nn.MaxPool2d(2),")
        s.add(f"    nn.Conv2d({c1b}, {c2}, kernel_size={k2}),", site=True)
        s.add("    nn.ReLU(),")
        s.add("    nn.MaxPool2d(2),")
        s.add("    nn.Flatten(),")
        s.add(f"    nn.Linear({flat_text}, {hid}),", site=True)
        s.add("    nn.ReLU(),")
        s.add(f"    nn.Linear({hid}, {classes}),")
        s.add(")")
        flatten = "seq"
    s.add(f"x = {_t((batch, c0, x_size, x_size), rng)}")
    s.add("y = net(x)")
    s.result("y")
    return "torch", s, f"lenet {flatten} {bug_kind or 'ok'}"


def gen_conv(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    if rng.random() < 0.3:
        return gen_lenet(rng, bug)
    s = _Src("torch")
    nd = rng.choice([1, 2, 2])
    cin, cout, classes, batch = _sz(rng, 1, 4), _sz(rng, 2, 8), _sz(rng, 2, 6), _sz(rng, 1, 4)
    k = rng.choice([1, 2, 3, 3, 5])
    st = rng.choice([1, 1, 2])
    pad = rng.choice([0, 0, 1, 2])
    dil = rng.choice([1, 1, 1, 2])
    pk = rng.choice([2, 2, 3])
    ps = rng.choice([None, 1, 2])
    pp = rng.choice([0, 0, 1]) if pk >= 2 else 0
    pool = rng.choice(["MaxPool", "AvgPool", None])
    eff = dil * (k - 1) + 1
    size = _sz(rng, max(eff, 2 * pk + 2), 20)
    bug_kind = rng.choice(["fc", "fc", "channels", "empty"]) if bug else ""

    def flat_size(n: int) -> int:
        out = _conv_out(n, k, st, pad, dil)
        if pool and out >= 1:
            out = _pool_out(out, pk, ps or pk, pp)
        return cout * max(out, 0) ** nd

    flat = flat_size(size)
    fc_in = flat  # what the author computed for the size they had in mind
    if bug_kind == "empty":
        # The input is smaller than the kernel (or the pooling window) after all.
        size = max(1, eff - 2 * pad - rng.randint(1, 2))
        if rng.random() < 0.3 and pool:
            size = eff - 2 * pad + st * (pk - 2 * pp - 1) - st
            size = max(size, eff - 2 * pad) if size < 1 else size
    spatial = (size,) * nd
    if bug_kind == "fc":
        # A classic slip: the size before the pooling, or an off-by-one in the conv arithmetic.
        wrong = {cout * max(_conv_out(size, k, st, pad, dil), 1) ** nd, cout * (size ** nd), flat + cout,
                 max(flat - cout, 1)}
        wrong.discard(flat)
        fc_in = rng.choice(sorted(wrong))
    c_in_x = _other(rng, cin, 1, 4) if bug_kind == "channels" else cin
    dimn = f"{nd}d"
    conv_args = f"{cin}, {cout}, kernel_size={k}"
    if st != 1:
        conv_args += f", stride={st}"
    if pad:
        conv_args += f", padding={pad}"
    if dil != 1:
        conv_args += f", dilation={dil}"
    pool_txt = ""
    if pool:
        pool_txt = f"nn.{pool}{dimn}({pk}" + (f", stride={ps}" if ps else "") + (f", padding={pp}" if pp else "") + ")"
    style = rng.choice(["seq", "module", "functional"])
    x_shape = (batch, c_in_x) + spatial
    if style == "seq":
        s.add("net = nn.Sequential(")
        s.add(f"    nn.Conv{dimn}({conv_args}),", site=True)
        s.add("    nn.ReLU(),")
        if pool:
            s.add(f"    {pool_txt},", site=True)
        s.add("    nn.Flatten(),")
        s.add(f"    nn.Linear({fc_in}, {classes}),", site=True)
        s.add(")")
        s.add(f"x = {_t(x_shape, rng)}")
        s.add("y = net(x)")
        s.result("y")
    elif style == "module":
        s.add("class Net(nn.Module):")
        s.add("    def __init__(self):")
        s.add("        super().__init__()")
        s.add(f"        self.conv = nn.Conv{dimn}({conv_args})", site=True)
        if pool:
            s.add(f"        self.pool = {pool_txt}", site=True)
        s.add(f"        self.fc = nn.Linear({fc_in}, {classes})", site=True)
        s.add("")
        s.add("    def forward(self, x):")
        s.add("        x = F.relu(self.conv(x))")
        if pool:
            s.add("        x = self.pool(x)")
        s.add(rng.choice(["        x = x.view(x.size(0), -1)", "        x = torch.flatten(x, 1)",
                          "        x = x.reshape(x.shape[0], -1)"]))
        s.add("        return self.fc(x)")
        s.add("")
        s.add("")
        s.add("model = Net()")
        s.add(f"y = model({_t(x_shape, rng)})")
        s.result("y")
    else:
        s.add(f"conv = nn.Conv{dimn}({conv_args})", site=True)
        s.add(f"fc = nn.Linear({fc_in}, {classes})", site=True)
        s.add(f"x = {_t(x_shape, rng)}")
        s.add("h = conv(x)")
        if pool:
            fn = "max_pool" if pool == "MaxPool" else "avg_pool"
            s.add(f"h = F.{fn}{dimn}(h, {pk}" + (f", stride={ps}" if ps else "") + (f", padding={pp}" if pp else "")
                  + ")")
        s.add("flat = h.flatten(1)")
        s.add("y = fc(flat)")
        s.result("h", "flat", "y")
    return "torch", s, f"conv{dimn} {style} {bug_kind or 'ok'}"


# ------------------------------------------------------------------------------------ joins
def gen_joins(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    fw = "torch" if rng.random() < 0.6 else "numpy"
    s = _Src(fw)
    rank = rng.choice([1, 2, 2, 3])
    op = rng.choice(["cat", "cat", "stack"]) if rank < 3 else rng.choice(["cat", "stack"])
    if fw == "numpy" and rng.random() < 0.3 and rank == 2:
        op = rng.choice(["vstack", "hstack"])
    base = [_sz(rng) for _ in range(rank)]
    nin = rng.choice([2, 2, 3])
    out_rank = rank + (1 if op == "stack" else 0)
    axis = rng.randrange(-out_rank, out_rank) if op in ("cat", "stack") else None
    if op == "cat" and rank == 1:
        axis = rng.choice([0, -1])
    shapes = []
    for _ in range(nin):
        sh = list(base)
        if op == "cat":
            sh[axis % rank] = _sz(rng)
        elif op == "vstack":
            sh[0] = _sz(rng)
        elif op == "hstack":
            sh[1] = _sz(rng)
        shapes.append(sh)
    bug_kind = ""
    if bug:
        bug_kind = rng.choice(["size", "size", "rank", "axis"])
        if bug_kind == "axis" and op in ("vstack", "hstack"):
            bug_kind = "size"
        victim = rng.randrange(nin)
        if bug_kind == "size":
            if op in ("cat", "vstack", "hstack"):
                join = {"cat": (axis or 0) % rank, "vstack": 0, "hstack": 1}[op]
                others = [i for i in range(rank) if i != join]
                if not others:
                    bug_kind = "rank"
                else:
                    i = rng.choice(others)
                    shapes[victim][i] = _other(rng, shapes[victim][i])
            else:
                i = rng.randrange(rank)
                shapes[victim][i] = _other(rng, shapes[victim][i])
        if bug_kind == "rank":
            shapes[victim] = shapes[victim] + [_sz(rng)] if rng.random() < 0.5 or rank == 1 else shapes[victim][:-1]
        if bug_kind == "axis":
            axis = rng.choice([out_rank, out_rank + 1, -out_rank - 1])
    names = "abc"[:nin]
    for nm, sh in zip(names, shapes):
        s.add(f"{nm} = {_arr(fw, sh, rng)}")
    lst = "[" + ", ".join(names) + "]" if rng.random() < 0.7 else "(" + ", ".join(names) + ")"
    if fw == "torch":
        kw = rng.choice(["dim=", ""])
        fn = {"cat": rng.choice(["torch.cat", "torch.concat"]), "stack": "torch.stack"}[op]
        s.add(f"y = {fn}({lst}, {kw}{axis})")
    else:
        if op in ("vstack", "hstack"):
            s.add(f"y = np.{op}({lst})")
        else:
            fn = {"cat": "np.concatenate", "stack": "np.stack"}[op]
            s.add(f"y = {fn}({lst}, axis={axis})")
    s.result("y")
    return fw, s, f"{op} {bug_kind or 'ok'}"


# ------------------------------------------------------------------------------------ reshapes
def _factor_target(rng: random.Random, total: int, n: int) -> List[int]:
    """A random factorisation of ``total`` into ``n`` sizes."""
    out = []
    rest = total
    for _ in range(n - 1):
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = rng.choice(divs)
        out.append(d)
        rest //= d
    out.append(rest)
    rng.shuffle(out)
    return out


def gen_reshapes(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    fw = "torch" if rng.random() < 0.6 else "numpy"
    s = _Src(fw)
    rank = rng.choice([2, 3, 3, 4])
    shape = [_sz(rng, 2, 6) for _ in range(rank)]
    total = 1
    for d in shape:
        total *= d
    form = rng.choice(["reshape", "reshape", "permute", "transpose", "squeeze", "unsqueeze", "flatten", "reduce",
                       "softmax", "index", "gather"] if fw == "torch" else
                      ["reshape", "reshape", "permute", "transpose", "squeeze", "unsqueeze", "reduce", "index",
                       "take_along"])
    s.add(f"x = {_arr(fw, shape, rng)}")
    bug_kind = ""
    if form == "reshape":
        n = rng.choice([1, 2, 3])
        tgt = _factor_target(rng, total, n)
        use_neg = rng.random() < 0.5 and n > 1
        if use_neg:
            tgt[rng.randrange(n)] = -1
        if bug:
            bug_kind = rng.choice(["count", "two_neg"]) if use_neg and n > 1 else "count"
            if bug_kind == "count":
                i = rng.choice([j for j in range(n) if tgt[j] != -1] or [0])
                if tgt[i] == -1:
                    tgt.append(_other(rng, 1))
                else:
                    # A size that does not divide / does not multiply back to the element count.
                    cand = [c for c in range(2, 13) if c != tgt[i]]
                    rng.shuffle(cand)
                    for c in cand:
                        t2 = list(tgt)
                        t2[i] = c
                        known = 1
                        for v in t2:
                            if v != -1:
                                known *= v
                        if (-1 in t2 and total % known != 0) or (-1 not in t2 and known != total):
                            tgt = t2
                            break
            else:
                tgt = [-1 if j < 2 else v for j, v in enumerate(tgt)]
        if fw == "torch":
            spell = rng.choice(["view", "reshape", "fn"])
            s.add(f"y = torch.reshape(x, ({_tup(tgt)},))" if spell == "fn" else f"y = x.{spell}({_tup(tgt)})")
        else:
            spell = rng.choice(["method", "fn", "tuple"])
            if spell == "fn":
                s.add(f"y = np.reshape(x, ({_tup(tgt)},))")
            elif spell == "tuple":
                s.add(f"y = x.reshape(({_tup(tgt)},))")
            else:
                s.add(f"y = x.reshape({_tup(tgt)})")
    elif form == "permute":
        perm = list(range(rank))
        rng.shuffle(perm)
        if rng.random() < 0.3:
            perm = [p - rank if rng.random() < 0.5 else p for p in perm]
        if bug:
            bug_kind = rng.choice(["dup", "short", "range"])
            if bug_kind == "dup":
                perm[0] = perm[1]
            elif bug_kind == "short":
                perm = perm[:-1]
            else:
                perm[rng.randrange(rank)] = rank
        if fw == "torch":
            s.add(f"y = x.permute({_tup(perm)})" if rng.random() < 0.7 else f"y = torch.permute(x, ({_tup(perm)},))")
        else:
            s.add(f"y = np.transpose(x, ({_tup(perm)},))" if rng.random() < 0.6 else f"y = x.transpose({_tup(perm)})")
    elif form == "transpose":
        a0, a1 = rng.randrange(-rank, rank), rng.randrange(-rank, rank)
        if bug:
            bug_kind = "range"
            a1 = rng.choice([rank, rank + 1, -rank - 1])
        if fw == "torch":
            s.add(rng.choice([f"y = x.transpose({a0}, {a1})", f"y = torch.transpose(x, {a0}, {a1})",
                              f"y = x.swapaxes({a0}, {a1})"]))
        else:
            s.add(rng.choice([f"y = np.swapaxes(x, {a0}, {a1})", f"y = x.swapaxes({a0}, {a1})",
                              f"y = np.moveaxis(x, {a0}, {a1})"]))
    elif form == "squeeze":
        one = rng.randrange(rank + 1)
        shape2 = shape[:one] + [1] + shape[one:]
        s.lines[-1] = f"x = {_arr(fw, shape2, rng)}"
        ax = one if rng.random() < 0.7 else one - (rank + 1)
        if bug:
            bug_kind = "range"
            ax = rng.choice([rank + 1, rank + 2, -rank - 2])
        if fw == "torch":
            s.add(rng.choice([f"y = x.squeeze({ax})", f"y = torch.squeeze(x, {ax})", f"y = x.squeeze(dim={ax})"]))
        else:
            s.add(rng.choice([f"y = np.squeeze(x, axis={ax})", f"y = x.squeeze({ax})"]))
    elif form == "unsqueeze":
        ax = rng.randrange(-rank - 1, rank + 1)
        if bug:
            bug_kind = "range"
            ax = rng.choice([rank + 1, rank + 2, -rank - 2])
        if fw == "torch":
            s.add(rng.choice([f"y = x.unsqueeze({ax})", f"y = torch.unsqueeze(x, {ax})"]))
        else:
            s.add(f"y = np.expand_dims(x, {ax})")
    elif form == "flatten":
        st = rng.randrange(-rank, rank)
        en = rng.randrange(st % rank, rank)
        if bug:
            bug_kind = "range"
            st = rng.choice([rank, -rank - 1])
        s.add(rng.choice([f"y = x.flatten({st}, {en})", f"y = torch.flatten(x, {st}, {en})",
                          f"y = x.flatten(start_dim={st}, end_dim={en})"]))
    elif form == "reduce":
        ax = rng.randrange(-rank, rank)
        if bug:
            bug_kind = "range"
            ax = rng.choice([rank, rank + 1, -rank - 1])
        keep = rng.random() < 0.3
        if fw == "torch":
            op = rng.choice(["sum", "mean", "amax", "prod", "std", "argmax", "logsumexp"])
            kw = ", keepdim=True" if keep and op != "argmax" else ""
            s.add(f"y = x.{op}(dim={ax}{kw})" if rng.random() < 0.6 else f"y = torch.{op}(x, {ax}{kw})")
        else:
            op = rng.choice(["sum", "mean", "max", "min", "std", "argmax", "prod"])
            kw = ", keepdims=True" if keep and op != "argmax" else ""
            s.add(f"y = x.{op}(axis={ax}{kw})" if rng.random() < 0.6 else f"y = np.{op}(x, axis={ax}{kw})")
    elif form == "softmax":
        ax = rng.randrange(-rank, rank)
        if bug:
            bug_kind = "range"
            ax = rng.choice([rank, -rank - 1])
        s.add(rng.choice([f"y = torch.softmax(x, dim={ax})", f"y = F.softmax(x, dim={ax})",
                          f"y = x.log_softmax({ax})", f"y = F.log_softmax(x, {ax})"]))
    elif form == "index":
        idx = rng.choice([["0"], [":", "0"], ["...", "None"], [":", "1:"], ["-1"], ["None", ":"],
                          [":", ":", "None"], ["...", "0"]])
        if bug:
            bug_kind = "too_many"
            idx = ["0"] * (rank + 1)
        s.add(f"y = x[{', '.join(idx)}]")
    elif form in ("gather", "take_along"):
        ax = rng.randrange(rank)
        ishape = list(shape)
        ishape[ax] = _sz(rng, 1, 6)
        if bug:
            bug_kind = "index_rank"
            ishape = ishape[:-1] if rng.random() < 0.5 else ishape + [2]
        if fw == "torch":
            s.add(f"idx = torch.randint(0, {shape[ax]}, ({_tup(ishape)},))")
            s.add(rng.choice([f"y = torch.gather(x, {ax}, idx)", f"y = x.gather({ax}, idx)"]))
        else:
            s.add(f"idx = np.random.randint(0, {shape[ax]}, ({_tup(ishape)},))")
            s.add(f"y = np.take_along_axis(x, idx, axis={ax})")
    s.result("y")
    return fw, s, f"{form} {bug_kind or 'ok'}"


# ------------------------------------------------------------------------------------ broadcasts
def gen_broadcasts(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    fw = "torch" if rng.random() < 0.55 else "numpy"
    s = _Src(fw)
    rank = rng.choice([1, 2, 2, 3, 3, 4])
    full = [_sz(rng) for _ in range(rank)]

    def derive() -> List[int]:
        r = rng.randint(1, rank)
        sh = full[rank - r:]
        return [1 if rng.random() < 0.3 else d for d in sh]

    a, b = derive(), derive()
    if rng.random() < 0.5:
        a = list(full)
    if bug:
        # One trailing-aligned axis both have with a size > 1 gets a different size.
        n = min(len(a), len(b))
        i = -rng.randint(1, n)
        da = a[i] if a[i] != 1 else full[i]
        a[i] = da
        b[i] = _other(rng, da)
    nops = 2
    c = None
    if rng.random() < 0.25:
        c = derive()
        nops = 3
    s.add(f"a = {_arr(fw, a, rng)}")
    s.add(f"b = {_arr(fw, b, rng)}")
    if c is not None:
        s.add(f"c = {_arr(fw, c, rng)}")
    if fw == "torch":
        if nops == 3:
            s.add(rng.choice(["y = a * b + c", "y = torch.where(a > 0, b, c)", "y = (a - b) / (c + 1)"]))
        else:
            s.add(rng.choice(["y = a + b", "y = a * b", "y = a - b", "y = a / (b + 1)", "y = torch.add(a, b)",
                              "y = torch.mul(a, b)", "y = torch.maximum(a, b)", "y = a.add(b)", "y = a > b",
                              "y = torch.where(a > b, a, b)", "y = a.mul(b)"]))
    else:
        if nops == 3:
            s.add(rng.choice(["y = a * b + c", "y = np.where(a > 0, b, c)", "y = (a - b) / (c + 1)"]))
        else:
            s.add(rng.choice(["y = a + b", "y = a * b", "y = a - b", "y = np.add(a, b)", "y = np.multiply(a, b)",
                              "y = np.maximum(a, b)", "y = a ** b", "y = a >= b"]))
    allow = []
    if _outer(a, b) or (c is not None and (_outer(a, c) or _outer(b, c))):
        allow.append("SHP502")
    # The pairwise pattern through an intermediate result, e.g. (a*b) vs c: allow it too.
    if c is not None:
        ab = _bshape(a, b)
        if ab is not None and _outer(ab, c):
            allow.append("SHP502")
    s.warn.extend(allow)
    s.result("y")
    return fw, s, f"broadcast rank {rank}"


def _bshape(a: Sequence[int], b: Sequence[int]) -> Optional[List[int]]:
    n = max(len(a), len(b))
    out = []
    for i in range(1, n + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y) if 1 in (x, y) else x)
    return list(reversed(out))


# ------------------------------------------------------------------------------------ harder variants
# Second streams per family (ids "<family>-x<nnn>"): spellings and idioms real code uses that the
# basic generators above do not reach.
def gen_products_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    form = rng.choice(["layer_weight", "ellipsis_einsum", "outer", "baddbmm", "np_batch_bcast", "tensordot2",
                       "vec_batched", "multi_dot", "np_vdot_like"])
    m, k, n = _sz(rng), _sz(rng), _sz(rng)
    kb = _other(rng, k) if bug else k
    if form == "layer_weight":
        s = _Src("torch")
        s.add(f"lin = nn.Linear({k}, {n})")
        s.add(f"x = {_t((m, kb), rng)}")
        s.add(rng.choice(["y = x @ lin.weight.T + lin.bias", "y = torch.matmul(x, lin.weight.t())",
                          "y = x.mm(lin.weight.transpose(0, 1))"]))
        s.result("y")
        return "torch", s, "x @ layer.weight.T"
    if form == "ellipsis_einsum":
        s = _Src("torch")
        b = _sz(rng)
        s.add(f"a = {_t((b, m, k), rng)}")
        s.add(f"b = {_t((b, kb, n), rng)}")
        s.add(rng.choice(["y = torch.einsum('...ij,...jk->...ik', a, b)", "y = torch.einsum('bij, bjk -> bik', a, b)"]))
        s.result("y")
        return "torch", s, "einsum with ellipsis/spaces"
    if form == "outer":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"u = {_arr(fw, (m,), rng)}")
        s.add(f"v = {_arr(fw, (n,), rng)}")
        s.add(f"w = {_arr(fw, (n, kb), rng)}")
        s.add("o = torch.outer(u, v)" if fw == "torch" else "o = np.outer(u, v)")
        s.add(f"y = o @ w[:, :{k}]" if not bug else "y = o.T @ w")
        if bug and m == n:
            s.lines[-1] = "y = o @ w.T"
        s.result("o", "y")
        return fw, s, "outer then product"
    if form == "baddbmm":
        s = _Src("torch")
        b = _sz(rng)
        s.add(f"c = {_t((b, m, n), rng)}")
        s.add(f"a = {_t((b, m, k), rng)}")
        s.add(f"w = {_t((b, kb, n), rng)}")
        s.add("y = torch.baddbmm(c, a, w)")
        s.result("y")
        return "torch", s, "baddbmm"
    if form == "np_batch_bcast":
        s = _Src("numpy")
        b1, b2 = _sz(rng), _sz(rng)
        bb = _other(rng, b2) if bug and rng.random() < 0.5 else b2
        if bb != b2:
            kb = k
        s.add(f"a = {_n((b1, 1, m, k), rng)}")
        s.add(f"b = {_n((bb, kb, n), rng)}")
        s.add("y = np.matmul(a, b)")
        s.result("y")
        return "numpy", s, "np.matmul broadcast batch"
    if form == "tensordot2":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        c = _sz(rng)
        s.add(f"a = {_arr(fw, (m, c, k), rng)}")
        s.add(f"b = {_arr(fw, (c, kb, n), rng)}")
        s.add("y = torch.tensordot(a, b, dims=([1, 2], [0, 1]))" if fw == "torch"
              else "y = np.tensordot(a, b, axes=([1, 2], [0, 1]))")
        s.result("y")
        return fw, s, "tensordot over two axes"
    if form == "vec_batched":
        s = _Src("torch")
        b = _sz(rng)
        s.add(f"v = {_t((k,), rng)}")
        s.add(f"m = {_t((b, kb, n), rng)}")
        s.add("y = v @ m")
        s.result("y")
        return "torch", s, "1-D @ batched"
    if form == "multi_dot":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        p_ = _sz(rng)
        s.add(f"a = {_arr(fw, (m, k), rng)}")
        s.add(f"b = {_arr(fw, (k, n), rng)}")
        s.add(f"c = {_arr(fw, (_other(rng, n) if bug else n, p_), rng)}")
        s.add("y = a @ b @ c" if rng.random() < 0.5 else
              ("y = torch.linalg.multi_dot([a, b, c])" if fw == "torch" else "y = np.linalg.multi_dot([a, b, c])"))
        s.result("y")
        return fw, s, "three-way product"
    s = _Src("numpy")
    s.add(f"a = {_n((m, k), rng)}")
    s.add(f"b = {_n((m, kb), rng)}")
    s.add(rng.choice(["y = (a * b).sum(axis=1)", "y = np.einsum('ij,ij->i', a, b)"]))
    s.codes.append("SHP501")  # (a * b).sum(...) fails in the elementwise product
    s.result("y")
    return "numpy", s, "row-wise dot"


def gen_layers_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    s = _Src("torch")
    form = rng.choice(["modulelist", "nested_seq", "seq_index", "linear_3d", "bilstm", "gru_seq_first",
                       "lstm_state", "layernorm_tuple", "emb_lstm", "encoder_layer"])
    batch, t = _sz(rng), _sz(rng)
    if form == "modulelist":
        n_layers = rng.randint(2, 4)
        feats, ins, _ = _chain_sizes(rng, n_layers, bug)
        s.add("class MLP(nn.Module):")
        s.add("    def __init__(self):")
        s.add("        super().__init__()")
        s.add("        self.layers = nn.ModuleList([")
        for i in range(n_layers):
            s.add(f"            nn.Linear({ins[i]}, {feats[i + 1]}),", site=True)
        s.add("        ])")
        s.add("")
        s.add("    def forward(self, x):")
        s.add("        for layer in self.layers:")
        s.add("            x = torch.relu(layer(x))")
        s.add("        return x")
        s.add("")
        s.add("")
        s.add(f"y = MLP()({_t((batch, feats[0]), rng)})")
        s.result("y")
        return "torch", s, "ModuleList loop"
    if form == "nested_seq":
        feats, ins, _ = _chain_sizes(rng, 3, bug)
        s.add(f"enc = nn.Sequential(nn.Linear({ins[0]}, {feats[1]}), nn.ReLU())", site=True)
        s.add(f"dec = nn.Sequential(nn.Linear({ins[1]}, {feats[2]}), nn.ReLU(), nn.Linear({ins[2]}, {feats[3]}))",
              site=True)
        s.add("net = nn.Sequential(enc, dec)")
        s.add(f"y = net({_t((batch, feats[0]), rng)})")
        s.result("y")
        return "torch", s, "nested Sequential"
    if form == "seq_index":
        feats, ins, _ = _chain_sizes(rng, 3, bug)
        s.add("net = nn.Sequential(")
        for i in range(3):
            s.add(f"    nn.Linear({ins[i]}, {feats[i + 1]}),", site=True)
        s.add(")")
        s.add(f"x = {_t((batch, feats[0]), rng)}")
        s.add("h = net[0](x)")
        s.add("y = net[1:](h)" if rng.random() < 0.5 else "y = net[2](net[1](h))")
        s.result("h", "y")
        return "torch", s, "Sequential indexing/slicing"
    if form == "linear_3d":
        feats, ins, _ = _chain_sizes(rng, 2, bug)
        s.add(f"proj = nn.Linear({ins[0]}, {feats[1]})", site=True)
        s.add(f"out = nn.Linear({ins[1]}, {feats[2]})", site=True)
        s.add(f"x = {_t((batch, t, _sz(rng), feats[0]), rng)}")
        s.add("y = out(F.gelu(proj(x)))")
        s.result("y")
        return "torch", s, "Linear on 4-D input"
    if form in ("bilstm", "gru_seq_first", "lstm_state"):
        f, hid, c = _sz(rng, 2, 12), _sz(rng, 2, 12), _sz(rng, 2, 6)
        layers = rng.choice([1, 2])
        if form == "bilstm":
            head_in = 2 * hid if not bug else hid
            s.add(f"rnn = nn.LSTM({f}, {hid}, num_layers={layers}, batch_first=True, bidirectional=True)")
            s.add(f"head = nn.Linear({head_in}, {c})", site=True)
            s.add(f"x = {_t((batch, t, f), rng)}")
            s.add("out, (h, c) = rnn(x)")
            s.add("y = head(out)")
            s.result("out", "h", "c", "y")
            return "torch", s, "bidirectional LSTM"
        if form == "gru_seq_first":
            fi = _other(rng, f, 2, 12) if bug else f
            s.add(f"rnn = nn.GRU({fi}, {hid}, num_layers={layers})", site=True)
            s.add(f"x = {_t((t, batch, f), rng)}")
            s.add("out, h = rnn(x)")
            s.add("y = out[-1]")
            s.result("out", "h", "y")
            return "torch", s, "GRU (seq, batch, feature)"
        hb = _other(rng, hid, 2, 12) if bug else hid
        s.add(f"rnn = nn.LSTM({f}, {hid}, batch_first=True)", site=True)
        s.add(f"x = {_t((batch, t, f), rng)}")
        s.add(f"h0 = {_t((1, batch, hb), rng)}")
        s.add(f"c0 = {_t((1, batch, hb), rng)}")
        s.add("out, (h, c) = rnn(x, (h0, c0))")
        s.result("out", "h")
        return "torch", s, "LSTM with initial state"
    if form == "layernorm_tuple":
        a, b = _sz(rng), _sz(rng)
        bb = _other(rng, b) if bug else b
        s.add(f"ln = nn.LayerNorm(({a}, {bb}))", site=True)
        s.add(f"x = {_t((batch, a, b), rng)}")
        s.add("y = ln(x)")
        s.result("y")
        return "torch", s, "LayerNorm over two axes"
    if form == "emb_lstm":
        vocab, d, hid, c = _sz(rng, 10, 40), _sz(rng, 2, 12), _sz(rng, 2, 12), _sz(rng, 2, 6)
        di = _other(rng, d, 2, 12) if bug else d
        s.add("class Tagger(nn.Module):")
        s.add("    def __init__(self):")
        s.add("        super().__init__()")
        s.add(f"        self.emb = nn.Embedding({vocab}, {d})", site=True)
        s.add(f"        self.lstm = nn.LSTM({di}, {hid}, batch_first=True)", site=True)
        s.add(f"        self.out = nn.Linear({hid}, {c})")
        s.add("")
        s.add("    def forward(self, tokens):")
        s.add("        h, _ = self.lstm(self.emb(tokens))")
        s.add("        return self.out(h)")
        s.add("")
        s.add("")
        s.add(f"y = Tagger()(torch.randint(0, {vocab}, ({batch}, {t})))")
        s.result("y")
        return "torch", s, "Embedding + LSTM tagger"
    heads = rng.choice([1, 2, 4])
    d = heads * _sz(rng, 1, 4)
    di = d + heads if bug else d
    s.add(f"layer = nn.TransformerEncoderLayer(d_model={d}, nhead={heads}, dim_feedforward={_sz(rng, 4, 16)}, "
          f"batch_first=True)", site=True)
    s.add(f"x = {_t((batch, t, di), rng)}")
    s.add("y = layer(x)")
    s.result("y")
    return "torch", s, "TransformerEncoderLayer"


def gen_conv_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    s = _Src("torch")
    form = rng.choice(["tuple_args", "same_pad", "adaptive", "batchnorm2d", "transpose", "rank", "groups",
                       "ceil_pool", "unbatched"])
    b, cin, cout = _sz(rng, 1, 4), _sz(rng, 1, 6), _sz(rng, 2, 8)
    h, w = _sz(rng, 8, 20), _sz(rng, 8, 20)
    if form == "tuple_args":
        kh, kw = rng.choice([1, 3, 5]), rng.choice([1, 3, 5])
        sh, sw = rng.choice([1, 2]), rng.choice([1, 2])
        ph, pw = rng.choice([0, 1]), rng.choice([0, 1, 2])
        oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        fc_in = cout * oh * ow
        if bug:
            fc_in = cout * ow * (oh + 1)
        s.add(f"conv = nn.Conv2d({cin}, {cout}, kernel_size=({kh}, {kw}), stride=({sh}, {sw}), padding=({ph}, {pw}))",
              site=True)
        s.add(f"fc = nn.Linear({fc_in}, 3)", site=True)
        s.add(f"x = {_t((b, cin, h, w), rng)}")
        s.add("h = conv(x)")
        s.add("y = fc(h.view(h.size(0), -1))")
        s.result("h", "y")
        return "torch", s, "conv2d tuple arguments"
    if form == "same_pad":
        k = rng.choice([3, 5])
        fc_in = cout * h * w if not bug else cout * (h - k + 1) * (w - k + 1)
        s.add(f"conv = nn.Conv2d({cin}, {cout}, {k}, padding='same')", site=True)
        s.add(f"fc = nn.Linear({fc_in}, 4)", site=True)
        s.add(f"x = {_t((b, cin, h, w), rng)}")
        s.add("h = conv(x)")
        s.add("y = fc(torch.flatten(h, 1))")
        s.result("h", "y")
        return "torch", s, "padding='same'"
    if form == "adaptive":
        o = rng.choice([1, 2, 4])
        fc_in = cout * o * o if not bug else cout
        if bug and o == 1:
            fc_in = cout * 4
        s.add("net = nn.Sequential(")
        s.add(f"    nn.Conv2d({cin}, {cout}, 3, padding=1),")
        s.add("    nn.ReLU(),")
        s.add(f"    nn.AdaptiveAvgPool2d({o if rng.random() < 0.5 else (o, o)}),", site=True)
        s.add("    nn.Flatten(),")
        s.add(f"    nn.Linear({fc_in}, 5),", site=True)
        s.add(")")
        s.add(f"y = net({_t((b, cin, h, w), rng)})")
        s.result("y")
        return "torch", s, "AdaptiveAvgPool2d"
    if form == "batchnorm2d":
        cb = _other(rng, cout, 2, 8) if bug else cout
        s.add(f"conv = nn.Conv2d({cin}, {cout}, 3)")
        s.add(f"bn = nn.BatchNorm2d({cb})", site=True)
        s.add(f"x = {_t((b, cin, h, w), rng)}")
        s.add("y = F.relu(bn(conv(x)))")
        s.result("y")
        return "torch", s, "Conv2d + BatchNorm2d"
    if form == "transpose":
        k, st = rng.choice([2, 3, 4]), rng.choice([1, 2])
        pad = rng.choice([0, 1]) if k > 2 else 0
        op = rng.choice([0, 1]) if st == 2 else 0
        cx = _other(rng, cin, 1, 6) if bug else cin
        s.add(f"up = nn.ConvTranspose2d({cin}, {cout}, {k}, stride={st}, padding={pad}, output_padding={op})",
              site=True)
        s.add(f"y = up({_t((b, cx, h, w), rng)})")
        s.result("y")
        return "torch", s, "ConvTranspose2d"
    if form == "rank":
        nd = rng.choice([1, 2])
        # A rank the layer does not take: Conv2d on (B, H, W) is read as unbatched (C, H, W) by torch.
        shape = (b, cin) + (h,) * nd
        if bug:
            shape = (b, cin) + (h,) * (nd + 2)
        s.add(f"conv = nn.Conv{nd}d({cin}, {cout}, 3)", site=True)
        s.add(f"y = conv({_t(shape, rng)})")
        s.result("y")
        return "torch", s, "conv input rank"
    if form == "groups":
        g = rng.choice([2, 4])
        ci, co = g * _sz(rng, 1, 3), g * _sz(rng, 1, 3)
        cx = ci + g if bug else ci
        s.add(f"conv = nn.Conv2d({ci}, {co}, 3, padding=1, groups={g})", site=True)
        s.add(f"y = conv({_t((b, cx, h, w), rng)})")
        s.result("y")
        return "torch", s, "grouped conv"
    if form == "ceil_pool":
        k = rng.choice([2, 3])
        st = rng.choice([2, 3])
        oh = -(-(h - k) // st) + 1
        if (oh - 1) * st >= h:
            oh -= 1
        ow = -(-(w - k) // st) + 1
        if (ow - 1) * st >= w:
            ow -= 1
        fc_in = cin * oh * ow if not bug else cin * ((h - k) // st + 1) * ((w - k) // st + 1)
        if bug and fc_in == cin * oh * ow:
            fc_in += cin
        s.add(f"pool = nn.MaxPool2d({k}, stride={st}, ceil_mode=True)", site=True)
        s.add(f"fc = nn.Linear({fc_in}, 2)", site=True)
        s.add(f"x = {_t((b, cin, h, w), rng)}")
        s.add("p = pool(x)")
        s.add("y = fc(p.flatten(1))")
        s.result("p", "y")
        return "torch", s, "MaxPool2d ceil_mode"
    cx = _other(rng, cin, 1, 6) if bug else cin
    s.add(f"conv = nn.Conv2d({cin}, {cout}, 3, padding=1)", site=True)
    s.add(f"y = conv({_t((cx, h, w), rng)})")
    s.result("y")
    return "torch", s, "unbatched conv input"


def gen_joins_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    form = rng.choice(["hvstack_torch", "column_stack", "dstack", "cat_unsqueeze", "cat_comprehension",
                       "cat_features"])
    a, b = _sz(rng), _sz(rng)
    if form == "hvstack_torch":
        s = _Src("torch")
        op = rng.choice(["hstack", "vstack"])
        r1, r2 = (a, _sz(rng)), (a, _sz(rng)) if op == "hstack" else (_sz(rng), b)
        if op == "vstack":
            r1, r2 = (_sz(rng), b), (_sz(rng), b)
        if bug:
            r2 = (_other(rng, r1[0]), r2[1]) if op == "hstack" else (r2[0], _other(rng, r1[1]))
        s.add(f"p = {_t(r1, rng)}")
        s.add(f"q = {_t(r2, rng)}")
        s.add(f"y = torch.{op}([p, q])")
        s.result("y")
        return "torch", s, f"torch.{op}"
    if form == "column_stack":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"p = {_arr(fw, (a,), rng)}")
        s.add(f"q = {_arr(fw, (_other(rng, a) if bug else a,), rng)}")
        s.add(f"r = {_arr(fw, (a, b), rng)}")
        s.add("y = torch.column_stack([p, q, r])" if fw == "torch" else "y = np.column_stack([p, q, r])")
        s.result("y")
        return fw, s, "column_stack"
    if form == "dstack":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"p = {_arr(fw, (a, b), rng)}")
        s.add(f"q = {_arr(fw, (a, _other(rng, b) if bug else b), rng)}")
        s.add("y = torch.dstack([p, q])" if fw == "torch" else "y = np.dstack([p, q])")
        s.result("y")
        return fw, s, "dstack"
    if form == "cat_unsqueeze":
        s = _Src("torch")
        n = _sz(rng)
        s.add(f"seq = {_t((n, a, b), rng)}")
        s.add(f"tok = {_t((a, _other(rng, b) if bug else b), rng)}")
        s.add("y = torch.cat([tok.unsqueeze(0), seq], dim=0)")
        s.result("y")
        return "torch", s, "cat with unsqueeze"
    if form == "cat_comprehension":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        n = rng.randint(2, 4)
        s.add(f"parts = [{_arr(fw, (a, b), rng)} for _ in range({n})]")
        s.add(f"extra = {_arr(fw, (_other(rng, a) if bug else a, _sz(rng)), rng)}")
        s.add("y = torch.cat(parts + [extra], dim=1)" if fw == "torch" else
              "y = np.concatenate(parts + [extra], axis=1)")
        s.result("y")
        return fw, s, "cat of a built list"
    s = _Src("torch")
    t = _sz(rng)
    s.add(f"h = {_t((a, t, b), rng)}")
    c = _sz(rng)
    s.add(f"ctx = {_t((a, _other(rng, t) if bug else t, c), rng)}")
    s.add("z = torch.cat((h, ctx), -1)")
    s.add(f"proj = nn.Linear({b + c}, {_sz(rng)})")
    s.add("y = proj(z)")
    s.result("z", "y")
    return "torch", s, "cat features then Linear"


def gen_reshapes_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    form = rng.choice(["heads", "heads", "permute_view", "movedim", "unflatten", "split_chunk", "expand_repeat",
                       "np_tile", "index_none", "size_index", "mT", "np_squeeze"])
    bsz, t, h, d = _sz(rng, 1, 4), _sz(rng), rng.choice([1, 2, 4]), _sz(rng, 1, 4)
    e = h * d
    if form == "heads":
        s = _Src("torch")
        hb = h + 1 if bug else h
        s.add(f"x = {_t((bsz, t, e), rng)}")
        s.add(f"q = x.view({bsz}, {t}, {hb}, {d}).transpose(1, 2)")
        s.add(f"y = q.transpose(1, 2).contiguous().view({bsz}, {t}, -1)" if rng.random() < 0.5 else
              f"y = q.reshape({bsz} * {hb}, {t}, {d})")
        s.result("q", "y")
        return "torch", s, "multi-head split/merge"
    if form == "permute_view":
        s = _Src("torch")
        c, hh, ww = _sz(rng), _sz(rng), _sz(rng)
        s.add(f"x = {_t((bsz, c, hh, ww), rng)}")
        tgt = f"{bsz}, {hh * ww}, {c}" if not bug else f"{bsz}, {hh * ww}, {c + 1}"
        s.add(f"y = x.permute(0, 2, 3, 1).reshape({tgt})")
        s.result("y")
        return "torch", s, "permute then reshape"
    if form == "movedim":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        shape = [_sz(rng) for _ in range(3)]
        src, dst = rng.randrange(3), rng.randrange(-3, 3)
        if bug:
            dst = rng.choice([3, -4])
        s.add(f"x = {_arr(fw, shape, rng)}")
        s.add(f"y = torch.movedim(x, {src}, {dst})" if fw == "torch" else f"y = np.moveaxis(x, {src}, {dst})")
        s.result("y")
        return fw, s, "movedim/moveaxis"
    if form == "unflatten":
        s = _Src("torch")
        s.add(f"x = {_t((bsz, t * e), rng)}")
        s.add(f"y = x.unflatten(1, ({t}, {e + 1 if bug else e}))")
        s.result("y")
        return "torch", s, "unflatten"
    if form == "split_chunk":
        s = _Src("torch")
        n = rng.choice([2, 3])
        s.add(f"x = {_t((bsz, n * d, t), rng)}")
        if rng.random() < 0.5:
            s.add(f"a, b = x.chunk(2, dim={1 if not bug else 3})" if n == 2 else
                  f"a, b, c = torch.chunk(x, 3, dim={1 if not bug else 3})")
        else:
            s.add(f"parts = torch.split(x, {d}, dim={1 if not bug else -4})")
            s.add("a = parts[0]")
        s.result("a")
        return "torch", s, "split/chunk"
    if form == "expand_repeat":
        s = _Src("torch")
        s.add(f"x = {_t((bsz, 1, d), rng)}")
        if rng.random() < 0.5:
            s.add(f"y = x.expand(-1, {t}, {d + 1 if bug else d})")
        else:
            s.add(f"y = x.repeat(1, {t}, 2)" if not bug else f"y = x.repeat(1, {t})")
        s.result("y")
        return "torch", s, "expand/repeat"
    if form == "np_tile":
        s = _Src("numpy")
        s.add(f"x = {_n((t, d), rng)}")
        s.add("y = np.tile(x, (2, 1))" if rng.random() < 0.5 else f"y = np.broadcast_to(x, ({bsz}, {t}, {d}))")
        if bug:
            s.lines[-1] = f"y = np.broadcast_to(x, ({bsz}, {t}, {d + 1}))"
        s.result("y")
        return "numpy", s, "tile/broadcast_to"
    if form == "index_none":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (t, d + 1), rng)}")
        s.add(rng.choice(["y = x[:, None, :]", "y = x[None]", "y = x[..., None]", "y = x[1:, -1]", "y = x[::2]",
                          "y = x[:, :2, None]"]))
        if bug:
            s.lines[-1] = rng.choice(["y = x[:, :, 0]", "y = x[0, 0, 0]", "y = x[:, None, :, 1]"])
        s.result("y")
        return fw, s, "indexing with None/slices"
    if form == "size_index":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (bsz, t, e), rng)}")
        ax = rng.choice([0, 1, 2, -1]) if not bug else rng.choice([3, -4])
        s.add(f"n = x.shape[{ax}]" if fw == "numpy" or rng.random() < 0.5 else f"n = x.size({ax})")
        s.add("y = x.reshape(n, -1)")
        s.result("y")
        return fw, s, "size(d)/shape[d]"
    if form == "mT":
        s = _Src("torch")
        s.add(f"x = {_t((bsz, t, d) if not bug else (t,), rng)}")
        s.add("y = x.mT")
        s.result("y")
        return "torch", s, ".mT"
    s = _Src("numpy")
    s.add(f"x = {_n((t, 1, d), rng)}")
    s.add("y = np.squeeze(x, axis=1)" if not bug else f"y = np.squeeze(x, axis={rng.choice([3, -4])})")
    s.result("y")
    return "numpy", s, "np.squeeze axis"


def gen_broadcasts_x(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    form = rng.choice(["normalize", "normalize", "softmax_np", "pairwise", "inplace", "bias_add", "mask"])
    n, d = _sz(rng), _sz(rng)
    if n == d:
        d = _other(rng, n)
    fw = rng.choice(["torch", "numpy"])
    s = _Src(fw)
    if form == "normalize":
        s.add(f"x = {_arr(fw, (n, d), rng)}")
        ax = rng.choice([0, 1])
        if fw == "torch":
            keep = ", keepdim=True" if (not bug or ax == 0) else ""
            s.add(f"mu = x.mean(dim={ax}{keep})")
            s.add(f"sd = x.std(dim={ax}{keep})")
        else:
            keep = ", keepdims=True" if (not bug or ax == 0) else ""
            s.add(f"mu = x.mean(axis={ax}{keep})")
            s.add(f"sd = x.std(axis={ax}{keep})")
        s.add("y = (x - mu) / (sd + 1e-5)")
        s.result("mu", "y")
        return fw, s, "normalize with keepdim"
    if form == "softmax_np":
        s = _Src("numpy")
        s.add(f"x = {_n((n, d), rng)}")
        s.add("e = np.exp(x - x.max(axis=1, keepdims=True))")
        s.add("y = e / e.sum(axis=1, keepdims=True)" if not bug else "y = e / e.sum(axis=1)")
        s.result("e", "y")
        return "numpy", s, "manual softmax"
    if form == "pairwise":
        m = _sz(rng)
        s.add(f"a = {_arr(fw, (n, d), rng)}")
        s.add(f"b = {_arr(fw, (m, _other(rng, d) if bug else d), rng)}")
        s.add("diff = a[:, None, :] - b[None, :, :]")
        s.add("y = (diff ** 2).sum(-1)" if fw == "torch" else "y = (diff ** 2).sum(axis=-1)")
        s.result("diff", "y")
        return fw, s, "pairwise differences"
    if form == "inplace":
        s.add(f"acc = {_arr(fw, (n, d), rng)}")
        s.add(f"u = {_arr(fw, (d,) if not bug else (_other(rng, d),), rng)}")
        s.add("acc += u")
        s.add("y = acc * 2")
        s.result("y")
        return fw, s, "in-place add"
    if form == "bias_add":
        t = _sz(rng)
        s.add(f"h = {_arr(fw, (n, t, d), rng)}")
        s.add(f"bias = {_arr(fw, (t if bug else d,), rng)}")
        if bug and t == d:
            s.lines[-1] = f"bias = {_arr(fw, (_other(rng, d),), rng)}"
        s.add("y = h + bias")
        s.result("y")
        return fw, s, "bias over the last axis"
    s = _Src("torch")
    t = _sz(rng)
    s.add(f"scores = {_t((n, t, t), rng)}")
    s.add(f"mask = torch.ones({t}, {_other(rng, t) if bug else t}).tril().bool()")
    s.add("y = scores.masked_fill(~mask, float('-inf'))")
    s.result("y")
    return "torch", s, "causal mask"


# ------------------------------------------------------------------------------------ semantic traps
# Programs where the frameworks' exact semantics matter (np.dot on N-D arrays, squeeze() with no
# axis, reductions over tuples of axes, namedtuple results, fancy indexing). Mostly valid: they test
# the inferred shapes and that nothing is reported; any shape rule's code answers their bugs.
def gen_traps(rng: random.Random, bug: bool) -> Tuple[str, _Src, str]:
    a, b, c, d = _sz(rng), _sz(rng), _sz(rng), _sz(rng)
    form = rng.choice(["np_dot_nd", "matmul_1d_3d", "squeeze_all", "sum_all", "max_dim", "mean_tuple",
                       "flatten_all", "interpolate", "flatten_layer", "expand_dims_tuple", "zero_d", "arange_reshape",
                       "t_1d", "fancy_index", "einsum_unary", "step_slice", "keepdim_neg", "np_dot_scalar",
                       "topk", "one_hot_like"])
    if form == "np_dot_nd":
        s = _Src("numpy")
        s.add(f"x = {_n((a, b, c), rng)}")
        s.add(f"w = {_n((d, _other(rng, c) if bug else c, a), rng)}")
        s.add("y = np.dot(x, w)")
        s.result("y")
        return "numpy", s, "np.dot of 3-D arrays"
    if form == "matmul_1d_3d":
        s = _Src("torch")
        s.add(f"x = {_t((a, b, c), rng)}")
        s.add(f"v = {_t((_other(rng, c) if bug else c,), rng)}")
        s.add("y = x @ v")
        s.result("y")
        return "torch", s, "3-D @ 1-D"
    if form == "squeeze_all":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (1, a, 1, b), rng)}")
        s.add("y = x.squeeze()")
        s.result("y")
        return fw, s, "squeeze() with no axis"
    if form == "sum_all":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a, b), rng)}")
        s.add(rng.choice(["y = x.sum()", "y = x.mean()"]) if fw == "torch" else rng.choice(["y = np.sum(x)[None]",
                                                                                             "y = x.max(keepdims=True)"]))
        s.result("y")
        return fw, s, "reduce everything"
    if form == "max_dim":
        s = _Src("torch")
        s.add(f"x = {_t((a, b, c), rng)}")
        ax = rng.choice([0, 1, -1]) if not bug else 3
        s.add(rng.choice([f"y, idx = x.max(dim={ax})", f"y = x.max(dim={ax}).values", f"y, idx = torch.min(x, {ax})"]))
        s.result("y")
        return "torch", s, "max(dim) namedtuple"
    if form == "mean_tuple":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a, b, c, d), rng)}")
        axes = "(2, 3)" if not bug else "(2, 4)"
        s.add(f"y = x.mean(dim={axes})" if fw == "torch" else f"y = x.mean(axis={axes})")
        s.result("y")
        return fw, s, "mean over a tuple of axes"
    if form == "flatten_all":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a, b, c), rng)}")
        s.add(rng.choice(["y = x.flatten()", "y = x.reshape(-1)"]) if fw == "numpy" else
              rng.choice(["y = x.flatten()", "y = x.view(-1)", "y = torch.ravel(x)"]))
        s.result("y")
        return fw, s, "flatten everything"
    if form == "interpolate":
        s = _Src("torch")
        s.add(f"x = {_t((a, b, c, d), rng)}")
        s.add(rng.choice(["y = F.interpolate(x, scale_factor=2)", f"y = F.interpolate(x, size=({c + 1}, {d + 2}))",
                          "y = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)"]))
        s.result("y")
        return "torch", s, "F.interpolate"
    if form == "flatten_layer":
        s = _Src("torch")
        s.add(f"x = {_t((a, b, c, d), rng)}")
        s.add("f = nn.Flatten(start_dim=2)")
        s.add(f"lin = nn.Linear({c * d if not bug else c + d}, 3)", site=True)
        s.add("y = lin(f(x))")
        s.result("y")
        return "torch", s, "nn.Flatten(start_dim=2)"
    if form == "expand_dims_tuple":
        s = _Src("numpy")
        s.add(f"x = {_n((a, b), rng)}")
        s.add("y = np.expand_dims(x, (0, 3))" if not bug else "y = np.expand_dims(x, (0, 4))")
        s.result("y")
        return "numpy", s, "expand_dims with a tuple"
    if form == "zero_d":
        s = _Src("torch")
        s.add(f"x = {_t((a, b), rng)}")
        s.add("t = torch.tensor(3.0)")
        s.add("y = x * t + t")
        s.result("t", "y")
        return "torch", s, "0-d tensor operand"
    if form == "arange_reshape":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        n = a * b
        s.add(f"x = torch.arange({n})" if fw == "torch" else f"x = np.arange({n})")
        s.add(f"y = x.reshape({a}, {b + 1 if bug else b})")
        s.result("x", "y")
        return fw, s, "arange then reshape"
    if form == "t_1d":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"v = {_arr(fw, (a,), rng)}")
        s.add("y = v.T")
        s.result("y")
        return fw, s, "transpose of a 1-D array"
    if form == "fancy_index":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a + 2, b), rng)}")
        s.add(rng.choice(["y = x[[0, 2]]", "y = x[:, [0, 1]]", "y = x[[0, 1, 2], 0]"]))
        s.result("y")
        return fw, s, "fancy indexing"
    if form == "einsum_unary":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a, a), rng)}")
        pat = rng.choice(["ii->i", "ij->ji", "ij->", "ij->j"])
        lib = "torch" if fw == "torch" else "np"
        s.add(f"y = {lib}.einsum('{pat}', x)")
        s.result("y")
        return fw, s, f"einsum {pat}"
    if form == "step_slice":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a + 3, b + 3), rng)}")
        s.add(rng.choice(["y = x[1:-1, ::2]", "y = x[::3, 1:]", "y = x[-2:, :-1]", "y = x[2:100]"]))
        s.result("y")
        return fw, s, "strided slices"
    if form == "keepdim_neg":
        fw = rng.choice(["torch", "numpy"])
        s = _Src(fw)
        s.add(f"x = {_arr(fw, (a, b, c), rng)}")
        s.add("y = x.sum(dim=-2, keepdim=True)" if fw == "torch" else "y = x.sum(axis=-2, keepdims=True)")
        s.add("z = x - y")
        s.result("y", "z")
        return fw, s, "keepdim on a negative axis"
    if form == "np_dot_scalar":
        s = _Src("numpy")
        s.add(f"x = {_n((a, b), rng)}")
        s.add("y = np.dot(x, 2.0)")
        s.result("y")
        return "numpy", s, "np.dot with a scalar"
    if form == "topk":
        s = _Src("torch")
        s.add(f"x = {_t((a, b + 2), rng)}")
        s.add("vals, idx = torch.topk(x, 2, dim=1)" if not bug else "vals, idx = torch.topk(x, 2, dim=2)")
        s.result("vals", "idx")
        return "torch", s, "topk"
    s = _Src("torch")
    s.add(f"labels = torch.randint(0, {c}, ({a},))")
    s.add(f"y = F.one_hot(labels, num_classes={c})")
    s.result("y")
    return "torch", s, "one_hot"


# ------------------------------------------------------------------------------------ all programs
GENERATORS: dict = {
    "products": gen_products,
    "layers": gen_layers,
    "conv": gen_conv,
    "joins": gen_joins,
    "reshapes": gen_reshapes,
    "broadcasts": gen_broadcasts,
}

COUNTS = {"products": 80, "layers": 60, "conv": 70, "joins": 60, "reshapes": 70, "broadcasts": 60}

EXTRA_GENERATORS: dict = {
    "products": gen_products_x,
    "layers": gen_layers_x,
    "conv": gen_conv_x,
    "joins": gen_joins_x,
    "reshapes": gen_reshapes_x,
    "broadcasts": gen_broadcasts_x,
    "traps": gen_traps,
}

EXTRA_COUNTS = {"products": 40, "layers": 40, "conv": 40, "joins": 30, "reshapes": 50, "broadcasts": 30, "traps": 60}


def generate(seed: int = SEED, counts: Optional[dict] = None) -> List[Program]:
    """Every program, deterministic in ``seed``: ids are ``<family>-<nnn>``."""
    counts = counts or COUNTS
    out: List[Program] = []
    for family, gen in GENERATORS.items():
        # One stream per family, so a change to one family's generator leaves the others' ids alone.
        rng = random.Random(f"{seed}:{family}")
        for i in range(counts[family]):
            bug = i % 2 == 1
            fw, src, note = gen(rng, bug)
            text, results, alt = src.finish()
            out.append(Program(f"{family}-{i:03d}", family, fw, text, results, bug, alt, tuple(src.warn), note,
                               tuple(src.codes)))
    for family, gen in EXTRA_GENERATORS.items():
        rng = random.Random(f"{seed}:{family}:extra")
        for i in range(EXTRA_COUNTS[family]):
            bug = i % 2 == 1
            fw, src, note = gen(rng, bug)
            text, results, alt = src.finish()
            out.append(Program(f"{family}-x{i:03d}", family, fw, text, results, bug, alt, tuple(src.warn), note,
                               tuple(src.codes)))
    return out


if __name__ == "__main__":  # pragma: no cover - a look at what is generated
    import sys

    fam = sys.argv[1] if len(sys.argv) > 1 else None
    for p in generate():
        if fam and p.family != fam:
            continue
        print(f"# --- {p.id} ({p.fw}, {'bug' if p.intended_bug else 'ok'}, {p.note})")
        print(p.source)
