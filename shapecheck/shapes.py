"""Shapes: a tuple of sizes, maybe behind an unknown variadic prefix ``(*B, 784)``."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from . import dims as D
from .dims import Dim


@dataclass(frozen=True)
class Shape:
    """``dims`` are the known trailing sizes; ``variadic`` means unknown sizes may precede them.

    ``why`` holds, per dim, how it was derived (``"32*13*13"``), or None; used in messages.
    """

    dims: tuple[Dim, ...]
    variadic: bool = False
    why: Optional[tuple[Optional[str], ...]] = None

    @staticmethod
    def of(*ds: Dim) -> Shape:
        return Shape(tuple(D.norm(d) for d in ds))

    @staticmethod
    def unknown() -> Shape:
        return Shape((), True)

    @property
    def rank(self) -> Optional[int]:
        """The exact rank, or None where a variadic prefix makes it unknown."""
        return None if self.variadic else len(self.dims)

    @property
    def min_rank(self) -> int:
        return len(self.dims)

    def __len__(self) -> int:  # pragma: no cover - a trap: use .rank
        raise TypeError("use Shape.rank")

    def dim(self, i: int) -> Optional[Dim]:
        """Size at axis ``i`` (negative counts from the end); None where unknown."""
        n = len(self.dims)
        if i < 0:
            return self.dims[i] if -i <= n else None
        if self.variadic:
            return None
        return self.dims[i] if i < n else None

    def why_of(self, i: int) -> Optional[str]:
        if self.why is None:
            return None
        try:
            return self.why[i]
        except IndexError:
            return None

    def with_dims(self, ds: Sequence[Dim], variadic: Optional[bool] = None, why=None) -> Shape:
        return Shape(tuple(D.norm(d) for d in ds), self.variadic if variadic is None else variadic, why)

    def replace_last(self, n: int, ds: Sequence[Dim]) -> Shape:
        """Replace the last ``n`` dims (which must be known) by ``ds``."""
        keep = self.dims[: len(self.dims) - n] if n else self.dims
        return Shape(tuple(keep) + tuple(D.norm(d) for d in ds), self.variadic)

    def resolved(self, b: Optional[D.Bindings]) -> Shape:
        if b is None or not b.map:
            return self
        return Shape(tuple(b.resolve(d) for d in self.dims), self.variadic, self.why)

    def numel(self) -> Optional[Dim]:
        if self.variadic:
            return None
        return D.mul(*self.dims)

    def __str__(self) -> str:
        parts = (["*"] if self.variadic else []) + [D.fmt(d) for d in self.dims]
        if len(parts) == 1 and not self.variadic:
            return f"({parts[0]},)"
        return "(" + ", ".join(parts) + ")"

    def same(self, other: Shape, b: Optional[D.Bindings] = None) -> D.Truth:
        """Are two shapes equal? Three answers."""
        if self.variadic or other.variadic:
            n = min(len(self.dims), len(other.dims))
            worst = D.UNKNOWN
            for x, y in zip(self.dims[len(self.dims) - n:], other.dims[len(other.dims) - n:]):
                if D.compare(x, y, b) is D.FALSE:
                    return D.FALSE
            return worst
        if len(self.dims) != len(other.dims):
            return D.FALSE
        answer = D.TRUE
        for x, y in zip(self.dims, other.dims):
            t = D.compare(x, y, b)
            if t is D.FALSE:
                return D.FALSE
            if t is D.UNKNOWN:
                answer = D.UNKNOWN
        return answer


def whys_of(s: Shape) -> list[Optional[str]]:
    """The per-size derivations of ``s`` (``"64*12*12"``), None where a size has none."""
    if s.why is not None and len(s.why) == len(s.dims):
        return list(s.why)
    return [None] * len(s.dims)


def build(dims: Sequence[Dim], whys: Optional[Sequence[Optional[str]]] = None, variadic: bool = False) -> Shape:
    """A shape of normalised sizes, keeping the derivations where any is given."""
    ds = tuple(D.norm(d) for d in dims)
    if whys is not None and any(whys):
        return Shape(ds, variadic, tuple(whys))
    return Shape(ds, variadic)


def norm_axis(axis: int, rank: int) -> Optional[int]:
    """``axis`` in ``[-rank, rank)`` as a non-negative index, or None when out of range."""
    if -rank <= axis < rank:
        return axis % rank
    return None


def parse(text: str) -> Shape:
    """``"(B, 3)"`` / ``"(*, 784)"`` / ``"(10,)"`` -> Shape; names become rigid sizes (tests, docs)."""
    t = text.strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    out: list[Dim] = []
    variadic = False
    for tok in [p.strip() for p in t.split(",") if p.strip()]:
        if tok in ("*", "..."):
            variadic = True
            continue
        if tok.lstrip("-").isdigit():
            out.append(int(tok))
        else:
            import sympy

            expr = sympy.sympify(tok, locals={n: D.rigid(n) for n in _names(tok)})
            out.append(D.norm(expr))
    return Shape(tuple(out), variadic)


def _names(tok: str) -> Iterable[str]:
    import re

    return set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", tok)) - {"floor", "ceiling", "Mod", "Max", "Min"}
