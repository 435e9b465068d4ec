"""A static ``model.summary()``: every model a file makes, its layers, output shapes and parameters.

Keras models (Sequential, functional, subclassed) and torch modules (classes, instances, what a
builder function returns) are found after the interpreter has run the file. Parameter counts come
from the same layer rules that check shapes (their ``weights``), so a summary and a finding never
disagree. Sizes stay symbolic where the code is: a class built from ``vocab, embed, hidden`` gets a
formula.

A torch model is a tree of ``Row``: every submodule that exists at run time, in registration order
(``named_modules()``), a module's own parameters and buffers as rows of their own, a child the
checker cannot see as a ``?`` row (never a missing one). Where the model has an input (the file's
own call of it, ``--input-shape``, a jaxtyping annotation of ``forward``), its forward pass runs
once more in the analysis with every module application recorded (``CallRecord``): each row's
input and output shapes, and torchinfo's mult-adds and memory figures, defined as torchinfo 1.8
defines them (``LayerInfo.calculate_macs``, ``ModelStatistics``).
"""
from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from . import dims as D
from .framework import Framework, framework_of
from .shapes import Shape
from .values import UNKNOWN, Failed, Layer, Obj, OneOf, Seq, Tensor, Value

if TYPE_CHECKING:
    from .analysis.driver import Analysis, AnalysisResult


@dataclass(eq=False)
class Row:
    """One row of a summary: a layer (Keras), or a module, parameter or buffer of a torch model.

    ``params`` is everything under it (``sum(p.numel() for p in m.parameters())``), ``own_params``
    what its child modules do not hold (torchinfo's "leftover"); None where unknown. ``output`` and
    ``input`` are a Shape, a list of Shapes (a tuple output), or None (unknown / no input given);
    ``calls`` how often the forward pass called it (0: never; None: no forward pass was traced).
    ``mult_adds`` as torchinfo counts them over those calls (for a module with children: the sum
    of its leaf modules'). ``children``: the rows one level down (the table lists them flat, in
    ``ModelSummary.rows``, depth first)."""

    name: str
    type: str
    output: Any  # Shape, a list of Shapes, or None (unknown)
    params: Any  # int / sympy expr, or None (unknown)
    weights: list = field(default_factory=list)  # (name, Shape, trainable, framework, kind)
    path: str = ""  # the qualified name (``layer1.0.conv1``), as named_modules() / named_parameters() say it
    depth: int = 1
    index: int = 0  # torchinfo's depth-idx: the row's place among the modules of its depth, in table order
    kind: str = "module"  # module | parameter | buffer
    children: list = field(default_factory=list)
    input: Any = None
    kernel: Any = None  # the module's ``kernel_size`` (an int or a list), None: it has none
    mult_adds: Any = 0
    trainable_params: Any = None
    own_params: Any = 0
    leaf: bool = True  # no child modules (torchinfo's ``is_leaf_layer``)
    calls: Optional[int] = None
    module: Any = field(default=None, repr=False)  # the analysis's value (Layer / Obj), where there is one


@dataclass(eq=False)
class ModelSummary:
    """One model. Keras: ``rows`` are ``model.layers``. torch: ``root`` is the model itself (depth
    0) and ``rows`` every row under it, depth first; ``inputs`` the tensors its forward pass was
    traced on (``input_source`` says where they came from), and the torchinfo totals (None where
    unknown, or where no input was given)."""

    name: str
    framework: str  # keras | torch
    path: str
    line: int
    rows: list
    trainable: Any
    non_trainable: Any
    var: str = ""  # the global it was found under (or the class name): how a test finds it
    root: Optional[Row] = None
    inputs: list = field(default_factory=list)  # Tensors
    input_source: str = ""
    mult_adds: Any = None
    input_bytes: Any = None
    output_bytes: Any = None  # torchinfo's "Forward/backward pass size"
    param_bytes: Any = None
    trace: Optional[CallRecord] = field(default=None, repr=False)  # the traced forward pass, call by call
    # (Keras: the functional graph's layer calls, or a Sequential's chain, as such a trace)
    built_by: str = ""  # the call that built it (``resnet18()``, ``Block(c)``), where the summary made it
    assumed: list = field(default_factory=list)  # the constructor defaults it was built with (text)
    traced: bool = False  # a forward pass ran (shapes, mult-adds and memory are known or ``?``)
    # what a graph of it marks: the file's findings as ``check`` reports them (``summarize_source``'s
    # ``check``), the traced pass's own ((node, kind, message): the input it was fed may break what
    # the file's code does not), and ``spans``: a syntax node -> its ((line, col), (line, col)) in
    # the file, None for a node of another file
    findings: list = field(default_factory=list, repr=False)
    trace_findings: list = field(default_factory=list, repr=False)
    spans: Any = field(default=None, repr=False)

    @property
    def total(self) -> Any:
        if self.trainable is None or self.non_trainable is None:
            return None
        return D.add(self.trainable, self.non_trainable)

    @property
    def total_bytes(self) -> Any:
        parts = (self.input_bytes, self.output_bytes, self.param_bytes)
        if any(p is None for p in parts):
            return None
        return D.add(D.add(self.input_bytes, self.output_bytes), self.param_bytes)

    def top(self) -> list:
        """The rows one level under the model (Keras: all of them)."""
        return [r for r in self.rows if r.depth == 1]


@dataclass(eq=False)
class CallRecord:
    """One application of a module while a forward pass was traced: its arguments, its output and
    the applications it made, in order; ``ops`` the function rules it applied itself (``torch.cat``,
    ``x + y``: what joins the tensors between module calls). ``seq`` orders calls and ops alike."""

    module: Any
    args: list
    output: Any = None
    children: list = field(default_factory=list)
    node: Any = field(default=None, repr=False)  # the call's syntax node (the file's call: its line)
    ops: list = field(default_factory=list)
    seq: int = 0


@dataclass(eq=False)
class OpRecord:
    """A function rule applied while a forward pass was traced: ``name`` as the registry has it
    (``torch.cat``, ``operator.add``, ``torch.Tensor.view``), its arguments (keywords' values after
    the positional ones) and its output."""

    name: str
    args: list
    output: Any
    node: Any = field(default=None, repr=False)
    seq: int = 0


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
    built = seq.config.get("_built_at")
    if not known and isinstance(built, int) and final:  # built by its first call (after `built` layers)
        p = max(at, built - 1)
        out += [(p, 1000, None, "input_layer"), (p, 1001, None, "functional")]
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
MODEL_VAR = "__shapecheck_model__"  # where a model asked for by ``--model CALL`` is kept


class ModelSpecError(ValueError):
    """``--model`` names nothing the file defines, or is not a name or a call of one."""


def parse_model_spec(spec: str) -> tuple:
    """``resnet18`` / ``resnet18(num_classes=10)`` / ``models.resnet18()`` -> (the name called or
    named, the call's source text or None for a bare name). Parsed with LibCST, never evaluated:
    the call runs in the analysis, as if the file ended with it."""
    import libcst as cst

    try:
        expr = cst.parse_expression(spec.strip())
    except cst.ParserSyntaxError:
        raise ModelSpecError(f"--model: not a name or a call: {spec!r}") from None
    target = expr.func if isinstance(expr, cst.Call) else expr
    parts = []
    while isinstance(target, cst.Attribute):
        parts.append(target.attr.value)
        target = target.value
    if not isinstance(target, cst.Name):
        raise ModelSpecError(f"--model: not a name or a call of one: {spec!r}")
    parts.append(target.value)
    name = ".".join(reversed(parts))
    return name, (cst.Module([]).code_for_node(expr) if isinstance(expr, cst.Call) else None)


def summarize_source(source: str, path: str = "<string>", input_shape: Optional[tuple] = None, *,
                     inputs: Optional[list] = None, model: Optional[str] = None,
                     errors: Optional[list] = None, check: Any = None) -> list:
    """Every model in ``source``, summarized; raises ``libcst.ParserSyntaxError`` where it does not
    parse. ``inputs`` (Tensors; or ``input_shape``, one float tensor) feed torch models' forward
    where the file never calls it. ``model``: only that one -- a global, a class, or a function
    (called with its defaults), or a call (``resnet18(num_classes=10)``) analysed as if the file
    ended with ``__shapecheck_model__ = <call>``; raises ``ModelSpecError`` where the file has no
    such name. With ``errors``, a model the summary fails on (an internal error) is left out and
    its ``(name, exception)`` appended there, the file's other models still summarized. With
    ``check`` (``engine.Options``), each model carries the file's findings as ``check`` reports
    them (``ModelSummary.findings``, read from this same analysis: a graph marks them)."""
    import libcst as cst

    from . import positions

    if inputs is None and input_shape is not None:
        inputs = [Tensor(Shape(tuple(input_shape)), "torch", "float")]
    module = cst.parse_module(source)
    spec = parse_model_spec(model) if model is not None else None
    if spec is not None:
        _check_defined(module, spec[0], model or "")
        if spec[1] is not None or _is_function(module, spec[0]):
            call = spec[1] if spec[1] is not None else f"{spec[0]}()"
            source = source + ("" if source.endswith("\n") else "\n") + f"{MODEL_VAR} = {call}\n"
            module = cst.parse_module(source)
    run = _Run(module, source, path)
    pos = positions.Positions(module)

    def line_of(node: Any) -> int:
        try:
            return pos.span(node)[0][0] if node is not None else 1
        except Exception:  # noqa: BLE001
            return 1

    run.line_of, run.has = line_of, pos.has
    if spec is not None:
        return _placed(run, pos, _selected(run, spec, model or "", inputs), check)
    result = run.result
    owners = {id(o.base): o for o in result.instances if isinstance(o.base, Layer) and _is_keras_obj(o)}
    names = keras_names(result.created, owners)
    out: list = []
    seen: set = set()
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
        with _contained(errors, var):
            _global_summary(run, v, var, line, names, inputs, out, seen)
    for cls in result.classes:
        if id(cls) in seen or not _is_torch_class(cls) or not pos.has(cls.node):
            continue
        seen.add(id(cls))
        with _contained(errors, cls.name):
            got = _class_summary(run, cls, line_of(cls.node), inputs)
            if got is not None:
                out.append(got)
    out.sort(key=lambda m: m.line)
    return _placed(run, pos, out, check)


def _placed(run: _Run, pos: Any, models: list, check: Any) -> list:
    """The models, each with ``spans`` (where a syntax node of the file is) and, with ``check``
    (``engine.Options``), the file's findings."""
    from . import engine

    def span(node: Any) -> Optional[tuple]:
        try:
            return pos.span(node) if node is not None and pos.has(node) else None
        except Exception:  # noqa: BLE001
            return None

    found = (engine.diagnose(run.result, run.module, run.source, run.path, check) or []) if check is not None else []
    for m in models:
        m.spans = span
        m.findings = found
    return models


@contextmanager
def _contained(errors: Optional[list], name: str) -> Iterator[None]:
    """One model's summary: an internal error is noted in ``errors`` (where given) and the others go on."""
    if errors is None:
        yield
        return
    try:
        yield
    except Exception as e:  # noqa: BLE001 - failure containment: one model, not the file
        errors.append((name, e))


def _global_summary(run: _Run, v: Value, var: str, line: int, names: dict, inputs: Optional[list], out: list,
                    seen: set) -> None:
    """The summary of a model the module keeps in ``var``, if it is one."""
    path, result = run.path, run.result
    if isinstance(v, Layer) and _is_keras_model(v):
        seen.add(id(v))
        out.append(_keras_summary(v, names, path, line, run.keras_history))
        out[-1].var = var
    elif isinstance(v, Obj) and _is_keras_obj(v) and _is_keras_model_class(v.cls):
        seen.add(id(v))
        out.append(_keras_object_summary(v, names, path, line, result.trace))
        out[-1].var = var
    elif isinstance(v, Layer) and v.kind.startswith("torch.nn.") and _children(v) is not None:
        seen.add(id(v))
        out.append(_torch_summary(run, v, var, path, line, inputs))
        out[-1].var = var
    elif isinstance(v, Obj) and _is_torch_module(v):
        seen.add(id(v))
        out.append(_torch_summary(run, v, var, path, line, inputs))
        out[-1].var = var
        out[-1].assumed = _assumed_defaults(run, v, None)
        seen.add(id(v.cls))


def _check_defined(module: Any, name: str, spec: str) -> None:
    head = name.split(".", 1)[0]
    if head not in _top_level_names(module):
        raise ModelSpecError(f"--model: {spec!r}: the file defines no {head!r}")


def _top_level_names(module: Any) -> set:
    """Names the module's top level binds: definitions, assignments, imports."""
    import libcst as cst

    imported, assigned = _module_names(module)
    out = set(imported) | set(assigned)
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.add(stmt.name.value)
    return out


def _is_function(module: Any, name: str) -> bool:
    import libcst as cst

    return any(isinstance(s, cst.FunctionDef) and s.name.value == name for s in module.body)


def _selected(run: _Run, spec: tuple, text: str, inputs: Optional[list]) -> list:
    """The one model ``--model`` asks for."""
    import libcst as cst

    name, call = spec
    result = run.result
    head = name.split(".", 1)[0]
    defn = next((s for s in run.module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))
                 and s.name.value == head), None)
    line = run.line_of(defn) if defn is not None else 1
    v = result.globals.get(MODEL_VAR)
    if v is None:  # a bare name of a global or a class
        v = result.globals.get(head)
        if isinstance(v, Obj) or (isinstance(v, Layer) and framework_of(v.kind) is Framework.TORCH):
            line = run.line_of(run.assigned.get(head)) if head in run.assigned else line
            got = _torch_summary(run, v, head, run.path, line, inputs) if not _is_keras_obj(v) else None
            if isinstance(v, Layer) or (isinstance(v, Obj) and _is_torch_module(v)):
                assert got is not None
                got.var = head
                return [got]
        if isinstance(v, Layer) and _is_keras_model(v):
            owners = {id(o.base): o for o in result.instances if isinstance(o.base, Layer) and _is_keras_obj(o)}
            got = _keras_summary(v, keras_names(result.created, owners), run.path, line, run.keras_history)
            got.var = head
            return [got]
        cls = next((c for c in result.classes if c.name == head and c.node is defn), None)
        if cls is not None and _is_torch_class(cls):
            got = _class_summary(run, cls, line, inputs)
            return [got] if got is not None else []
        raise ModelSpecError(f"--model: {text!r} is not a model the summary can show (a torch module, a Keras "
                             "model, a class of one or a function returning one)")
    if isinstance(v, Layer) and _is_keras_model(v):
        owners = {id(o.base): o for o in result.instances if isinstance(o.base, Layer) and _is_keras_obj(o)}
        got = _keras_summary(v, keras_names(result.created, owners), run.path, line, run.keras_history)
    elif isinstance(v, (Layer, Obj)) and not _is_keras_obj(v):
        got = _torch_summary(run, v, name, run.path, line, inputs)
        got.built_by = call or f"{name}()"
        got.assumed = _assumed_defaults(run, v, call or f"{name}()")
    else:
        raise ModelSpecError(f"--model: {call or name + '()'} returns no model the summary can show "
                             f"(the analysis gives {type(v).__name__})")
    got.var = MODEL_VAR
    return [got]


class _Run:
    """One file's analysis, kept for the summaries of its models: the result, and the first call
    the file's own module code makes of each module (``id(module) -> CallRecord``: the input a
    summary feeds it)."""

    def __init__(self, module: Any, source: str, path: str) -> None:
        from .analysis.driver import Analysis

        self.module, self.source, self.path = module, source, path
        self.analysis: Analysis = Analysis(module, source, path)
        recorder = _Recorder(self.analysis, expand=False, module_code_only=True)
        with recorder:
            self.result: AnalysisResult = self.analysis.run(keep_trace=True)
        self.file_calls: dict = {}
        for rec in recorder.root.children:
            if rec.args and all(isinstance(a, Tensor) and _known(a.shape) for a in rec.args):
                self.file_calls.setdefault(id(rec.module), rec)
        self.line_of: Any = lambda node: 1
        self.has: Any = lambda node: False  # whether a node is of this file (``positions.Positions.has``)
        self.assigned = _module_names(module)[1]
        self.trace_findings: list = []  # the last traced pass's findings: (node, kind, message)
        self.keras_history = self.analysis.ctx.state.keras_history

    def trace(self, model: Value, inputs: list) -> Optional[CallRecord]:
        """Run ``model(*inputs)`` once more, every module application recorded; None where the
        analysis cannot run it."""
        an = self.analysis
        recorder = _Recorder(an, expand=True)
        ctx = an.ctx
        saved = ctx.memo
        evaluated = _eval_mode(model)
        self.trace_findings = []
        try:
            # every call runs again (a memoized result would hide the calls it makes), as torch runs them
            ctx.memo = _NoMemo()
            with recorder, _after_run(an, self.trace_findings) as skipped:
                an.trace_call(model, list(inputs))
                budget = ctx.budget
            if skipped or ctx.steps >= budget:
                return None  # cut short (a function not analysed, out of steps): calls may be missing
        except Exception:  # noqa: BLE001 - a summary without shapes is still a summary
            return None
        finally:
            ctx.memo = saved
            for obj in evaluated:
                obj.attrs.pop("training", None)
        got = [r for r in recorder.root.children if r.module is model]
        return got[0] if got else None

    def build(self, cls: Any, given: dict) -> Optional[Value]:
        """An instance of ``cls`` built in the analysis, as ``cls(...)`` would build it with every
        parameter of ``__init__`` that has a default left to it, the others generic (symbolic
        sizes, as the analysis runs a class no code builds)."""
        from .analysis.frames import Frame
        from .analysis.objects import FuncInfo
        from .values import ClassRef

        an = self.analysis
        init = cls.lookup("__init__")
        pos: list = []
        kw: dict = {}
        if isinstance(init, FuncInfo):
            params = list(init.params.posonly_params) + list(init.params.params)
            if params and not _is_static(init.node):
                params = params[1:]
            for p in params:
                if p.default is not None:
                    break
                pos.append(an.sources.generic_param(p))
            for p in init.params.kwonly_params:
                if p.default is None:
                    kw[p.name.value] = an.sources.generic_param(p)
        try:
            with _after_run(an):
                return an.calls.call_value(ClassRef(cls), pos, kw, cls.node,
                                           Frame({}, D.Bindings(), None, an.ctx.globals), {})
        except Exception:  # noqa: BLE001 - then the instances the analysis built
            return None


class _NoMemo(dict):
    """A memo that never hits (``key in memo`` is False): each call of a traced pass runs."""

    def __contains__(self, key: object) -> bool:
        return False


def _eval_mode(model: Value) -> list:
    """``model.eval()``, as torchinfo runs it: ``self.training`` is False in every module of the file
    under ``model`` that does not set it itself; the objects it was set on (to undo)."""
    from .values import Const

    out: list = []
    todo: list = [model]
    seen: set = set()
    while todo:
        v = todo.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, OneOf):
            todo.extend(o for o in v.options if isinstance(o, (Layer, Obj)))
            continue
        if isinstance(v, Obj) and "training" not in v.attrs:
            v.attrs["training"] = Const(False)
            out.append(v)
        todo.extend(c for _, c in _module_children(v) if isinstance(c, (Layer, Obj, OneOf)))
    return out


def _is_static(fn: Any) -> bool:
    import libcst as cst

    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in fn.decorators)


SUMMARY_STEPS = 200_000  # what a summary's own runs (building a class, a forward pass) may take after the file's


@contextmanager
def _after_run(an: Analysis, kept: Optional[list] = None) -> Iterator[list]:
    """Code the summary runs in the analysis after it finished: its state active, a budget of
    its own, and its findings (those of a generic build or a traced forward) kept out of the file's.
    Yields the list that collects the "analysis-skipped" ones (a function cut short); ``kept``
    collects the others, as (node, kind, message)."""
    from .values import activated

    ctx = an.ctx
    saved = ctx.budget
    ctx.budget = max(ctx.budget, ctx.steps + SUMMARY_STEPS)
    skipped: list = []
    try:
        with activated(ctx.state), ctx.isolated() as found:
            yield skipped
            skipped.extend(f for f in found if f.kind == "analysis-skipped")
            if kept is not None:
                kept.extend((f.node, f.kind, f.message) for f in found if f.kind != "analysis-skipped")
    finally:
        ctx.budget = saved


class _Recorder:
    """While installed (``with``), every module application the analysis makes is a ``CallRecord``
    under ``root``: what a forward pass called, in order, on what. With ``expand``, an
    ``nn.Sequential`` runs its chain child by child through the analysis's calls (its rule applies
    the layers directly, which records nothing of them), as torch's ``Sequential.forward`` calls
    each. With ``module_code_only``, only what the file's module-level code runs is recorded."""

    def __init__(self, analysis: Analysis, expand: bool, module_code_only: bool = False) -> None:
        self.calls = analysis.calls
        self.ctx = analysis.ctx
        self.expand = expand
        self.module_code_only = module_code_only
        self.root = CallRecord(None, [])
        self.stack = [self.root]
        self.original: Any = None
        self.seq = 0

    def __enter__(self) -> _Recorder:
        self.original = self.calls.apply_module
        self.calls.apply_module = self.apply  # type: ignore[method-assign]
        self.calls.alike = False  # (each module's own call is a row)
        if self.expand:  # a traced pass: the function rules too (``OpRecord``), for a graph
            self.calls.on_rule = self.op
        return self

    def __exit__(self, *exc: Any) -> None:
        del self.calls.apply_module
        del self.calls.alike
        self.calls.on_rule = None

    def op(self, call: Any, out: Value, node: Any) -> None:
        self.seq += 1
        self.stack[-1].ops.append(OpRecord(call.qualname, list(call.args) + list(call.kwargs.values()), out, node,
                                           self.seq))

    def apply(self, fn: Value, args: list, kwargs: dict, node: Any, frame: Any, arg_nodes: dict) -> Value:
        if self.module_code_only and getattr(self.ctx, "trace", None) is None:
            return self.original(fn, args, kwargs, node, frame, arg_nodes)
        parent = self.stack[-1]
        # (a subclass of nn.Sequential without a forward runs its base: the same module)
        same = isinstance(parent.module, Obj) and parent.module.base is fn
        if not same:
            self.seq += 1
        rec = parent if same else CallRecord(fn, list(args), node=node, seq=self.seq)
        if not same:
            parent.children.append(rec)
            self.stack.append(rec)
        try:
            chain = fn.config.get("layers") if isinstance(fn, Layer) and fn.kind == "torch.nn.Sequential" else None
            if self.expand and chain is not None and args and not isinstance(args[0], Failed):
                out = self._chain(chain, args[0], node, frame)
            else:
                out = self.original(fn, args, kwargs, node, frame, arg_nodes)
        finally:
            if not same:
                self.stack.pop()
        if not same:
            rec.output = out
        return out

    def _chain(self, layers: list, x: Value, node: Any, frame: Any) -> Value:
        if x is UNKNOWN:  # (called on a batch it cannot see into, the chain still runs: the rule's output_on_unknown)
            x = Tensor(Shape.unknown(), "torch")
        for sub in layers:
            if x is UNKNOWN or isinstance(x, Failed):
                return x
            x = self.calls.call_value(sub, [x], {}, node, frame, {})
        return x


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
    """(name, module) pairs of a torch module's direct children, in registration order; None where
    a container's contents are unknown."""
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
PARAMETER = "torch.nn.Parameter"
_CONTAINERS = ("torch.nn.Sequential", "torch.nn.ModuleList", "torch.nn.ModuleDict")
# torch layers that register child modules of their own: (name, torch class) in registration order
_COMPOSITE = {
    "torch.nn.MultiheadAttention": [("out_proj", "NonDynamicallyQuantizableLinear")],
    "torch.nn.TransformerEncoderLayer": [
        ("self_attn", "MultiheadAttention"), ("linear1", "Linear"), ("dropout", "Dropout"), ("linear2", "Linear"),
        ("norm1", "LayerNorm"), ("norm2", "LayerNorm"), ("dropout1", "Dropout"), ("dropout2", "Dropout")],
    "torch.nn.TransformerDecoderLayer": [
        ("self_attn", "MultiheadAttention"), ("multihead_attn", "MultiheadAttention"), ("linear1", "Linear"),
        ("dropout", "Dropout"), ("linear2", "Linear"), ("norm1", "LayerNorm"), ("norm2", "LayerNorm"),
        ("norm3", "LayerNorm"), ("dropout1", "Dropout"), ("dropout2", "Dropout"), ("dropout3", "Dropout")],
}
# torch applies these children with their own modules' forward (a hook sees them); MultiheadAttention
# reads ``out_proj``'s weights in a functional call instead: torch never calls it as a module
_NEVER_CALLED = {("torch.nn.MultiheadAttention", "out_proj")}
_MAX_DEPTH = 64
STORAGE_OBJECT_BYTES = 64  # what sys.getsizeof adds to a tensor storage's bytes (torchinfo's "Input size")


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


def _type_name(v: Any) -> str:
    if isinstance(v, Layer):
        return v.kind.rsplit(".", 1)[-1]
    if isinstance(v, Obj):
        return v.cls.name
    if isinstance(v, OneOf):
        names = []
        for o in v.options:
            n = _type_name(o) if isinstance(o, (Layer, Obj)) else "None"
            if n not in names:
                names.append(n)
        return " | ".join(names)
    return "?"


def _module_children(v: Value) -> list:
    """(name, child) of a module's child modules in registration order; child None: a child the
    checker cannot see (unknown contents, an attribute that may be a module); a ``str`` child: a
    torch class a framework layer registers (its type name; the Layer where the rule builds it)."""
    from .ops import registry as R

    if isinstance(v, Layer):
        rule = R.lookup_layer(v.kind)
        if v.kind in _COMPOSITE and rule is not None:
            child = getattr(rule, "child", None)
            out: list = []
            for name, typ in _COMPOSITE[v.kind]:
                sub = child(v, name) if child is not None else None
                out.append((name, _Typed(typ, sub) if isinstance(sub, Layer) else typ))
            return out
        if v.kind in ("torch.nn.TransformerEncoder", "torch.nn.TransformerDecoder"):
            layer, n, norm = v.config.get("layer"), v.config.get("num_layers"), v.config.get("norm")
            out = [("layers", ("ModuleList", [layer] * n if isinstance(n, int) and layer is not None else None))]
            if isinstance(norm, Layer):
                out.append(("norm", norm))
            elif norm is None:
                out.append(("norm", None))
            return out
        kids = _children(v)
        if kids is not None:
            return kids
        if v.kind in _CONTAINERS or v.config.get("layers", 0) is None:
            return [("?", None)]  # a container whose contents the checker cannot see
        # a torch layer whose weights name modules of its own (``Transformer``: ``encoder.layers.0...``)
        weights = rule.weights(v) if rule is not None else None
        heads: list = []
        for key in weights or {}:
            if "." in key and key.split(".", 1)[0] not in heads:
                heads.append(key.split(".", 1)[0])
        return [(h, "?") for h in heads]
    if isinstance(v, Obj):
        out = []
        if v.base is not None:
            base = _module_children(v.base)
            out.extend(base)
        seen = {id(a) for _, a in out}
        assigned = _init_assignments(v.cls)
        for name, a in v.attrs.items():
            if id(a) in seen:
                continue
            if isinstance(a, (Layer, Obj)) and (not isinstance(a, Layer) or framework_of(a.kind) is Framework.TORCH):
                out.append((name, a))
            elif isinstance(a, OneOf) and any(isinstance(o, (Layer, Obj)) for o in a.options):
                out.append((name, a))
            elif a is UNKNOWN and assigned.get(name) == "module":
                out.append((name, None))  # ``self.x = something(...)`` the checker could not build
        if "__unknown_children__" in v.attrs:
            out.append(("?", None))
        return out
    return []


# what the syntax of a class says (read once per class of the analysis)
_ASSIGNMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BUFFERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _init_assignments(cls: Any) -> dict:
    """attribute -> "module" where ``__init__`` (of the class or a base in the file) assigns
    ``self.<attribute>`` a call that may build a module (not ``int(...)``, ``len(...)``...),
    "parameter" where it assigns an ``nn.Parameter(...)``."""
    import libcst as cst

    from .analysis.objects import FuncInfo

    cache = _ASSIGNMENTS.get(cls)
    if cache is not None:
        return cache
    out: dict = {}
    plain = {"int", "float", "str", "bool", "len", "max", "min", "sum", "round", "abs", "tuple", "list", "dict",
             "set", "range", "sorted", "getattr", "isinstance", "math.sqrt", "math.ceil", "math.floor", "math.prod"}

    class Visit(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for t in node.targets:
                tgt = t.target
                if isinstance(tgt, cst.Attribute) and isinstance(tgt.value, cst.Name) and tgt.value.value == "self":
                    val = node.value
                    callee = cst.Module([]).code_for_node(val.func) if isinstance(val, cst.Call) else None
                    if callee is not None and callee.rsplit(".", 1)[-1] == "Parameter":
                        out.setdefault(tgt.attr.value, "parameter")
                    elif callee is not None and callee not in plain and not callee.startswith(("torch.", "np.")):
                        out.setdefault(tgt.attr.value, "module")

    seen = 0
    todo = [cls]
    while todo and seen < 16:
        c = todo.pop()
        seen += 1
        init = c.methods.get("__init__")
        if isinstance(init, FuncInfo):
            init.node.visit(Visit())
        todo.extend(b.info for b in c.bases if hasattr(b, "info"))
    _ASSIGNMENTS[cls] = out
    return out


def _buffer_names(cls: Any) -> set:
    """Names the class (or a base in the file) registers with ``self.register_buffer("name", ...)``."""
    import libcst as cst

    from .analysis.syntax import string_value

    cache = _BUFFERS.get(cls)
    if cache is not None:
        return cache
    out: set = set()

    class Visit(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            f = node.func
            if isinstance(f, cst.Attribute) and f.attr.value == "register_buffer" and node.args:
                first = next((a for a in node.args if a.keyword is None or a.keyword.value == "name"), None)
                s = string_value(first.value) if first is not None else None
                if isinstance(s, str):
                    out.add(s)

    todo, seen = [cls], 0
    while todo and seen < 16:
        c = todo.pop()
        seen += 1
        c.node.visit(Visit())
        todo.extend(b.info for b in c.bases if hasattr(b, "info"))
    _BUFFERS[cls] = out
    return out


def _own_tensors(v: Value) -> list:
    """(name, Tensor, "parameter" | "buffer") a module of the file holds itself."""
    if not isinstance(v, Obj):
        return []
    buffers = _buffer_names(v.cls)
    assigned = _init_assignments(v.cls)
    out: list = []
    for name, a in v.attrs.items():
        if isinstance(a, Tensor) and a.role == PARAMETER:
            out.append((name, a, "parameter"))
        elif isinstance(a, Tensor) and name in buffers:
            out.append((name, a, "buffer"))
        elif a is UNKNOWN and assigned.get(name) == "parameter":
            out.append((name, None, "parameter"))  # ``nn.Parameter(...)`` of a size the checker cannot tell
    return out


def _kernel(v: Any) -> Any:
    """What torchinfo shows of ``module.kernel_size``: a list, or an int where the module keeps
    an int (a pooling layer given one number); None where the module has none."""
    from .values import Int, as_dim

    if isinstance(v, Obj):
        if v.base is not None:
            got = _kernel(v.base)
            if got is not None:
                return got
        k = v.attrs.get("kernel_size")
        if isinstance(k, Int):
            return k.dim
        if isinstance(k, Seq):
            dims = [as_dim(x) for x in k.items]
            return None if any(d is None for d in dims) else dims
        return None
    if not isinstance(v, Layer) or "kernel_size" not in v.config:
        return None
    k = v.config["kernel_size"]
    if not isinstance(k, (tuple, list)):
        return k
    dims = list(k)
    if "Pool" in v.kind and _int_argument(v.config.get("_repr"), "kernel_size"):
        return dims[0]
    return dims


def _int_argument(text: Any, keyword: str) -> bool:
    """Whether a layer's first argument (or ``keyword=``) was one number, not a tuple."""
    import libcst as cst

    if not isinstance(text, str):
        return False
    try:
        call = cst.parse_expression(f"f({text})")
    except cst.ParserSyntaxError:
        return False
    assert isinstance(call, cst.Call)
    arg = next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)
    if arg is None:
        arg = call.args[0] if call.args and call.args[0].keyword is None else None
    return arg is not None and not isinstance(arg.value, (cst.Tuple, cst.List))


@dataclass
class _Typed:
    """A layer a torch layer registers under a class of its own (``out_proj``: a Linear the rule
    builds, torch's ``NonDynamicallyQuantizableLinear``)."""

    type: str
    layer: Layer


def _module_row(v: Any, name: str, path: str, depth: int) -> Row:
    """The row of a module and, under it, its parameters, buffers and child modules."""
    if isinstance(v, _Typed):
        row = _module_row(v.layer, name, path, depth)
        row.type = v.type
        return row
    if isinstance(v, tuple):  # a container a torch layer registers (TransformerEncoder.layers)
        typ, items = v
        row = Row(name, typ, None, None, path=path, depth=depth)
        if items is None:
            row.children = [_module_row(None, "?", _join(path, "?"), depth + 1)]
        else:
            row.children = [_module_row(x, str(i), _join(path, str(i)), depth + 1) for i, x in enumerate(items)]
        _count(row, None)
        return row
    if not isinstance(v, (Layer, Obj, OneOf, str)):
        v = None  # (an item of a container the checker cannot see: ``nn.Sequential(*blocks)`` of unknown blocks)
    if isinstance(v, str) or v is None:  # a torch class a layer registers, or a module we cannot see
        row = Row(name, v if isinstance(v, str) else "?", None, 0 if v == "Dropout" else None, path=path, depth=depth)
        row.own_params = row.params
        row.trainable_params = row.params
        return row
    row = Row(name, _type_name(v), None, None, path=path, depth=depth, module=v, kernel=_kernel(v))
    if isinstance(v, OneOf):
        counts = {_opt_count(o) for o in v.options}
        row.params = counts.pop() if len(counts) == 1 else None
        row.own_params = row.trainable_params = row.params
        return row
    if depth > _MAX_DEPTH:
        return row
    kids: list = []
    for pname, t, kind in _own_tensors(v):
        shape = t.shape if t is not None else None
        n = (shape.numel() if shape is not None else None) if kind == "parameter" else 0
        kids.append(Row(pname, "Parameter" if kind == "parameter" else "Buffer", shape, n, path=_join(path, pname),
                        depth=depth + 1, kind=kind, trainable_params=n, own_params=n,
                        kernel=_param_kernel(pname, shape) if kind == "parameter" and shape is not None else None))
    for cname, child in _module_children(v):
        kids.append(_module_row(child, cname, _join(path, cname), depth + 1))
    row.children = kids
    row.leaf = not any(k.kind == "module" for k in kids)
    _count(row, v)
    return row


def _param_kernel(name: str, s: Shape) -> Any:
    """torchinfo's kernel column of a parameter: its shape, a ``weight``'s first two sizes swapped."""
    if s.variadic:
        return None
    dims = list(s.dims)
    if name == "weight" and len(dims) > 1:
        dims[0], dims[1] = dims[1], dims[0]
    return dims


def _opt_count(o: Any) -> Any:
    if not isinstance(o, (Layer, Obj)):
        return 0
    return _torch_params(o)[0]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _count(row: Row, v: Any) -> None:
    """A row's parameters (everything under it) and its own (not in a child module's row)."""
    from .modules import _plain_module

    def total(rows: list) -> Any:
        out: Any = 0
        for r in rows:
            if r.params is None:
                return None
            out = D.add(out, r.params)
        return out

    mods = [r for r in row.children if r.kind == "module"]
    own_tensors = total([r for r in row.children if r.kind == "parameter"])
    below = total(mods)
    if isinstance(v, Layer) and (v.kind in _COMPOSITE or v.kind.endswith(("TransformerEncoder", "TransformerDecoder"))
                                 or not mods):
        count, params = _torch_params(v)  # the layer's rule knows all its weights
        row.params = count
        row.own_params = None if count is None or below is None else D.sub(count, below)
    elif isinstance(v, Layer) or v is None:  # a container: what its children hold
        row.params = below
        row.own_params = 0
    else:
        assert isinstance(v, Obj)
        base_own: Any = 0
        if v.base is not None and not _module_children(v.base) and v.base.kind not in _CONTAINERS:
            base_own = _torch_params(v.base)[0]
        unknown = "__unknown_children__" in v.attrs or (v.base is None and not _plain_module(v.cls)) or any(
            isinstance(a, Seq) and any(isinstance(x, (Layer, Obj)) for x in a.items) for a in v.attrs.values())
        parts = [own_tensors, base_own, below]
        row.own_params = None if unknown or own_tensors is None or base_own is None else D.add(own_tensors, base_own)
        row.params = None if unknown or any(p is None for p in parts) else D.add(D.add(own_tensors, base_own), below)
    row.trainable_params = row.params
    if v is not None and not isinstance(v, tuple):
        _, params = _torch_params(v)
        row.weights = [(n, s, True, "torch", _owner_kind(v, n)) for n, s in params]


def _walk(row: Row) -> Iterator[Row]:
    yield row
    for c in row.children:
        yield from _walk(c)


def _number_rows(root: Row) -> list:
    """Every row under ``root``, depth first; modules numbered per depth as torchinfo's depth-idx."""
    counters: dict = {}
    out = []
    for r in _walk(root):
        if r is root:
            continue
        out.append(r)
        if r.kind == "module":
            counters[r.depth] = counters.get(r.depth, 0) + 1
            r.index = counters[r.depth]
    return out


# ------------------------------------------------------------------------------------------ torch: tracing
def _first_tensor(v: Any) -> Optional[Tensor]:
    """The tensor torchinfo sizes a value by (``nested_list_size``): a tuple's first item, a dict's last."""
    from .values import Dict

    for _ in range(16):
        if isinstance(v, Tensor):
            return v
        if isinstance(v, Seq) and v.items:
            v = v.items[0]
        elif isinstance(v, Dict) and v.items:
            v = list(v.items.values())[-1]
        else:
            return None
    return None


def _elem_bytes(t: Tensor) -> int:
    return {"int": 8, "bool": 1}.get(t.dtype or "float", 4)


def _known(s: Optional[Shape]) -> bool:
    return s is not None and not s.variadic and not any(D.is_opaque(d) or D.has_flexible(d) for d in s.dims)


def _prod(dims: Any) -> Any:
    out: Any = 1
    for d in dims:
        out = D.mul(out, d)
    return out


def _macs(row: Row, out: Any) -> Any:
    """torchinfo's ``LayerInfo.calculate_macs`` for one call of a leaf module: per parameter named
    ``weight``/``bias``, its size times the output's batch and spatial sizes (a "Conv" class) or
    its first size (others); per other parameter whose name holds "weight"/"bias" (an RNN's
    ``weight_ih_l0``), its size times the output's first two sizes."""
    from .modules import named_parameters

    params = named_parameters(row.module) if isinstance(row.module, (Layer, Obj)) else None
    if params is None:
        return None
    t = _first_tensor(out)
    shape = t.shape if t is not None else None
    total: Any = 0
    for name, s in params.items():
        name = name.rsplit(".", 1)[-1] if isinstance(row.module, Layer) else name
        if not ("weight" in name or "bias" in name):
            continue
        n = s.numel()
        if n is None or shape is None or shape.variadic or shape.rank == 0:
            return None
        dims = list(shape.dims)
        if name in ("weight", "bias"):
            used = (dims[:1] + dims[2:]) if "Conv" in row.type else dims[:1]
        else:
            used = dims[:2]
        if any(D.is_opaque(d) or D.has_flexible(d) for d in used):
            return None  # (only the sizes torchinfo multiplies by need be known)
        total = D.add(total, D.mul(n, _prod(used)))
    return total


_INTERNAL = tuple(_COMPOSITE) + ("torch.nn.TransformerEncoder", "torch.nn.TransformerDecoder", "torch.nn.Transformer")


def _apply_trace(m: ModelSummary, root: Row, rec: Optional[CallRecord], inputs: list) -> None:
    """Shapes, calls and torchinfo's totals of a model from its traced forward pass (``rec``; None:
    no input was given, or the pass could not run)."""
    rows = [root] + m.rows
    parent: dict = {}
    for r in rows:
        for c in r.children:
            parent[id(c)] = r
    calls = _match_calls(root, rec) if rec is not None else {}
    m.traced = rec is not None
    for r in rows:  # (parents before their children)
        if r.kind != "module":
            continue
        if rec is None:
            r.calls = None
            continue
        up = parent.get(id(r))
        inside = up is not None and isinstance(up.module, Layer) and up.module.kind in _INTERNAL
        if inside and up is not None and (up.module.kind, r.name) in _NEVER_CALLED:
            r.calls = 0
        elif inside and up is not None:
            # a torch layer applies it inside its own forward: how often, on what, the analysis does not see
            r.calls = 0 if up.calls == 0 else None
        elif r.module is None or isinstance(r.module, OneOf):
            r.calls = None
        else:
            got = calls.get(id(r), [])
            r.calls = len(got)
            if got:
                first = got[0]
                r.input = _shape_of(first.args[0]) if first.args else None
                r.output = _shape_of(first.output)
    # mult-adds: the leaves' over their calls; a module with children: its leaves' sum
    for r in reversed(rows):
        if r.kind != "module":
            r.mult_adds = 0
        elif not r.leaf:
            total: Any = 0
            for c in r.children:
                if c.kind == "module":
                    total = None if total is None or c.mult_adds is None else D.add(total, c.mult_adds)
            r.mult_adds = total
        elif r.calls is None:
            r.mult_adds = None
        else:
            total = 0
            for c in calls.get(id(r), []):
                got = _macs(r, c.output)
                total = None if total is None or got is None else D.add(total, got)
            r.mult_adds = total
    if rec is None:
        return
    m.input_bytes = _input_bytes(inputs)
    m.mult_adds = root.mult_adds
    # torchinfo's memory: the leaves with parameters keep their outputs for the backward pass (x2);
    # the parameter bytes of the leaves the pass ran (once each, as float32)
    out_bytes: Any = 0
    param_bytes: Any = 0
    for r in rows:
        if r.kind != "module" or not r.leaf or r.calls == 0:
            continue
        if r.calls is None or r.params is None:
            out_bytes = param_bytes = None
            break
        if param_bytes is not None:
            param_bytes = D.add(param_bytes, D.mul(4, r.params))
        if D.as_int(r.params) == 0 or out_bytes is None:
            continue
        for c in calls.get(id(r), []):
            t = _first_tensor(c.output)
            n = t.shape.numel() if t is not None and _known(t.shape) else None
            if t is None or n is None:
                out_bytes = None
                break
            out_bytes = D.add(out_bytes, D.mul(2 * _elem_bytes(t), n))
    m.output_bytes, m.param_bytes = out_bytes, param_bytes


def _match_calls(root: Row, rec: CallRecord) -> dict:
    """id(row) -> the calls of its module, in order. A call belongs to the row of its module under
    the row of the call it was made in: the analysis may hold one object where torch has two (a
    helper returning ``nn.Conv2d(c, c, 3)`` for the same arguments twice gives one value), so a
    module is told apart by where it sits, and its calls under one parent go to its rows in turn."""
    out: dict = {id(root): [rec]}
    under: dict = {}

    def index(row: Row) -> dict:
        got = under.get(id(row))
        if got is None:
            got = under[id(row)] = {}
            for r in _walk(row):
                if r is not row and r.kind == "module" and isinstance(r.module, (Layer, Obj)):
                    got.setdefault(id(r.module), []).append(r)
        return got

    def assign(call: CallRecord, row: Row) -> None:
        turns: dict = {}
        todo = list(call.children)
        while todo:
            c = todo.pop(0)
            rows = index(row).get(id(c.module))
            if not rows:  # a module that is not the model's (built in forward): what it calls, in its place
                todo[:0] = c.children
                continue
            k = turns[id(c.module)] = turns.get(id(c.module), -1) + 1
            target = rows[k % len(rows)]
            out.setdefault(id(target), []).append(c)
            assign(c, target)

    assign(rec, root)
    return out


def _input_bytes(inputs: list) -> Any:
    """torchinfo's "Input size": ``sys.getsizeof`` of each input's storage (its bytes and the
    storage object's own)."""
    total: Any = 0
    for t in inputs:
        if not isinstance(t, Tensor) or t.shape.numel() is None:
            return None
        total = D.add(total, D.add(D.mul(_elem_bytes(t), t.shape.numel()), STORAGE_OBJECT_BYTES))
    return total


def _model_inputs(run: _Run, model: Value, inputs: Optional[list]) -> tuple:
    """(input tensors, where they came from) for a model's forward pass: ``inputs`` (given on the
    command line), the file's own first call of the model, or ``forward``'s jaxtyping annotations."""
    if inputs:
        return list(inputs), "--input-shape"
    rec = run.file_calls.get(id(model))
    if rec is not None:
        return list(rec.args), f"the file's call at line {run.line_of(rec.node)}" if rec.node is not None else \
            "the file's own call"
    got = _annotated_inputs(run, model)
    if got:
        return got, "forward's annotations"
    return [], ""


def _annotated_inputs(run: _Run, model: Value) -> list:
    """Tensors from jaxtyping annotations of ``forward``'s parameters (``Float[Tensor, "b 3 32 32"]``)."""
    from .analysis.objects import FuncInfo

    if not isinstance(model, Obj):
        return []
    fn = model.cls.lookup("forward")
    if not isinstance(fn, FuncInfo):
        return []
    params = list(fn.params.posonly_params) + list(fn.params.params)
    out = []
    for p in params[1:]:
        if p.default is not None:
            break
        if p.annotation is None:
            return []
        try:
            v = run.analysis.sources.annotation_value(p.annotation.annotation, p.name.value)
        except Exception:  # noqa: BLE001
            return []
        if not isinstance(v, Tensor) or v.shape.variadic:
            return []
        out.append(Tensor(v.shape, "torch", v.dtype))
    return out


def _torch_summary(run: _Run, model: Value, name: str, path: str, line: int,
                   inputs: Optional[list]) -> ModelSummary:
    root = _module_row(model, name, "", 0)
    root.name = name
    rows = _number_rows(root)
    total = root.params
    m = ModelSummary(name, "torch", path, line, rows, total, 0 if total is not None else None, root=root)
    args, source = _model_inputs(run, model, inputs)
    rec = run.trace(model, args) if args else None
    m.inputs, m.input_source, m.trace = args, source, rec
    m.trace_findings = list(run.trace_findings) if rec is not None else []
    _apply_trace(m, root, rec, args)
    return m


def _class_summary(run: _Run, cls: Any, line: int, inputs: Optional[list]) -> Optional[ModelSummary]:
    """A torch class of the file: the instance the file's module code calls, else one built as
    ``Class(required, ...)`` with the constructor's defaults (required sizes symbolic) -- or, where
    that leaves its count unknown, one the file's code built with sizes --, else one the analysis
    built."""
    import libcst as cst

    result = run.result
    inst: Any = next((r.module for r in run.file_calls.values() if isinstance(r.module, Obj)
                      and r.module.cls is cls), None)
    built_by, assumed = "", []
    if inst is None:
        got = run.build(cls, {})
        if isinstance(got, Obj) and got.cls is cls:
            inst = got
            built_by, assumed = _built_text(cls)
    if inst is None:
        inst = next((o for o in result.instances if o.cls is cls and o.node is cls.node), None) or next(
            (o for o in result.instances if o.cls is cls), None)
    if inst is None:
        return None
    m = _torch_summary(run, inst, cls.name, run.path, line, inputs)
    m.var, m.built_by, m.assumed = cls.name, built_by, assumed
    if m.total is None and built_by:
        # its sizes as symbols leave counts unknown (``nn.LayerNorm(d)``: d may be a tuple): one the
        # file's code built with sizes, where there is one, says more -- and says where it was built
        other = next((o for o in result.instances if o.cls is cls and o is not inst and isinstance(o.node, cst.Call)
                      and run.has(o.node) and _torch_params(o)[0] is not None and D.as_int(_torch_params(o)[0])
                      is not None), None)
        if other is not None:
            m = _torch_summary(run, other, cls.name, run.path, line, inputs)
            m.var, m.built_by = cls.name, f"the call at line {run.line_of(other.node)}"
            m.assumed = _assumed_defaults(run, other, None)
    return m


def _built_text(cls: Any) -> tuple:
    """(``Block(c)``, [``Block(norm_layer=None -> nn.BatchNorm2d)``]) for a class built with its defaults."""
    from .analysis.objects import FuncInfo

    init = cls.lookup("__init__")
    if not isinstance(init, FuncInfo):
        return f"{cls.name}()", []
    required, defaults = _split_params(init)
    assumed = _defaults_text(cls.name, init, defaults)
    return f"{cls.name}({', '.join(required)})", assumed


def _split_params(fn: Any) -> tuple:
    """(names of the parameters without a default, parameters with one) of a function (``self`` aside)."""
    params = list(fn.params.posonly_params) + list(fn.params.params)
    if fn.cls is not None and params and not _is_static(fn.node):
        params = params[1:]
    params += list(fn.params.kwonly_params)
    return [p.name.value for p in params if p.default is None], [p for p in params if p.default is not None]


def _defaults_text(owner: str, fn: Any, params: list) -> list:
    """``Owner(a=1, norm=None -> nn.BatchNorm2d)``: the defaults taken, and what an
    ``if norm is None: norm = X`` in the body makes of them."""
    import libcst as cst

    if not params:
        return []
    code = cst.Module([]).code_for_node
    chosen = _none_defaults(fn.node)
    parts = []
    for p in params:
        text = f"{p.name.value}={code(p.default)}"
        if p.name.value in chosen and isinstance(p.default, cst.Name) and p.default.value == "None":
            text += f" -> {chosen[p.name.value]}"
        parts.append(text)
    return [f"{owner}({', '.join(parts)})"]


def _none_defaults(fn: Any) -> dict:
    """name -> the code it is given by ``if name is None: name = <code>`` in a function's body."""
    import libcst as cst

    code = cst.Module([]).code_for_node
    out: dict = {}

    class Visit(cst.CSTVisitor):
        def visit_If(self, node: cst.If) -> None:
            t = node.test
            if not (isinstance(t, cst.Comparison) and isinstance(t.left, cst.Name) and len(t.comparisons) == 1
                    and isinstance(t.comparisons[0].operator, cst.Is)):
                return
            right = t.comparisons[0].comparator
            if not (isinstance(right, cst.Name) and right.value == "None"):
                return
            name = t.left.value
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
            for stmt in body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                                small.targets[0].target, cst.Name) and small.targets[0].target.value == name:
                            out.setdefault(name, code(small.value))

    fn.visit(Visit())
    return out


def _assumed_defaults(run: _Run, model: Value, call: Optional[str]) -> list:
    """The defaults a model was built with: those of the function ``call`` (``resnet18()``) calls,
    and its class's constructor's that the construction leaves to them."""
    import libcst as cst

    from .analysis.objects import FuncInfo

    out: list = []
    name = parse_model_spec(call)[0] if call is not None else ""
    expr = cst.parse_expression(call) if call is not None else None
    given_kw = {a.keyword.value for a in expr.args if a.keyword is not None} if isinstance(expr, cst.Call) else set()
    n_pos = sum(1 for a in expr.args if a.keyword is None and not a.star) if isinstance(expr, cst.Call) else 0
    defn = next((s for s in run.module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))
                 and s.name.value == name), None) if call is not None else None
    if isinstance(defn, cst.FunctionDef):
        params = list(defn.params.posonly_params) + list(defn.params.params)
        left = [p for i, p in enumerate(params) if p.default is not None and i >= n_pos
                and p.name.value not in given_kw]
        left += [p for p in defn.params.kwonly_params if p.default is not None and p.name.value not in given_kw]
        out += _defaults_text(name, _Fn(defn), left)
    if isinstance(model, Obj):
        init = model.cls.lookup("__init__")
        node = model.node
        if isinstance(init, FuncInfo) and isinstance(node, cst.Call) and not any(a.star == "*" for a in node.args):
            kws = {a.keyword.value for a in node.args if a.keyword is not None}
            if any(a.star == "**" for a in node.args):
                kws |= given_kw  # (the builder's ``**kwargs``: what the call gave)
            npos = sum(1 for a in node.args if a.keyword is None and not a.star)
            params = list(init.params.posonly_params) + list(init.params.params)
            if params and not _is_static(init.node):
                params = params[1:]
            left = [p for i, p in enumerate(params) if p.default is not None and i >= npos
                    and p.name.value not in kws]
            left += [p for p in init.params.kwonly_params if p.default is not None and p.name.value not in kws]
            out += _defaults_text(model.cls.name, init, left)
    return out


@dataclass
class _Fn:
    """A function's node where a ``FuncInfo`` is asked for (its ``node``)."""

    node: Any


def _owner_kind(module: Value, pname: str) -> str:
    from .plugins.torch_module import role_of

    return role_of(module, pname).rsplit(".", 1)[0]


def _shape_of(v: Any) -> Any:
    if isinstance(v, Tensor):
        return v.shape
    if isinstance(v, Seq) and v.items and all(isinstance(x, Tensor) for x in v.items):
        return [x.shape for x in v.items]
    if isinstance(v, Seq) and v.items and isinstance(_first_tensor(v), Tensor):
        return [_shape_of(x) for x in v.items]
    return None


# ------------------------------------------------------------------------------------------ keras
def _keras_summary(model: Layer, names: dict, path: str, line: int, history: Any = None,
                   depth: int = 1) -> ModelSummary:
    """A Sequential or functional Keras model's layers as rows (at ``depth``); a model used as one
    of its layers has its own layers as that row's ``children`` (``summary(expand_nested=True)``).
    ``history``: the analysis's Keras call history (``AnalysisState.keras_history``), where the
    functional model's layer calls are read (its ``trace``)."""
    from .ops import registry as R

    rule = R.lookup_layer(model.kind)
    subs = rule.sublayers(model) if rule is not None else None
    rows = []
    tr: Any = 0 if subs is not None else None  # layers not all known: no count, never a wrong one
    nt: Any = tr
    for sub in subs or []:
        if not isinstance(sub, Layer):
            rows.append(Row("?", type(sub).__name__, None, None, depth=depth))
            tr = nt = None
            continue
        srule = R.lookup_layer(sub.kind)
        inner = None  # a model used as a layer: its own summary (its rows, and the sum of their counts)
        if srule is not None and _is_keras_model(sub) and sub is not model and depth < _MAX_NESTING:
            inner = _keras_summary(sub, names, path, line, history, depth + 1)
        counts = _keras_params(srule, sub) if inner is None else (
            None if inner.trainable is None else (inner.trainable, inner.non_trainable))
        out = sub.config.get("_output_tensor")
        wl = srule.weight_list(sub) if srule is not None else None
        name = names.get(id(sub)) or names.get(("tensor", id(out))) or snake_case(keras_type(sub))
        row = Row(name, keras_type(sub), _shape_of(out), None if counts is None else D.add(counts[0], counts[1]),
                  [(n, s, t, "keras", sub.kind) for n, s, t in (wl or [])], depth=depth, module=sub,
                  children=inner.rows if inner is not None else [])
        rows.append(row)
        if counts is None or tr is None:
            tr = nt = None
        else:
            tr, nt = D.add(tr, counts[0]), D.add(nt, counts[1])
    m = ModelSummary(names.get(id(model), snake_case(keras_type(model))), "keras", path, line, rows, tr, nt)
    if subs is not None:
        m.trace = _keras_trace(model, rule, rows, history)
    return m


def _keras_trace(model: Layer, rule: Any, rows: list, history: Any) -> Optional[CallRecord]:
    """A Keras model's layer calls as a trace: a functional model's from the Keras history (each
    layer call on the tensors it was given, producers first; an InputLayer row makes its input), a
    Sequential's as the chain it is (each layer on the one before's output, as the rows have it).
    None where the calls are not all known."""
    if model.config.get("functional"):
        return _functional_trace(model, rows, history) if history is not None else None
    if keras_type(model) != "Sequential" or any(r.module is None for r in rows):
        return None
    shapes = rule.model_inputs(model) if rule is not None else None
    x: Any = Tensor(shapes[0], "keras") if shapes else None
    root = CallRecord(model, [x] if x is not None else [], seq=0)
    for i, r in enumerate(rows):  # (a layer whose output is unknown still feeds the next: "?")
        out = Tensor(r.output if isinstance(r.output, Shape) else Shape.unknown(), "keras")
        root.children.append(CallRecord(r.module, [x] if x is not None else [], out, seq=i + 1))
        x = out
    root.output = x
    return root


def _functional_trace(model: Layer, rows: list, history: Any) -> Optional[CallRecord]:
    ins = model.config.get("inputs") or []
    outs = model.config.get("outputs") or []
    root = CallRecord(model, list(ins), model.config.get("_output_tensor"), seq=0)
    input_ids = {id(t) for t in ins}
    for r in rows:
        t = r.module.config.get("_output_tensor") if isinstance(r.module, Layer) else None
        if isinstance(r.module, Layer) and r.module.kind.endswith("InputLayer") and id(t) in input_ids:
            root.children.append(CallRecord(r.module, [], t, seq=len(root.children) + 1))
    order: list = []  # node keys, producers first
    nodes: dict = {}  # (id(layer), id(args)) -> [layer, tensor args, {index: output}]

    def visit(t: Tensor, depth: int) -> bool:
        if id(t) in input_ids:
            return True
        h = history.get(t)
        if h is None or depth > 400:
            return False
        lay, args, kwargs, idx = h
        key = (id(lay), id(args))
        got = nodes.get(key)
        if got is not None:
            got[2][idx] = t
            return True
        flat = [x for a in list(args) + list(kwargs.values()) for x in (a.items if isinstance(a, Seq) else [a])
                if isinstance(x, Tensor)]
        nodes[key] = [lay, flat, {idx: t}]
        if not all(visit(x, depth + 1) for x in flat):
            return False
        order.append(key)
        return True

    for o in outs:
        if not isinstance(o, Tensor) or not visit(o, 0):
            return None
    for key in order:
        lay, flat, made = nodes[key]
        out: Any = made[None] if None in made else Seq([made[i] for i in sorted(made)], "list")
        root.children.append(CallRecord(lay, flat, out, seq=len(root.children) + 1))
    return root


_MAX_NESTING = 16  # models inside models, as deep as a summary follows them


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
                            None if counts is None else D.add(*counts), module=sub))
            continue
        counts = _keras_params(R.lookup_layer(sub.kind), sub)
        out = trace.get(id(sub))
        if out is None:
            out = sub.config.get("_output_tensor")
        rule = R.lookup_layer(sub.kind)
        wl = rule.weight_list(sub) if rule is not None else None
        rows.append(Row(names.get(id(sub)) or snake_case(keras_type(sub)), keras_type(sub), _shape_of(out),
                        None if counts is None else D.add(counts[0], counts[1]),
                        [(n, sh, t, "keras", sub.kind) for n, sh, t in (wl or [])], module=sub))
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
def _fmt_number(n: Any, known: Callable[[int], str], symbolic: Callable[[Any], str]) -> str:
    """``?`` for None, ``known(i)`` for an integer, ``symbolic(expr)`` for a formula."""
    if n is None:
        return "?"
    i = D.as_int(n)
    return known(i) if i is not None else symbolic(_pretty(n))


def fmt_count(n: Any) -> str:
    return _fmt_number(n, lambda i: f"{i:,}", str)


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


def _row_lines(name: str, shape: str, params: str, prefix: str = "") -> list:
    """One table row, its name and shape wrapped in their columns; ``prefix`` leads the name
    (a nested layer's ``   └ ``; the name's other lines are indented as far)."""
    a = _wrap(name, _W_NAME - 1 - len(prefix))
    a = [(prefix if i == 0 else " " * len(prefix)) + x for i, x in enumerate(a)]
    b = _wrap(shape, _W_SHAPE - 1, ", ")
    c = [params]  # a count is never split; a long formula runs past the column
    out = []
    for i in range(max(len(a), len(b), len(c))):
        cells = [x[i] if i < len(x) else "" for x in (a, b, c)]
        out.append((f" {cells[0]:<{_W_NAME}}{cells[1]:<{_W_SHAPE}}{cells[2]:>{_W_PARAMS}}").rstrip())
    return out


def _keras_text(m: ModelSummary, weights: bool, expand_nested: bool = False) -> str:
    """A Keras model as Keras prints it (``Model: "sequential"``, the Layer (type) / Output Shape /
    Param # table, the Total / Trainable / Non-trainable lines), in plain ASCII, after the line
    that defines it (``path:line: keras model``). With ``expand_nested``, a model used as a layer
    has its layers under it, as ``summary(expand_nested=True)`` prints them (``   └ dense``)."""
    keras = True
    lines = [f"{m.path}:{m.line}: {m.framework} model", f'Model: "{m.name}"', "_" * _RULE,
             _row_lines("Layer (type)", "Output Shape", "Param #")[0], "=" * _RULE]

    def add(r: Row, level: int) -> None:
        prefix = "   " * level + "└ " if level else ""
        lines.extend(_row_lines(f"{r.name} ({r.type})", fmt_shape(r.output, keras), fmt_count(r.params), prefix))
        if weights:
            lines.extend(_weight_lines(r, "     " + "   " * level))
        if expand_nested:
            for c in r.children:
                add(c, level + 1)

    for r in m.rows:
        add(r, 0)
    lines.append("=" * _RULE)
    lines.append(f" Total params: {_text_count(total_expr(m))}")
    lines.append(f" Trainable params: {_text_count(total_expr(m, 'trainable'))}")
    lines.append(f" Non-trainable params: {fmt_count(m.non_trainable)}")
    lines.append("_" * _RULE)
    return "\n".join(lines)


def _weight_lines(r: Row, indent: str) -> list:
    out = []
    for wn, ws, trainable, fw, kind in r.weights:
        other = other_layout(kind, wn.rsplit(".", 1)[-1], ws, fw)
        note = f" — {other}" if other else ""
        frozen = "" if trainable else " (non-trainable)"
        out.append(f"{indent}{wn} {fmt_shape(ws, False)}{frozen}{note}")
    return out


def render_text(models: list, weights: bool = False, depth: int = 3, columns: Optional[list] = None,
                ascii_only: bool = False, expand_nested: bool = False) -> str:
    """Each model: a Keras model as ``model.summary(expand_nested=expand_nested)`` prints it, a
    torch model as torchinfo's ``summary(model, input_size, depth=depth, col_names=columns)`` does."""
    if not models:
        return "No models found."
    return "\n\n".join(_torch_text(m, weights, depth, columns, ascii_only) if m.framework == "torch"
                        else _keras_text(m, weights, expand_nested) for m in models)


# torchinfo's columns (``col_names``), their titles, and its widths
COLUMNS = {"input_size": "Input Shape", "output_size": "Output Shape", "num_params": "Param #",
           "kernel_size": "Kernel Shape", "mult_adds": "Mult-Adds", "trainable": "Trainable"}
_COL_WIDTH, _NAME_WIDTH = 25, 40


def default_columns(m: ModelSummary) -> list:
    """torchinfo's defaults: output size and parameters with an input, parameters alone without."""
    return ["output_size", "num_params"] if m.inputs else ["num_params"]


def _torch_text(m: ModelSummary, weights: bool, depth: int, columns: Optional[list], ascii_only: bool) -> str:
    root = m.root
    assert root is not None
    cols = list(columns) if columns else default_columns(m)
    shown = [root] + [r for r in m.rows if r.depth <= depth]

    def label(r: Row) -> str:
        if r is root:
            return root.type if m.name == root.type else f"{m.name} ({root.type})"
        if r.kind != "module":
            return f"{r.name} ({r.type})"
        return f"{r.name} ({r.type}): {r.depth}-{r.index}"

    width = _NAME_WIDTH
    longest = max(len(label(r)) + r.depth * 5 + 1 for r in shown)
    if longest >= width:
        width = -(-longest // 5) * 5
    total_width = len(cols) * _COL_WIDTH + width

    def line(name: str, cells: list) -> str:
        text = f"{name:<{width}} " + "".join(f"{c:<{_COL_WIDTH}} " for c in cells)
        return text.rstrip()

    def start(d: int) -> str:
        if d == 0:
            return ""
        if d == 1:
            return "+ " if ascii_only else "├─"
        return ("|    " if ascii_only else "│    ") * (d - 1) + ("+ " if ascii_only else "└─")

    rule = "=" * total_width
    built = "" if not m.built_by else f" as built by {m.built_by}" if m.built_by.startswith("the call") else \
        f" = {m.built_by}"
    head = f'{m.path}:{m.line}: torch model "{m.name}"{built}'
    lines = [head]
    if m.inputs:
        lines.append(f"Input: {', '.join(_torch_shape(t.shape) + _dtype_note(t) for t in m.inputs)} "
                     f"({m.input_source})" + ("" if m.traced else "; the forward pass could not be traced"))
    for a in m.assumed:
        lines.append(f"Defaults assumed: {a}")
    lines += [rule, line("Layer (var_name (type):depth-idx)", [COLUMNS[c] for c in cols]), rule]
    for r in shown:
        at_max = r.depth == depth
        lines.append(line(start(r.depth) + label(r), [_cell(m, r, c, at_max) for c in cols]))
        if weights and r.kind == "module" and (r.leaf or at_max):
            lines += _weight_lines(r, " " * (r.depth * 5 + 3))
    lines.append(rule)
    lines.append(f"Total params: {_text_count(total_expr(m))}")
    lines.append(f"Trainable params: {_text_count(total_expr(m, 'trainable'))}")
    lines.append(f"Non-trainable params: {fmt_count(m.non_trainable)}")
    if m.inputs:
        lines.append(f"Total mult-adds{_macs_total(m.mult_adds)}")
        lines.append(rule)
        lines.append(f"Input size (MB): {_mb(m.input_bytes)}")
        lines.append(f"Forward/backward pass size (MB): {_mb(m.output_bytes)}")
        lines.append(f"Params size (MB): {_mb(m.param_bytes)}")
        lines.append(f"Estimated Total Size (MB): {_mb(m.total_bytes)}")
    lines.append(rule)
    return "\n".join(lines)


def _dtype_note(t: Tensor) -> str:
    return {"int": " int64", "bool": " bool"}.get(t.dtype or "", "")


def _torch_shape(s: Any) -> str:
    """torchinfo's ``[1, 64, 112, 112]``; a tuple output: its first tensor's, as torchinfo sizes it."""
    while isinstance(s, list):
        if not s:
            return "?"
        s = s[0]
    if s is None or s.variadic:
        return "?"
    return "[" + ", ".join("?" if D.is_opaque(d) else D.fmt(d) for d in s.dims) + "]"


def _cell(m: ModelSummary, r: Row, col: str, at_max: bool) -> str:
    if col in ("input_size", "output_size"):
        if r.kind != "module":
            return _torch_shape(r.output) if col == "output_size" else "--"
        if r.calls == 0:
            return "--"  # never called in the forward pass (torchinfo has no size for it)
        return _torch_shape(r.input if col == "input_size" else r.output)
    if col == "num_params":
        if r.kind == "buffer":
            return "--"
        n = r.params if r.leaf or at_max or r.kind != "module" else r.own_params
        if n is None:
            return "?"
        if D.as_int(n) == 0:
            return "--"
        return fmt_count(n) if r.trainable_params is None or D.as_int(r.trainable_params) != 0 else f"({fmt_count(n)})"
    if col == "kernel_size":
        k = r.kernel
        if k is None:
            return "--"
        if isinstance(k, list):
            return "[" + ", ".join(D.fmt(d) for d in k) + "]"
        return D.fmt(k)
    if col == "mult_adds":
        if r.kind != "module" or not (r.leaf or at_max):
            return "--"
        if r.mult_adds is None:
            return "?"
        return "--" if D.as_int(r.mult_adds) == 0 else fmt_count(r.mult_adds)
    if col == "trainable":
        if r.params is None or r.trainable_params is None:
            return "?"
        if D.as_int(r.params) == 0:
            return "--"
        if D.as_int(r.trainable_params) == 0:
            return "False"
        return "True" if D.sub(r.params, r.trainable_params) == 0 else "Partial"
    return ""


def _macs_total(n: Any) -> str:
    """torchinfo's ``Total mult-adds (G): 1.81`` (``ModelStatistics.format_output_num``)."""
    if n is None:
        return ": ?"
    i = D.as_int(n)
    if i is None:
        return f": {_pretty(n)}"
    unit, x = ("T", i / 1e12) if i >= 1e12 else ("G", i / 1e9) if i >= 1e9 else ("M", i / 1e6)
    return f" ({unit}): {int(x):,d}" if float(x).is_integer() else f" ({unit}): {x:,.2f}"


def _mb(n: Any) -> str:  # (a formula: the bytes, exactly, over 1e6; a float formula reads worse)
    return _fmt_number(n, lambda i: f"{i / 1e6:0.2f}", lambda e: f"({e})/1e6")


def total_expr(m: ModelSummary, which: str = "total") -> Any:
    """A symbolic total as the sum of its rows' factored counts (``vocab*embed + 4*hidden*(...)``)
    where the rows account for every parameter; else the count itself."""
    n = getattr(m, which)
    if n is None or D.as_int(n) is not None or which == "non_trainable":
        return n
    import sympy

    parts = [r.params for r in (m.top() if m.framework == "torch" else m.rows) if r.params != 0]
    if not parts or any(p is None or D.as_int(p) is not None for p in parts):
        return n  # (rows with plain numbers: one expanded formula reads better than a sum of pieces)
    if sympy.expand(sympy.Add(*parts) - n) != 0:
        return n
    counted: dict = {}  # equal rows' counts once, times how many (``2*c*(9*c + 1)``), in row order
    for p in parts:
        key = _pretty(p)
        counted[key] = counted.get(key, 0) + 1
    terms = [key if k == 1 else _times(k, key) for key, k in counted.items()]
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def _times(k: int, e: Any) -> Any:
    """``k*e`` as written (``2*c*(9*c + 1)``, ``8*hidden*(...)``), not multiplied out."""
    import sympy

    coeff, rest = e.as_coeff_Mul() if isinstance(e, sympy.Mul) else (1, e)
    factors = rest.args if isinstance(rest, sympy.Mul) else (rest,)
    return sympy.Mul(k * coeff, *factors, evaluate=False)


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


def _json_row(r: Row, weights: bool, depth: Optional[int]) -> dict:
    row = {"name": r.name, "type": r.type, "output_shape": _json_shape(r.output), "params": _json_count(r.params)}
    if weights:
        row["weights"] = [{"name": wn, "shape": _json_shape(ws), "trainable": t,
                           "other_layout": other_layout(kind, wn.rsplit(".", 1)[-1], ws, fw)}
                          for wn, ws, t, fw, kind in r.weights]
    if r.path:  # a torch row: where it is, what the forward pass made of it, and its rows
        row.update({"path": r.path, "kind": r.kind, "depth": r.depth, "index": r.index if r.kind == "module" else None,
                    "input_shape": _json_shape(r.input), "kernel_size": _json_kernel(r.kernel),
                    "own_params": _json_count(r.own_params), "trainable_params": _json_count(r.trainable_params),
                    "mult_adds": _json_count(r.mult_adds), "calls": r.calls, "leaf": r.leaf,
                    "children": [_json_row(c, weights, depth) for c in r.children
                                 if depth is None or c.depth <= depth]})
    elif r.children:  # a Keras model used as a layer: its own layers
        row.update({"depth": r.depth, "children": [_json_row(c, weights, depth) for c in r.children]})
    return row


def _json_kernel(k: Any) -> Any:
    if k is None:
        return None
    if isinstance(k, list):
        return [_json_dim(d) for d in k]
    return _json_dim(k)


def _json_mb(n: Any) -> Any:
    if n is None:
        return None
    i = D.as_int(n)
    return round(i / 1e6, 2) if i is not None else _mb(n)


def to_json(models: list, weights: bool = False, depth: Optional[int] = None) -> dict:
    """``{"models": [...]}``, one per model, as RULES.md's contract has it: ``layers`` are a Keras
    model's layers, a torch model's child modules (each with its ``children``, down to ``depth``);
    and ``{"statistics": [...]}``, one per model in the same order: torchinfo's totals (the inputs
    the forward pass was traced on, mult-adds, memory in MB) and how the model was built."""
    out = []
    stats = []
    for m in models:
        layers = [_json_row(r, weights, depth) for r in (m.top() if m.framework == "torch" else m.rows)]
        out.append({"name": m.name, "framework": m.framework, "path": m.path, "line": m.line, "layers": layers,
                    "total_params": _json_total(total_expr(m)),
                    "trainable_params": _json_total(total_expr(m, "trainable")),
                    "non_trainable_params": _json_count(m.non_trainable)})
        stat: dict = {"name": m.name, "path": m.path, "line": m.line, "framework": m.framework}
        if m.framework == "torch":
            stat.update({"type": m.root.type if m.root is not None else None,
                         "inputs": [_json_shape(t.shape) for t in m.inputs], "input_source": m.input_source or None,
                         "traced": m.traced, "output_shape": _json_shape(m.root.output) if m.root else None,
                         "built_by": m.built_by or None, "defaults_assumed": m.assumed,
                         "total_mult_adds": _json_count(m.mult_adds) if m.inputs else None,
                         "input_size_mb": _json_mb(m.input_bytes), "forward_backward_pass_size_mb":
                         _json_mb(m.output_bytes), "params_size_mb": _json_mb(m.param_bytes),
                         "estimated_total_size_mb": _json_mb(m.total_bytes)})
        stats.append(stat)
    return {"models": out, "statistics": stats}
