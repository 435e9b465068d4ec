"""What an editor shows on hover and as inlay hints, from one file's analysis.

``engine.analyse_source(source, path, hover=True)`` keeps what each expression of the file
evaluated to (``analysis.recording``); ``HoverIndex(checked.module, checked.result)`` answers:

- ``at(line, column)``: the innermost expression at that place that the analysis evaluated, and
  what is known of it -- a tensor's shape (symbolic where the code is), framework and dtype; an
  int and how it was computed (``64*12*12 = 9216``); a layer or module with its construction
  sizes and parameter count; a layer call with its input and output shapes. None where nothing
  is known: never a guess.
- ``inlay_hints()``: the shape after each assignment of a tensor to a name, at the end of the name.

Positions: ``line`` is 1-based; ``column`` is 0-based and counts characters (code points), as
LibCST's ``CodeRange`` does; ranges end one past their last character. (A language server turns
LSP's 0-based lines and UTF-16 columns into these.)

A function analysed several times (the calls the file makes, then on generic inputs) has several
values; each distinct one is shown, the file's own calls first: ``(8, 784) | (N, 784)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from . import dims as D
from .framework import Framework, framework_of
from .shapes import Shape
from .values import AnalysisState, Const, Int, Layer, Obj, OneOf, Param, Seq, Tensor, Value

if TYPE_CHECKING:
    from .analysis.driver import AnalysisResult
    from .analysis.recording import Seen, ValueLog
    from .engine import Checked

MAX_SHOWN = 4  # distinct values in a hover (then "…")
MAX_HINT = 2  # distinct shapes in an inlay hint
MAX_LABEL = 48  # characters of the expression's text in a hover's header
MAX_ITEMS = 8  # items of a tuple or list shown

# what a hover says of the runs that gave a value (``recording.CALL`` ...)
_RUN_NOTES = {"call": "as the file runs it", "defaults": "with the defaults", "generic": "for any arguments"}
_RUN_ORDER = {"call": 0, "defaults": 1, "generic": 2}
_FRAMEWORK_NOTES = {"torch": "torch.Tensor", "numpy": "numpy.ndarray", "tf": "tf.Tensor", "keras": "Keras tensor"}


@dataclass(frozen=True)
class Hover:
    """What a hover shows: ``text`` (markdown), the range of the expression (``start``/``end``,
    (line, column) as ``HoverIndex`` documents), and the distinct values it shows, as plain text."""

    text: str
    start: tuple[int, int]
    end: tuple[int, int]
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Shown:
    """One value as a hover shows it: ``text`` in the header (``(32, 784)``, ``9216``,
    ``nn.Linear(784, 128)``), ``notes`` below it, ``tensor`` for a tensor (or a call's output)."""

    text: str
    notes: tuple[str, ...] = ()
    tensor: bool = False
    lead: tuple[str, ...] = ()  # shown before every value's notes: a layer call's input and output
    # what tells two values apart: the text, and for a module its parameters too (``VGG`` of two configs)
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.text)


class HoverIndex:
    """Hover and inlay hints over one analysed file (``Checked.module`` and ``Checked.result``)."""

    def __init__(self, module: Optional[cst.Module], result: Optional[AnalysisResult]) -> None:
        self.module = module
        self.log: Optional[ValueLog] = result.values if result is not None else None
        analysis = result.analysis if result is not None else None
        self.state: Optional[AnalysisState] = analysis.ctx.state if analysis is not None else None
        self._by_line: Optional[dict[int, list[tuple[tuple[int, int], tuple[int, int], Any]]]] = None
        self._spans: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
        self._callee_of: dict[int, Any] = {}  # id(func node of a recorded call) -> the call
        self._counts: dict[int, Any] = {}

    @classmethod
    def of(cls, checked: Checked) -> HoverIndex:
        """The index of an ``engine.Checked`` (empty where the file did not parse or kept no values)."""
        return cls(checked.module, checked.result)

    # ------------------------------------------------------------------------------ positions
    def _index(self) -> dict[int, list[tuple[tuple[int, int], tuple[int, int], Any]]]:
        if self._by_line is not None:
            return self._by_line
        from .positions import Positions

        by_line: dict[int, list] = {}
        self._by_line = by_line
        if self.module is None or self.log is None:
            return by_line
        pos = Positions(self.module, whole=True)  # (asked of nearly every node: one pass)
        for table in (self.log.values, self.log.targets):
            for key in table:
                node = self.log.nodes[key]
                if key in self._spans or not pos.has(node):
                    continue
                (l1, c1), (l2, c2) = pos.span(node)
                span = ((l1, c1 - 1), (l2, c2 - 1))
                self._spans[id(node)] = span
                for line in range(l1, l2 + 1):
                    by_line.setdefault(line, []).append((span[0], span[1], node))
                if isinstance(node, cst.Call):
                    self._callee_of[id(node.func)] = node
        return by_line

    def span(self, node: Any) -> Optional[tuple[tuple[int, int], tuple[int, int]]]:
        self._index()
        return self._spans.get(id(node))

    # ------------------------------------------------------------------------------ hover
    def at(self, line: int, column: int) -> Optional[Hover]:
        """What is known of the innermost evaluated expression at ``line`` (1-based), ``column``
        (0-based, characters); None where nothing is."""
        here = (line, column)
        spans = self._index().get(line, [])
        inside = [s for s in spans if s[0] <= here < s[1]] or [s for s in spans if s[1] == here]
        if not inside:
            return None
        # spans of expressions nest: the innermost begins last (and, of two that begin together, ends first)
        inside.sort(key=lambda s: (s[0], (-s[1][0], -s[1][1])), reverse=True)
        node = inside[0][2]
        got = self.hover(node)
        call = self._callee_of.get(id(node))
        if got is None and call is not None:  # the name of what a call made (``nn.Linear`` in ``nn.Linear(...)``)
            got = self.hover(call)
        return got

    def hover(self, node: Any) -> Optional[Hover]:
        """The hover of one recorded expression node, or None where nothing is known of it."""
        span = self.span(node)
        if span is None or self.log is None:
            return None
        seen = self.log.targets.get(id(node)) or self.log.values.get(id(node)) or []
        shown = self._distinct(seen)
        if not shown:
            return None
        more = id(node) in self.log.more or len(shown) > MAX_SHOWN
        texts = _unique([s.text for s, _ in shown[:MAX_SHOWN]])
        label = self._label(node)
        value = " | ".join(texts) + (" | …" if more else "")
        header = value if value == label else f"{label}: {value}"
        kept = shown[:MAX_SHOWN]
        notes = _unique([n for s, _ in kept for n in s.lead])
        runs_differ = len({tuple(rs) for _, rs in kept}) > 1
        if len({s.notes for s, _ in kept}) == 1:  # (one framework, one layer...: said once)
            notes += list(kept[0][0].notes)
            if runs_differ:  # which runs gave which value
                kinds = sorted({r for _, rs in kept for r in rs}, key=lambda r: _RUN_ORDER.get(r, 3))
                notes.append("; ".join(_RUN_NOTES[k] + ": " + ", ".join(f"`{s.text}`" for s, rs in kept if k in rs)
                                       for k in kinds))
        else:  # each value with the runs that gave it and what is known of it
            for s, rs in kept:
                runs = f" ({', '.join(_RUN_NOTES[r] for r in rs)})" if runs_differ else ""
                notes.append(f"`{s.text}`{runs}" + (": " + " · ".join(s.notes) if s.notes else ""))
        if more:
            notes.append("evaluated more often than shown here")
        body = "```python\n" + header + "\n```"
        if notes:
            body += "\n\n" + "  \n".join(notes)
        return Hover(body, span[0], span[1], tuple(texts))

    def _distinct(self, seen: list[Seen]) -> list[tuple[_Shown, list[str]]]:
        """Each distinct shown value, with the kinds of run that gave it: the file's own calls
        first, then its definitions' runs with defaults, then on generic inputs. Values shown
        alike keep the notes they all have (a dtype one run knows and another not: neither) and
        every layer call that gave them."""
        groups: dict[str, tuple[list[_Shown], list[str]]] = {}
        for s in sorted(seen, key=lambda s: (_RUN_ORDER.get(s.run, 3), s.seq)):
            got = self._shown(s)
            if got is None:
                continue
            shown, runs = groups.setdefault(got.key, ([], []))
            shown.append(got)
            if s.run not in runs:
                runs.append(s.run)
        out = []
        for shown, runs in groups.values():
            first = shown[0]
            notes = tuple(n for n in first.notes if all(n in other.notes for other in shown[1:]))
            lead = tuple(_unique([line for other in shown for line in other.lead]))
            out.append((_Shown(first.text, notes, first.tensor, lead, first.key), runs))
        return out

    def _label(self, node: Any, limit: int = MAX_LABEL) -> str:
        """The expression's text on one line; a long call keeps its callee and drops its arguments
        (``layers.Conv2D(…)(inputs)``)."""
        assert self.module is not None
        text = _one_line(self.module.code_for_node(node))
        if len(text) > limit and isinstance(node, cst.Call):
            args = _one_line(self.module.code_for_node(node.args[0])) if len(node.args) == 1 else ""
            inner = args if args and len(args) <= limit // 3 else ("…" if node.args else "")
            text = f"{self._label(node.func, max(limit - len(inner) - 2, 8))}({inner})"
        return text if len(text) <= limit else text[:limit - 1] + "…"

    # ------------------------------------------------------------------------------ inlay hints
    def inlay_hints(self) -> list[tuple[int, int, str]]:
        """``(line, column, label)`` after each name or attribute a tensor is assigned to (``h`` in
        ``h = self.fc1(x)`` gets ``: (B, 128)``), where its shape is known; ``column`` is 0-based,
        one past the target's end. Parameters get none."""
        self._index()
        out: list[tuple[int, int, str]] = []
        if self.log is None:
            return out
        for key, seen in self.log.targets.items():
            span = self._spans.get(key)
            if span is None or key in self.log.params:
                continue
            shapes = [_brief(s.text) for s, _ in self._distinct(seen) if s.tensor]
            if not shapes:
                continue
            more = len(shapes) > MAX_HINT or key in self.log.more
            out.append((span[1][0], span[1][1], ": " + " | ".join(shapes[:MAX_HINT]) + (" | …" if more else "")))
        return sorted(out)

    # ------------------------------------------------------------------------------ values
    def _shown(self, s: Seen) -> Optional[_Shown]:
        if s.callee is not None:
            return self._layer_call(s)
        return self._value(s.value, s.bindings)

    def _value(self, v: Value, b: Optional[D.Bindings], depth: int = 0) -> Optional[_Shown]:
        if isinstance(v, Param):
            t = self._param_tensor(v, b)
            return None if t is None else self._value(t, b, depth)
        if isinstance(v, Tensor):
            return self._tensor(v, b)
        if isinstance(v, Int):
            return self._int(v, b)
        if isinstance(v, Const):
            if v.value is None or isinstance(v.value, (bool, float, str)):
                return _Shown(repr(v.value))
            return None
        if isinstance(v, Seq):
            return self._seq(v, b, depth)
        if isinstance(v, (Layer, Obj)):
            return self._module(v)
        if isinstance(v, OneOf):
            opts = [self._module(o) for o in v.modules]
            if not opts or any(o is None for o in opts):
                return None
            none = " | None" if v.maybe_none else ""
            return _Shown(" | ".join(o.text for o in opts if o is not None) + none, ("one of these, by a branch",))
        return None

    def _param_tensor(self, p: Param, b: Optional[D.Bindings]) -> Optional[Tensor]:
        """An unannotated parameter of a generic run, as the tensor its uses made of it: the sizes
        the layers it met require (``(*, 784)``); None where no use told anything."""
        if self.state is None:
            return None
        got = self.state.param_shapes.get(id(p))
        if got is not None:
            return Tensor(got[1], "any")
        last = self.state.param_dims.get(p.name)
        return None if last is None else Tensor(Shape((last,), True), "any")

    def _tensor(self, t: Tensor, b: Optional[D.Bindings]) -> Optional[_Shown]:
        s = t.shape.resolved(b)
        if s.variadic and all(D.is_flexible(d) for d in s.dims):
            return None  # a tensor of any shape: nothing known
        notes = []
        fw = _FRAMEWORK_NOTES.get(str(t.fw))
        if fw is not None or t.dtype is not None:
            notes.append(", ".join(x for x in (fw, t.dtype) if x))
        for i, d in enumerate(s.dims):
            why = s.why_of(i)
            if why and D.as_int(d) is not None:
                axis = i - len(s.dims) if s.variadic else i
                notes.append(f"axis {axis}: {why} = {D.fmt(d)}")
        return _Shown(shape_text(s), tuple(notes), tensor=True)

    def _int(self, v: Int, b: Optional[D.Bindings]) -> Optional[_Shown]:
        d = b.resolve(v.dim) if b is not None else v.dim
        if D.is_flexible(d):
            return None  # a size nothing has bound yet: its name is no knowledge
        text = D.fmt(d)
        why = v.why
        if why is None and self.log is not None:
            had = self.log.derivations.get(id(v))
            why = had[1] if had is not None else None
        # (a derivation of a symbolic size is the size itself, printed worse)
        notes = (f"{why} = {text}",) if why and why != text and D.as_int(d) is not None else ()
        return _Shown(text, notes)

    def _seq(self, v: Seq, b: Optional[D.Bindings], depth: int) -> Optional[_Shown]:
        if v.kind == "size":
            dims = [x.dim if isinstance(x, Int) else None for x in v.items]
            if any(d is None for d in dims):
                return None
            whys = [x.why if isinstance(x, Int) else None for x in v.items]
            s = Shape(tuple(b.resolve(d) if b is not None else d for d in dims if d is not None), False,
                      tuple(whys) if any(whys) else None)
            notes = tuple(f"{w} = {D.fmt(d)}" for w, d in zip(whys, s.dims) if w and D.as_int(d) is not None)
            return _Shown(shape_text(s), ("size",) + notes)
        if depth > 2 or len(v.items) > MAX_ITEMS:
            return None
        items = [self._value(x, b, depth + 1) for x in v.items]
        if not items or any(x is None for x in items):
            return None
        texts = [x.text for x in items if x is not None]
        if v.kind == "list":
            return _Shown("[" + ", ".join(texts) + "]")
        return _Shown("(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")")

    def _module(self, v: Value) -> Optional[_Shown]:
        """A layer (``nn.Linear(784, 128)``: its kind and construction sizes) or a module of the
        file (``Net``), its framework and parameter count."""
        notes = []
        if isinstance(v, Layer):
            from .summary import is_model

            text = layer_text(v)
            fw = framework_of(v.kind)
            what = "model" if is_model(v) else "layer"
            notes.append({Framework.TORCH: f"torch {what}", Framework.KERAS: f"Keras {what}",
                          Framework.TF: f"TensorFlow {what}"}.get(fw, what))
            weights = _weights(v)
            if weights:
                notes.append(", ".join(f"{n} {shape_text(s)}" for n, s in weights))
        elif isinstance(v, Obj):
            text = v.cls.name
            base = v.cls.framework_base()
            if base is None:
                return None  # a plain object of the file: nothing shape-related to say
            notes.append(f"subclass of {base}")
        else:
            return None
        n = self._count(v)
        if n is not None:
            from .summary import fmt_count

            notes.append(f"{fmt_count(n)} parameters")
        return _Shown(text, tuple(notes), key=f"{text} {notes}")

    def _count(self, v: Value) -> Any:
        from .summary import param_count

        if id(v) not in self._counts:
            self._counts[id(v)] = param_count(v)
        return self._counts[id(v)]

    def _layer_call(self, s: Seen) -> Optional[_Shown]:
        """``self.fc1(x)``: the output; before the notes, the layer, its input and output shapes and
        its parameter count (``nn.Linear(784, 128): (32, 784) → (32, 128) · 100,480 parameters``)."""
        out = self._value(s.value, s.bindings)
        if out is None or not out.tensor:
            return None
        assert s.callee is not None
        inp = self._value(s.arg, s.bindings) if s.arg is not None else None
        flow = f": {inp.text} → {out.text}" if inp is not None and inp.tensor else f" → {out.text}"
        layer = self._value(s.callee, None)
        if layer is None:
            return _Shown(out.text, out.notes, True, (flow.lstrip(": "),))
        count = next((n for n in layer.notes if n.endswith(" parameters")), None)
        return _Shown(out.text, out.notes, True, (f"{layer.text}{flow}" + (f" · {count}" if count else ""),))


# ---------------------------------------------------------------------------------- text
def _unique(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


MAX_HINT_DIM = 16  # characters of one size in an inlay hint (a longer formula is in the hover)


def _brief(shape: str) -> str:
    """A shape for an inlay hint: each size longer than ``MAX_HINT_DIM`` characters is ``…``."""
    parts = _split_dims(shape[1:-1])
    one = "," if shape.endswith(",)") else ""
    return "(" + ", ".join(p if len(p) <= MAX_HINT_DIM else "…" for p in parts) + one + ")"


def _split_dims(inner: str) -> list[str]:
    """The sizes of a printed shape, split at the commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    if cur.strip() or not out:
        out.append(cur.strip())
    return out


def _one_line(code: str) -> str:
    text = re.sub(r"\s+", " ", code).strip()
    return re.sub(r"([(\[]) | ([)\]])", r"\1\2", text)


def shape_text(s: Shape) -> str:
    """``(32, 784)``, ``(*, 784)`` (any leading sizes), ``(None, 28, 28, 1)`` (Keras's batch), ``(10,)``."""
    parts = (["*"] if s.variadic else []) + [D.fmt(d) for d in s.dims]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 and not s.variadic else "") + ")"


def layer_text(layer: Layer) -> str:
    """``nn.Linear(784, 128)``, ``Dense(64)``: the kind and the sizes it was built with, as the
    framework's messages print it."""
    fw = framework_of(layer.kind)
    if fw is Framework.TORCH:
        from .ops.torch.base import describe

        return describe(layer)
    if fw is Framework.KERAS:
        from .ops.keras.base import describe as keras_describe

        return keras_describe(layer)
    args = layer.config.get("_repr")
    short = layer.kind.rsplit(".", 1)[-1]
    return f"{short}({args})" if isinstance(args, str) and args else short


def _weights(layer: Layer) -> list[tuple[str, Shape]]:
    """The weights of a leaf layer in its framework's layout; [] for a container or where unknown."""
    from .ops import registry as R

    rule = R.lookup_layer(layer.kind)
    if rule is None or rule.children(layer) is not None:
        return []
    if framework_of(layer.kind) is Framework.KERAS:
        wl = rule.weight_list(layer)
        return [(n, s) for n, s, _ in wl] if wl else []
    w = rule.weights(layer)
    return list(w.items()) if w else []
