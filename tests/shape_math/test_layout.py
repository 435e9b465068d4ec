"""shape_math.layout: weight layouts by tag, the permutation between them, and the SHP601 note
(one table over every known layout pair; then through the engine for torch and Keras layers)."""
from __future__ import annotations

import textwrap

import pytest

from shapecheck.engine import check_source
from shapecheck.shape_math import layout as L
from shapecheck.shapes import Shape


@pytest.mark.parametrize("tag, rank, want", [
    ("oi", 2, ["o", "i"]),
    ("oik", 4, ["o", "i", "k0", "k1"]),
    ("kio", 3, ["k0", "i", "o"]),
    ("oi", 3, None),
    ("oik", 2, None),
])
def test_axes(tag, rank, want):
    assert L.axes(tag, rank) == want


@pytest.mark.parametrize("src, dest, rank, perm", [
    ("io", "oi", 2, (1, 0)),
    ("kio", "oik", 4, (3, 2, 0, 1)),   # Keras conv kernel -> torch conv weight
    ("oik", "kio", 4, (2, 3, 1, 0)),   # and back
    ("koi", "iok", 3, (2, 1, 0)),
    ("oik", "oik", 5, (0, 1, 2, 3, 4)),
])
def test_permutation(src, dest, rank, perm):
    assert L.permutation(src, dest, rank) == perm


def test_every_known_pair_is_found_and_its_permutation_fixes_it():
    """For each declared layout and each other layout of the same axes, a weight stored in the other
    layout is recognised, and permuting it by the answer gives the declared shape back."""
    sizes = {"o": 7, "i": 5, "k0": 3, "k1": 2}
    for tag in L.KNOWN:
        rank = len(tag) + (1 if "k" in tag else 0)
        dest = Shape.of(*(sizes[a] for a in L.axes(tag, rank)))
        for other in L.KNOWN:
            if other == tag or sorted(other) != sorted(tag):
                continue
            src = Shape.of(*(sizes[a] for a in L.axes(other, rank)))
            found = L.other_layout(tag, dest, src)
            assert found is not None, (tag, other)
            got_other, perm = found
            assert tuple(src.dims[j] for j in perm) == dest.dims
            assert L.axes(got_other, rank) == L.axes(other, rank)


def test_no_note_for_a_shape_in_no_known_layout():
    assert L.layout_note("oi", "torch stores nn.Linear.weight", Shape.of(2, 3), Shape.of(4, 3)) == ""
    assert L.layout_note("oik", "torch stores nn.Conv2d.weight", Shape.of(16, 3, 3, 3), Shape.of(16, 3, 9)) == ""


def test_layout_note_text():
    assert L.layout_note("oi", "torch stores nn.Linear.weight", Shape.of(2, 3), Shape.of(3, 2)) == (
        "; torch stores nn.Linear.weight as (out, in) = (2, 3), and (3, 2) is the (in, out) layout of a Keras/TF "
        "Dense kernel: transpose it (.T)")


def _messages(src: str) -> dict:
    return {d.line: d.message for d in check_source(textwrap.dedent(src), "t.py") if d.code == "SHP601"}


def test_layer_rules_declare_their_layouts():
    got = _messages("""\
        import torch
        import torch.nn as nn
        import keras
        nn.Linear(3, 2).weight.copy_(torch.zeros(3, 2))
        nn.Conv2d(3, 16, 3).weight.copy_(torch.zeros(3, 3, 3, 16))
        nn.Embedding(10, 4).weight.copy_(torch.zeros(4, 10))
        nn.ConvTranspose1d(4, 8, 3).weight.copy_(torch.zeros(3, 8, 4))
        c = keras.layers.Conv1DTranspose(8, 3)
        y = c(keras.ops.zeros((1, 10, 4)))
        c.set_weights([keras.ops.zeros((8, 4, 3)), keras.ops.zeros((8,))])
        """)
    assert got[4].endswith("is the (in, out) layout of a Keras/TF Dense kernel: transpose it (.T)")
    assert got[5].endswith("is the (*kernel, in, out) layout of a Keras/TF conv kernel: permute it (3, 2, 0, 1)")
    # an embedding table is no (out, in) matrix: a plain SHP601, no layout advice
    assert got[6] == "copying a (4, 10) tensor into nn.Embedding.weight of shape (10, 4)"
    # torch stores a transposed conv's weight (in, out, *kernel)
    assert "torch stores nn.ConvTranspose1d.weight as (in, out, *kernel) = (4, 8, 3)" in got[7]
    assert got[7].endswith("a Keras/TF Conv*DTranspose kernel: permute it (2, 1, 0)")
    assert got[10].endswith("is the (out, in, *kernel) layout of torch's conv weight: permute it (2, 0, 1)")
