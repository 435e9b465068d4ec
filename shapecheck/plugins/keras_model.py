"""Keras semantics for ``keras.Model`` / ``keras.layers.Layer`` subclasses of the checked file.

Keras builds a layer before its first call (``build(input_shape)``); ``compile`` records the
loss on the model the subclass extends; ``fit`` / ``evaluate`` / ``train_on_batch`` /
``test_on_batch`` / ``predict`` / ``predict_on_batch`` go through the SAME training check as a
Sequential or functional model (``ops/keras/model.fit_check``), the data running through the
object's own ``call`` (an error there is the data's: SHP701 at the training call);
``add_weight(shape=...)`` gives a weight of that shape; ``keras.Input`` makes an InputLayer that
takes a name in construction order (summaries).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Optional

from .. import dims as D
from ..findings import ShapeError
from ..framework import Framework, framework_of
from ..ops import registry as R
from ..ops.keras import base as KL
from ..ops.keras import model as KM
from ..shapes import Shape
from ..values import NONE, UNKNOWN, Const, Int, Layer, Obj, Seq, Tensor, Value, as_dims
from .base import Plugin

CONFIG = "__config__"  # (analysis/frames.py) a layer's config, as one heap field
BUILT = "__built__"  # the input shape a subclass was built for (or True), set before its first call
_OBJECT_METHODS = frozenset({"compile", "add_weight", *KM.TRAINING_METHODS})


def _is_keras(obj: Value) -> bool:
    base = obj.cls.framework_base() if isinstance(obj, Obj) else None
    return base is not None and framework_of(base) is Framework.KERAS


_STANDALONE_KERAS = re.compile(r"^\s*(?:import\s+keras\b|from\s+keras(?:\.|\s))", re.M)


class KerasModelPlugin(Plugin):
    """``keras.Model`` and ``keras.layers.Layer`` subclasses."""

    layer_roots = ("keras.layers.Layer", "keras.Layer")

    @staticmethod
    def adjust_state(state: Any, source: str) -> None:
        """Code that imports standalone ``keras`` may run on Keras 2, whose legacy interface reads
        ``Conv2D(32, 3, 3)`` as a 3x3 kernel; ``tensorflow.keras`` never did (the stride)."""
        if _STANDALONE_KERAS.search(source):
            state.standalone_keras = True

    def attribute_hook(self, obj: Value, name: str) -> bool:
        """``model.fit`` on a subclass: a framework method that runs through the object's own call()."""
        return name in _OBJECT_METHODS and _is_keras(obj)

    def before_call(self, obj: Value, args: list, node: Any, frame: Any) -> None:
        """Keras calls ``build(input_shape)`` before the first call."""
        if not isinstance(obj, Obj) or not _is_keras(obj) or BUILT in obj.attrs or not args or not isinstance(
                args[0], Tensor):
            return
        from ..analysis.objects import FuncInfo

        build = obj.cls.lookup("build")
        self.flow.record(obj, BUILT)
        shape = args[0].shape.resolved(frame.bindings)
        # what it was built for, batch axis free (a later fit's message names it)
        obj.attrs[BUILT] = Const(Shape((KL.BATCH,) + shape.dims[1:]) if shape.dims and not shape.variadic else True)
        if isinstance(build, FuncInfo) and not args[0].shape.variadic:
            dims = [NONE if D.is_opaque(d) else Int(d) for d in args[0].shape.dims]
            self.calls.call_func(build, [Seq(dims, "tuple")], {}, bound=obj, node=node)

    def method_hook(self, obj: Value, name: str, args: list, kwargs: dict, node: Any, frame: Any,
                    arg_nodes: dict) -> Optional[Value]:
        if not isinstance(obj, Obj) or not _is_keras(obj):
            return None
        model = obj.base  # the keras.Model its super().__init__() built: it keeps loss and history
        if name == "compile" and isinstance(model, Layer):
            rule = R.lookup_layer(model.kind)
            if isinstance(rule, KM.KerasModel):
                self.flow.record(model, CONFIG)
                call = self.calls.make_call(args, kwargs, node, frame.bindings, fw="keras",
                                            qualname=f"{obj.cls.name}.compile")
                return self.calls.run_rule(lambda: rule.method_compile(model, call), node)
            return NONE
        if name == "add_weight":
            shape = kwargs.get("shape", args[0] if args and not isinstance(args[0], Const) else UNKNOWN)
            ds = as_dims(shape) if isinstance(shape, Seq) else None
            if ds is None or any(d is None for d in ds):
                return Tensor(Shape.unknown(), "keras", "float")
            return Tensor(Shape(tuple(ds)), "keras", "float", "keras.Variable")
        if name in KM.TRAINING_METHODS and isinstance(model, Layer):
            built = obj.attrs.get(BUILT)
            shown = [built.value] if isinstance(built, Const) and isinstance(built.value, Shape) else None
            call = self.calls.make_call(args, kwargs, node, frame.bindings, fw="keras",
                                        qualname=f"{obj.cls.name}.{name}")
            run = self.runner(obj, node, frame)
            return self.calls.run_rule(lambda: KM.fit_check(model, call, name, run, shown), node)
        return None

    def runner(self, obj: Obj, node: Any, frame: Any) -> Callable[[list], Value]:
        """Run a model object on data; the first finding its code reports becomes a ShapeError."""

        def run(xs: list) -> Value:
            arg = xs[0] if len(xs) == 1 else Seq(list(xs), "list")
            self.ctx.captures.append([])
            try:
                out = self.calls.call_value(obj, [arg], {}, node, frame, {})
            finally:
                got = self.ctx.captures.pop()
            for f in got:
                if f.only_in is not None:  # fails under one Keras version only: reported, the run goes on
                    self.ctx.report(f.kind, f.message, node, f.fix, only_in=f.only_in)
            hard = [f for f in got if f.only_in is None]
            if hard:
                raise ShapeError(hard[0].kind, hard[0].message, hard[0].fix)
            return out

        return run

    def after_function(self, qualname: str, out: Value, kwargs: dict, node: Any) -> None:
        """``keras.Input`` builds an InputLayer: it takes a name (input_layer, input_layer_1, ...) in order."""
        if framework_of(qualname) is Framework.KERAS and qualname.endswith(".Input") and isinstance(out, Tensor):
            name = kwargs.get("name")
            self.ctx.created.append(Layer("keras.layers.InputLayer", {
                "_output_tensor": out, "name": name.value if isinstance(name, Const) else None}, node))
