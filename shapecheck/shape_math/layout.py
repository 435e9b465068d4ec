"""Weight layouts declared by tags, and the note SHP601 gives when a weight arrives in another one.

A tag spells a weight's axes in order: ``o`` out, ``i`` in, ``k`` the kernel's spatial axes (any
number of them). torch stores ``nn.Linear.weight`` as ``"oi"`` and a conv weight as ``"oik"``;
Keras/TF store a Dense kernel as ``"io"`` and a conv kernel as ``"kio"``; transposed
convolutions swap ``o`` and ``i`` (torch ``"iok"``, Keras ``"koi"``). Each layer rule declares the
tag of each weight (``layouts = {"weight": "oi"}``); ``layout_note`` then asks which *other*
known layout the arriving tensor is in, by permuting the declared one, instead of guessing from
the shapes which framework's layout it resembles. A new layer needs a tag, not a new branch here.

Pure: shapes and strings in, a string out.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .. import dims as D
from ..shapes import Shape

# every layout some framework stores, and whose it is (for "... is the (in, out) layout of X")
KNOWN: dict[str, str] = {
    "oi": "torch's nn.Linear.weight",
    "io": "a Keras/TF Dense kernel",
    "oik": "torch's conv weight",
    "kio": "a Keras/TF conv kernel",
    "iok": "torch's ConvTranspose weight",
    "koi": "a Keras/TF Conv*DTranspose kernel",
}
_NAMES = {"o": "out", "i": "in", "k": "*kernel"}


def axes(tag: str, rank: int) -> Optional[list[str]]:
    """The axis names of a ``rank``-D weight in layout ``tag`` (``"oik"``, 4 -> o, i, k0, k1);
    None where the rank does not fit the tag."""
    if "k" not in tag:
        return list(tag) if rank == len(tag) else None
    nk = rank - (len(tag) - 1)
    if nk < 1:
        return None
    out: list[str] = []
    for c in tag:
        out += [f"k{j}" for j in range(nk)] if c == "k" else [c]
    return out


def text(tag: str) -> str:
    """``(out, in, *kernel)``."""
    return "(" + ", ".join(_NAMES[c] for c in tag) + ")"


def permutation(src_tag: str, dest_tag: str, rank: int) -> Optional[tuple[int, ...]]:
    """The ``permute`` that turns a weight in ``src_tag`` into ``dest_tag``: for each axis of the
    destination, the source axis that holds it."""
    s, d = axes(src_tag, rank), axes(dest_tag, rank)
    if s is None or d is None or sorted(s) != sorted(d):
        return None
    return tuple(s.index(a) for a in d)


def _same(a: Sequence, b: Sequence) -> bool:
    return len(a) == len(b) and all(D.compare(x, y, None, unify=False) is D.TRUE for x, y in zip(a, b))


def other_layout(tag: str, dest: Shape, src: Shape) -> Optional[tuple[str, tuple[int, ...]]]:
    """Which other known layout ``src`` is ``dest`` in, and the permutation that fixes it."""
    rank = len(dest.dims)
    if dest.variadic or src.variadic or len(src.dims) != rank or axes(tag, rank) is None:
        return None
    for other in KNOWN:
        if other == tag or sorted(other) != sorted(tag):
            continue
        to_other = permutation(tag, other, rank)  # dest read in the other layout
        back = permutation(other, tag, rank)
        if to_other is None or back is None:
            continue
        if _same([dest.dims[j] for j in to_other], src.dims):
            return other, back
    return None


def layout_note(tag: str, owner: str, dest: Shape, src: Shape) -> str:
    """``; torch stores nn.Linear.weight as (out, in) = (2, 3), and (3, 2) is the (in, out) layout of
    a Keras/TF Dense kernel: transpose it (.T)``, or ``""`` where ``src`` is in no other known layout.
    ``owner`` names the destination (``torch stores nn.Linear.weight``)."""
    found = other_layout(tag, dest, src)
    if found is None:
        return ""
    other, perm = found
    fix = "transpose it (.T)" if len(perm) == 2 else f"permute it ({', '.join(str(i) for i in perm)})"
    return f"; {owner} as {text(tag)} = {dest}, and {src} is the {text(other)} layout of {KNOWN[other]}: {fix}"
