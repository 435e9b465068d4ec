"""A static ``model.summary()``: every model a file defines, its layers, output shapes and parameters.

Keras models (Sequential, functional, subclassed) and torch modules (classes and instances) are
found after the interpreter has run the file. Parameter counts come from the same layer rules
that check shapes (their ``weights``), so a summary and a finding never disagree. Sizes stay
symbolic where the code is: a class built from ``vocab, embed, hidden`` gets a formula.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from . import dims as D
from .framework import Framework, framework_of
from .shapes import Shape
from .values import Layer, Obj, Seq, Tensor, Value

if TYPE_CHECKING:
    from .analysis.driver import AnalysisResult


@dataclass
class Row:
    name: str
    type: str
    output: Any  # Shape, a list of Shapes, or None (unknown)
    params: Any  # int / sympy expr, or None (unknown)
    weights: list = field(default_factory=list)  # (name, Shape, trainable, framework, kind)


@dataclass
class ModelSummary:
    name: str
    framework: str  # keras | torch
    path: str
    line: int
    rows: list
    trainable: Any
    non_trainable: Any
    var: str = ""  # the global it was found under (or the class name): how a test finds it

    @property
    def total(self) -> Any:
        if self.trainable is None or self.non_trainable is None:
            return None
        return D.add(self.trainable, self.non_trainable)


# ------------------------------------------------------------------------------------------ naming
def snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: ``Conv2D`` -> ``conv2d``, ``MultiHeadAttention`` -> ``multi_head_attention``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


_KERAS_TYPE_NAMES = {"Sequential": "Sequential", "Model": "Functional", "Input": "InputLayer"}


def keras_type(layer: Layer) -> str:
    short = layer.kind.rsplit(".", 1)[-1]
    return _KERAS_TYPE_NAMES.get(short, short)


def keras_names(created: list, owners: Optional[dict] = None) -> dict:
    """id(layer) -> the name Keras gives it: ``name=`` where set, else ``dense``, ``dense_1``, ... in
    construction order within the file (one counter per prefix, as ``backend.get_uid``).

    Keras also takes names for objects the file never spells: every build of a Sequential makes
    a Functional (``functional``, ``functional_1``, ...) and a Keras 2 ``input_shape=`` on its
    first layer makes an InputLayer, so a ``keras.Model`` or ``keras.Input`` that comes later
    gets the next number."""
    counters: dict = {}
    out: dict = {}
    for layer, base in _name_events(created, owners or {}):
        if layer is None:  # an object Keras builds behind the scenes: it only takes a number
            counters[base] = counters.get(base, 0) + 1
            continue
        explicit = layer.config.get("name")
        t = layer.config.get("_output_tensor") if layer.kind.endswith("InputLayer") else None
        if isinstance(explicit, str) and explicit:
            out[id(layer)] = explicit
            if t is not None:
                out[("tensor", id(t))] = explicit
            continue
        n = counters.get(base, 0)
        counters[base] = n + 1
        out[id(layer)] = base if n == 0 else f"{base}_{n}"
        if t is not None:  # the functional model's InputLayer row finds its name by the tensor
            out[("tensor", id(t))] = out[id(layer)]
    return out


def _name_events(created: list, owners: dict) -> list:
    """(layer or None, name prefix) in the order Keras names them. ``owners``: id(base layer) ->
    the object of a Keras subclass it is the base of (named after its class: ``MLP`` -> ``mlp``)."""
    events: list = []  # (position, order, layer or None, prefix)
    index = {id(x): i for i, x in enumerate(created)}
    for i, layer in enumerate(created):
        if framework_of(layer.kind) is not Framework.KERAS:
            continue
        owner = owners.get(id(layer))
        base = snake_case(owner.cls.name if owner is not None else keras_type(layer))
        if base == "input_layer" or layer.kind.endswith(("InputLayer", ".Input")):
            base = "input_layer"
        events.append((i, 0, layer, base))
        if keras_type(layer) == "Sequential":
            events += _sequential_events(layer, i, created, index)
    events.sort(key=lambda e: (e[0], e[1]))
    return [(layer, base) for _, _, layer, base in events]


def _sequential_events(seq: Layer, at: int, created: list, index: dict) -> list:
    """The names a Sequential takes as Keras builds it (``Sequential.add`` / ``_maybe_rebuild``):
    one Functional per build (once for the list it is given, then once per ``add`` while its input
    is known) and an InputLayer for a Keras 2 ``input_shape=`` on its first layer."""
    final = seq.config.get("layers")
    if not isinstance(final, list):
        return []
    listed = _listed_count(seq.node, len(final))
    out: list = []
    order = 1
    size = 0  # len(Sequential._layers), an InputLayer counted
    known = False

    def pos(x: Any) -> int:
        if isinstance(x, Tensor):  # keras.Input(...): where its InputLayer was recorded
            j = next((k for k, c in enumerate(created) if c.config.get("_output_tensor") is x
                      and c.kind.endswith("InputLayer")), None)
        else:
            j = index.get(id(x))
        return at if j is None else max(at, j)

    for k, x in enumerate(final):
        in_list = k < listed
        p = at if in_list else pos(x)
        is_input = isinstance(x, Tensor) or (isinstance(x, Layer) and x.kind.endswith("InputLayer"))
        if size == 0 and not is_input and isinstance(x, Layer) and isinstance(x.config.get("_input"), Shape):
            out.append((p, order, None, "input_layer"))  # Keras 2 input_shape=: an InputLayer first
            order += 1
            size, known = 1, True
        if size == 0 and is_input:
            known = True
        size += 1
        if not in_list and known and size > 1:
            out.append((p, order, None, "functional"))
            order += 1
        if in_list and k == listed - 1 and known and size > 1:
            out.append((at, order, None, "functional"))
            order += 1
    return out


def _listed_count(node: Any, default: int) -> int:
    """How many layers ``Sequential([...])`` was given as a literal (the rest came by ``add``)."""
    import libcst as cst

    if not isinstance(node, cst.Call):
        return default
    arg = next((a for a in node.args if a.keyword is None or a.keyword.value == "layers"), None)
    if arg is None or arg.star:
        return 0 if arg is None else default
    if isinstance(arg.value, (cst.List, cst.Tuple)):
        if any(isinstance(e, cst.StarredElement) for e in arg.value.elements):
            return default
        return len(arg.value.elements)
    return default


# ------------------------------------------------------------------------------------------ collect
def summarize_source(source: str, path: str = "<string>", input_shape: Optional[tuple] = None) -> list:
    """Every model in ``source``, summarized."""
    import libcst as cst

    from . import positions
    from .analysis.driver import analyse

    module = cst.parse_module(source)
    result = analyse(module, source, path, keep_trace=True)
    pos = positions.Positions(module)
    owners = {id(o.base): o for o in result.instances if isinstance(o.base, Layer) and _is_keras_obj(o)}
    names = keras_names(result.created, owners)
    out: list = []
    seen: set = set()

    def line_of(node: Any) -> int:
        try:
            return pos.span(node)[0][0] if node is not None else 1
        except Exception:  # noqa: BLE001
            return 1

    imported, assigned = _module_names(module)
    for var, v in result.globals.items():
        if id(v) in seen or var in imported:  # a model of another file, imported here: that file's
            continue
        node = getattr(v, "node", None)
        if node is not None and not pos.has(node):  # built by an imported file's code, kept here
            if var not in assigned:
                continue
            node = assigned[var]
        line = line_of(node)
        if isinstance(v, Layer) and _is_keras_model(v):
            seen.add(id(v))
            out.append(_keras_summary(v, names, path, line))
            out[-1].var = var
        elif isinstance(v, Obj) and _is_keras_obj(v) and _is_keras_model_class(v.cls):
            seen.add(id(v))
            out.append(_keras_object_summary(v, names, path, line, result.trace))
            out[-1].var = var
        elif isinstance(v, Layer) and v.kind.startswith("torch.nn.") and _children(v) is not None:
            seen.add(id(v))
            out.append(_torch_summary(result, v, var, path, line, input_shape))
            out[-1].var = var
        elif isinstance(v, Obj) and _is_torch_module(v):
            seen.add(id(v))
            out.append(_torch_summary(result, v, var, path, line, input_shape))
            out[-1].var = var
            seen.add(id(v.cls))
    for cls in result.classes:
        if id(cls) in seen or not _is_torch_class(cls):
            continue
        inst = next((o for o in result.instances if o.cls is cls and o.node is cls.node), None) or next(
            (o for o in result.instances if o.cls is cls), None)
        if inst is None:
            continue
        seen.add(id(cls))
        out.append(_torch_summary(result, inst, cls.name, path, line_of(cls.node), input_shape))
        out[-1].var = cls.name
    out.sort(key=lambda m: m.line)
    return out


def _module_names(module: Any) -> tuple:
    """Names the module's own code binds by import, and the last top-level statement assigning each
    other name (``model = build_model(...)``: where a model built by another file's code is kept)."""
    import libcst as cst

    imported: set = set()
    assigned: dict = {}

    def walk(body: Any) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                        for a in small.names:
                            target: cst.BaseExpression = a.asname.name if a.asname is not None else a.name
                            while isinstance(target, cst.Attribute):
                                target = target.value
                            if isinstance(target, cst.Name):
                                imported.add(target.value)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for t in targets:
                            if isinstance(t, cst.Name):
                                assigned[t.value] = small
                                imported.discard(t.value)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
                for part in (stmt.body, getattr(stmt, "orelse", None), getattr(stmt, "finalbody", None)):
                    inner = getattr(part, "body", None)
                    if isinstance(inner, cst.IndentedBlock):
                        walk(inner.body)
                    elif isinstance(inner, (list, tuple)):
                        walk(inner)

    walk(module.body)
    return imported, assigned


def _is_keras_model(v: Layer) -> bool:
    return framework_of(v.kind) is Framework.KERAS and keras_type(v) in ("Sequential", "Functional") or (
        v.kind.startswith("keras.applications"))


def _is_keras_obj(v: Any) -> bool:
    base = v.cls.framework_base() if isinstance(v, Obj) else None
    return base is not None and framework_of(base) is Framework.KERAS


def _is_keras_model_class(cls: Any) -> bool:
    base = cls.framework_base() or ""
    return base.rsplit(".", 1)[-1] in ("Model", "Sequential")


def _is_torch_class(cls: Any) -> bool:
    base = cls.framework_base()
    return base is not None and base.startswith("torch.nn")


def _is_torch_module(v: Obj) -> bool:
    return _is_torch_class(v.cls)


def _children(v: Value) -> Optional[list]:
    """(name, module) pairs of a torch module's direct children, in registration order."""
    from .ops import registry as R

    if isinstance(v, Layer):
        rule = R.lookup_layer(v.kind)
        kids = rule.children(v) if rule is not None else None
        if kids is None:
            items = v.config.get("items")
            if isinstance(items, dict):
                return list(items.items())
            return None
        names = v.config.get("names")
        if names and len(names) == len(kids):
            return list(zip(names, kids))
        return [(str(i), k) for i, k in enumerate(kids)]
    if isinstance(v, Obj):
        out = []
        if v.base is not None:  # a subclass of nn.Sequential (torchvision's Conv2dNormActivation)
            base = _children(v.base)
            if base is None:
                return None
            out.extend(base)
        seen = {id(a) for _, a in out}  # (attributes of a Sequential subclass are its chain's children)
        for name, a in v.attrs.items():
            if isinstance(a, (Layer, Obj)) and id(a) not in seen and (
                    not isinstance(a, Layer) or framework_of(a.kind) is Framework.TORCH):
                out.append((name, a))
        return out
    return None


# ------------------------------------------------------------------------------------------ torch
def _torch_params(v: Value) -> tuple:
    """(count, [(name, Shape)]) of every parameter under ``v``; count None where unknown."""
    from .modules import named_parameters

    params = named_parameters(v)
    if params is None:
        return None, []
    total: Any = 0
    for s in params.values():
        n = s.numel()
        if n is None:
            return None, list(params.items())
        total = D.add(total, n)
    return total, list(params.items())


def _torch_summary(result: AnalysisResult, model: Value, name: str, path: str, line: int,
                   input_shape: Optional[tuple]) -> ModelSummary:
    trace = result.trace
    if input_shape is not None:
        trace = result.call(model, [Tensor(Shape(tuple(input_shape)), "torch", "float")])
    rows = []
    kids = _children(model) or []
    for child_name, child in kids:
        count, params = _torch_params(child)
        typ = child.kind.rsplit(".", 1)[-1] if isinstance(child, Layer) else child.cls.name
        rows.append(Row(child_name, typ, _shape_of(trace.get(id(child))), count,
                        [(n, s, True, "torch", _owner_kind(child, n)) for n, s in params]))
    total, _ = _torch_params(model)
    return ModelSummary(name, "torch", path, line, rows, total, 0 if total is not None else None)


def _owner_kind(module: Value, pname: str) -> str:
    from .plugins.torch_module import role_of

    return role_of(module, pname).rsplit(".", 1)[0]


def _shape_of(v: Any) -> Any:
    if isinstance(v, Tensor):
        return v.shape
    if isinstance(v, Seq) and all(isinstance(x, Tensor) for x in v.items):
        return [x.shape for x in v.items]
    return None


# ------------------------------------------------------------------------------------------ keras
def _keras_summary(model: Layer, names: dict, path: str, line: int) -> ModelSummary:
    from .ops import registry as R

    rule = R.lookup_layer(model.kind)
    subs = rule.sublayers(model) if rule is not None else None
    rows = []
    tr: Any = 0 if subs is not None else None  # layers not all known: no count, never a wrong one
    nt: Any = tr
    for sub in subs or []:
        if not isinstance(sub, Layer):
            rows.append(Row("?", type(sub).__name__, None, None))
            tr = nt = None
            continue
        srule = R.lookup_layer(sub.kind)
        counts = _keras_params(srule, sub)
        out = sub.config.get("_output_tensor")
        wl = srule.weight_list(sub) if srule is not None else None
        name = names.get(id(sub)) or names.get(("tensor", id(out))) or snake_case(keras_type(sub))
        rows.append(Row(name, keras_type(sub), _shape_of(out),
                        None if counts is None else D.add(counts[0], counts[1]),
                        [(n, s, t, "keras", sub.kind) for n, s, t in (wl or [])]))
        if counts is None or tr is None:
            tr = nt = None
        else:
            tr, nt = D.add(tr, counts[0]), D.add(nt, counts[1])
    return ModelSummary(names.get(id(model), snake_case(keras_type(model))), "keras", path, line, rows, tr, nt)


def _tracked_layers(obj: Obj) -> list:
    """The layers a subclassed Keras model or layer tracks, in attribute order (lists flattened), as
    ``model.layers`` lists them."""
    out: list = []
    for a in obj.attrs.values():
        items = a.items if isinstance(a, Seq) else [a]
        for x in items:
            if isinstance(x, Layer) and framework_of(x.kind) is Framework.KERAS:
                out.append(x)
            elif isinstance(x, Obj) and _is_keras_obj(x):
                out.append(x)
    return out


def _own_weights(obj: Obj) -> Optional[tuple]:
    """(trainable, non-trainable) of the ``add_weight`` variables an object holds itself."""
    tr: Any = 0
    for a in obj.attrs.values():
        if isinstance(a, Tensor) and a.fw == "keras" and (a.role == "keras.Variable" or a.shape.variadic):
            n = a.shape.numel()
            if n is None:
                return None
            tr = D.add(tr, n)
    return tr, 0


def _keras_object_params(obj: Obj, depth: int = 0) -> Optional[tuple]:
    """(trainable, non-trainable) of a subclassed Keras layer or model: its layers and its own weights."""
    from .ops import registry as R

    if depth > 16:
        return None
    total = _own_weights(obj)
    if total is None:
        return None
    tr, nt = total
    for sub in _tracked_layers(obj):
        got = _keras_object_params(sub, depth + 1) if isinstance(sub, Obj) else _keras_params(
            R.lookup_layer(sub.kind), sub)
        if got is None:
            return None
        tr, nt = D.add(tr, got[0]), D.add(nt, got[1])
    return tr, nt


def _keras_object_summary(obj: Obj, names: dict, path: str, line: int, trace: dict) -> ModelSummary:
    """A subclassed ``keras.Model``: one row per tracked layer, shapes from the first call."""
    from .ops import registry as R

    rows = []
    for sub in _tracked_layers(obj):
        if isinstance(sub, Obj):
            counts = _keras_object_params(sub)
            name = names.get(id(sub.base)) if sub.base is not None else None
            rows.append(Row(name or snake_case(sub.cls.name), sub.cls.name, _shape_of(trace.get(id(sub))),
                            None if counts is None else D.add(*counts)))
            continue
        counts = _keras_params(R.lookup_layer(sub.kind), sub)
        out = trace.get(id(sub))
        if out is None:
            out = sub.config.get("_output_tensor")
        rule = R.lookup_layer(sub.kind)
        wl = rule.weight_list(sub) if rule is not None else None
        rows.append(Row(names.get(id(sub)) or snake_case(keras_type(sub)), keras_type(sub), _shape_of(out),
                        None if counts is None else D.add(counts[0], counts[1]),
                        [(n, sh, t, "keras", sub.kind) for n, sh, t in (wl or [])]))
    counts = _keras_object_params(obj)
    name = names.get(id(obj.base)) if obj.base is not None else None
    return ModelSummary(name or snake_case(obj.cls.name), "keras", path, line, rows,
                        None if counts is None else counts[0], None if counts is None else counts[1])


def _keras_params(rule: Any, layer: Layer) -> Optional[tuple]:
    try:
        from .ops.keras.base import params_of
    except ImportError:  # pragma: no cover
        return None
    if rule is None:
        return None
    if _is_keras_model(layer):  # a model used as a layer: the sum of its layers
        sub = _keras_summary(layer, {}, "", 0)
        return None if sub.trainable is None else (sub.trainable, sub.non_trainable)
    return params_of(rule, layer)


# ------------------------------------------------------------------------------------------ one module
def is_model(layer: Layer) -> bool:
    """Whether a framework layer is a whole Keras model (Sequential, functional, an application)."""
    return _is_keras_model(layer)


def param_count(v: Value) -> Any:
    """The parameters of one layer or module of the file, counted as its summary counts them
    (Keras: trainable and not; torch: ``named_parameters``); None where unknown or not a model's
    part (an editor's hover shows it beside the layer)."""
    from .ops import registry as R

    if isinstance(v, Layer):
        fw = framework_of(v.kind)
        if fw is Framework.KERAS:
            counts = _keras_params(R.lookup_layer(v.kind), v)
            return None if counts is None else D.add(*counts)
        return _torch_params(v)[0] if fw is Framework.TORCH else None
    if isinstance(v, Obj):
        if _is_keras_obj(v):
            counts = _keras_object_params(v)
            return None if counts is None else D.add(*counts)
        return _torch_params(v)[0] if _is_torch_module(v) else None
    return None


# ------------------------------------------------------------------------------------------ output
def fmt_count(n: Any) -> str:
    if n is None:
        return "?"
    i = D.as_int(n)
    if i is not None:
        return f"{i:,}"
    return str(_pretty(n))


def _text_count(n: Any) -> str:
    return fmt_count(n) if n is None or D.as_int(n) is not None else str(n)


def _json_total(n: Any) -> Any:
    if n is None:
        return None
    i = D.as_int(n)
    return i if i is not None else str(n)


def _pretty(n: Any) -> Any:
    import sympy

    try:
        return sympy.factor(n) if len(n.free_symbols) <= 4 else n
    except Exception:  # noqa: BLE001
        return n


def fmt_shape(s: Any, keras: bool) -> str:
    if s is None:
        return "?"
    if isinstance(s, list):
        return "[" + ", ".join(fmt_shape(x, keras) for x in s) + "]"
    parts = (["*"] if s.variadic else []) + ["None" if D.is_opaque(d) else D.fmt(d) for d in s.dims]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 and not s.variadic else "") + ")"


def other_layout(kind: str, wname: str, s: Shape, framework: str) -> Optional[str]:
    """The same weight in the other framework's layout, where it differs."""
    dims = s.dims
    if framework == "keras" and wname == "kernel" and kind.endswith("Dense") and len(dims) == 2:
        return f"as torch Linear.weight: {Shape((dims[1], dims[0]))}"
    if framework == "keras" and wname in ("kernel", "depthwise_kernel") and len(dims) >= 3 and "Conv" in kind and \
            "Transpose" not in kind:
        k = dims[:-2]
        return f"as torch Conv{len(k)}d.weight: {Shape((dims[-1], dims[-2]) + tuple(k))}"
    if framework == "torch" and kind.endswith(".Linear") and wname.endswith("weight") and len(dims) == 2:
        return f"as Keras Dense kernel: {Shape((dims[1], dims[0]))}"
    if framework == "torch" and re.search(r"\.Conv[123]d$", kind) and wname.endswith("weight") and len(dims) >= 3:
        return f"as Keras Conv{len(dims) - 2}D kernel: {Shape(tuple(dims[2:]) + (dims[1], dims[0]))}"
    return None


# column widths of the table: Keras 3's for a Sequential (80 characters in all)
_W_NAME, _W_SHAPE, _W_PARAMS = 33, 26, 15
_RULE = 1 + _W_NAME + _W_SHAPE + _W_PARAMS + 1


def _wrap(text: str, width: int, sep: str = " ") -> list:
    """Greedy wrap at ``sep`` (Keras wraps ``name (Type)`` before the type); over-long words are cut."""
    lines: list = []
    cur = ""
    for word in text.split(sep):
        piece = word if not cur else cur + sep + word
        if len(piece) <= width:
            cur = piece
            continue
        if cur:
            lines.append(cur + (sep.rstrip() if sep != " " else ""))
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        cur = word
    lines.append(cur)
    return lines


def _row_lines(name: str, shape: str, params: str) -> list:
    a = _wrap(name, _W_NAME - 1)
    b = _wrap(shape, _W_SHAPE - 1, ", ")
    c = [params]  # a count is never split; a long formula runs past the column
    out = []
    for i in range(max(len(a), len(b), len(c))):
        cells = [x[i] if i < len(x) else "" for x in (a, b, c)]
        out.append((f" {cells[0]:<{_W_NAME}}{cells[1]:<{_W_SHAPE}}{cells[2]:>{_W_PARAMS}}").rstrip())
    return out


def render_text(models: list, weights: bool = False) -> str:
    """Each model as Keras prints it (``Model: "sequential"``, the Layer (type) / Output Shape /
    Param # table, the Total / Trainable / Non-trainable lines), in plain ASCII, after the line
    that defines it (``path:line: keras model``)."""
    if not models:
        return "No models found."
    blocks = []
    for m in models:
        keras = m.framework == "keras"
        lines = [f"{m.path}:{m.line}: {m.framework} model", f'Model: "{m.name}"', "_" * _RULE,
                 _row_lines("Layer (type)", "Output Shape", "Param #")[0], "=" * _RULE]
        for r in m.rows:
            lines += _row_lines(f"{r.name} ({r.type})", fmt_shape(r.output, keras), fmt_count(r.params))
            if weights:
                for wn, ws, trainable, fw, kind in r.weights:
                    other = other_layout(kind, wn.rsplit(".", 1)[-1], ws, fw)
                    note = f" — {other}" if other else ""
                    frozen = "" if trainable else " (non-trainable)"
                    lines.append(f"     {wn} {fmt_shape(ws, False)}{frozen}{note}")
        lines.append("=" * _RULE)
        lines.append(f" Total params: {_text_count(total_expr(m))}")
        lines.append(f" Trainable params: {_text_count(total_expr(m, 'trainable'))}")
        lines.append(f" Non-trainable params: {fmt_count(m.non_trainable)}")
        lines.append("_" * _RULE)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def total_expr(m: ModelSummary, which: str = "total") -> Any:
    """A symbolic total as the sum of its rows' factored counts (``vocab*embed + 4*hidden*(...)``)
    where the rows account for every parameter; else the count itself."""
    n = getattr(m, which)
    if n is None or D.as_int(n) is not None or which == "non_trainable":
        return n
    import sympy

    parts = [r.params for r in m.rows if r.params != 0]
    if not parts or any(p is None or D.as_int(p) is not None for p in parts):
        return n  # (rows with plain numbers: one expanded formula reads better than a sum of pieces)
    if sympy.expand(sympy.Add(*parts) - n) != 0:
        return n
    return sympy.Add(*[_pretty(p) for p in parts], evaluate=False)


def _json_dim(d: Any) -> Any:
    if D.is_opaque(d):
        return None
    i = D.as_int(d)
    return i if i is not None else str(d)


def _json_shape(s: Any) -> Any:
    if s is None:
        return None
    if isinstance(s, list):
        return [_json_shape(x) for x in s]
    if s.variadic:
        return None
    return [_json_dim(d) for d in s.dims]


def _json_count(n: Any) -> Any:
    if n is None:
        return None
    i = D.as_int(n)
    return i if i is not None else str(_pretty(n))


def to_json(models: list, weights: bool = False) -> dict:
    out = []
    for m in models:
        layers = []
        for r in m.rows:
            row = {"name": r.name, "type": r.type, "output_shape": _json_shape(r.output),
                   "params": _json_count(r.params)}
            if weights:
                row["weights"] = [{"name": wn, "shape": _json_shape(ws), "trainable": t,
                                   "other_layout": other_layout(kind, wn.rsplit(".", 1)[-1], ws, fw)}
                                  for wn, ws, t, fw, kind in r.weights]
            layers.append(row)
        out.append({"name": m.name, "framework": m.framework, "path": m.path, "line": m.line, "layers": layers,
                    "total_params": _json_total(total_expr(m)),
                    "trainable_params": _json_total(total_expr(m, "trainable")),
                    "non_trainable_params": _json_count(m.non_trainable)})
    return {"models": out}

