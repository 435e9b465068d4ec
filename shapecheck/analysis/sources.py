"""Shape sources: jaxtyping annotations, ``# x: (B, T)`` comments, generic parameters."""
from __future__ import annotations

import re
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from ..shapes import Shape
from ..values import UNKNOWN, ClassRef, Ext, Int, Obj, Param, Tensor, Value, result_fw
from .context import Part
from .frames import Frame
from .objects import FuncInfo, is_record_class
from .syntax import string_value

SHAPE_COMMENT = re.compile(r"#\s*([A-Za-z_]\w*)\s*:\s*[\(\[]([^)\]]*)[\)\]]")


def scoped_flexible(frame: Frame, name: str) -> Any:
    key = "__flex__" + name
    v = frame.env.get(key)
    if not isinstance(v, Int):  # absent, or lost in a branch merge
        v = frame.env[key] = Int(D.flexible(name))
    return v.dim


def jaxtyping_shape(spec: str) -> Optional[Shape]:
    """``"batch 784"`` -> ``(batch, 784)``; ``"*b n"`` / ``"... n"`` -> ``(*, n)``."""
    out: list = []
    variadic = False
    for tok in spec.split():
        tok = tok.lstrip("#")
        if tok.startswith("*") or tok == "...":
            if variadic or out:
                if tok.startswith("*") and not out:
                    pass
                else:
                    return None
            variadic = True
            continue
        if tok.startswith("_"):
            out.append(D.flexible(tok.lstrip("_") or "n"))
            continue
        if "=" in tok:
            tok = tok.split("=", 1)[1]
        if tok.isdigit():
            out.append(int(tok))
        elif re.fullmatch(r"[A-Za-z_]\w*", tok):
            out.append(D.rigid(tok))
        else:
            return None
    return Shape(tuple(out), variadic)


class Sources(Part):
    """Where shapes come from besides the code: annotations (jaxtyping, ``int``), ``# x: (B, T)``
    comments, and generic parameters of functions no call reached."""

    def generic_param(self, p: cst.Param) -> Value:
        name = p.name.value
        if p.annotation is not None:
            v = self.annotation_value(p.annotation.annotation, name)
            if v is not None:
                return v
        if p.default is not None:
            d = p.default
            if isinstance(d, cst.Integer) or (
                    isinstance(d, cst.UnaryOperation) and isinstance(d.expression, cst.Integer)):
                return Int(D.rigid(name))  # an int, of any value (the driver also runs the default)
            return UNKNOWN
        return Param(name)

    def annotation_value(self, ann: cst.BaseExpression, name: str) -> Optional[Value]:
        """A value from an annotation: jaxtyping ``Float[Tensor, "b t d"]``, ``int``, ``Tensor``."""
        if isinstance(ann, cst.Subscript):
            head = self.qualname_of(ann.value)
            if head and head.startswith("jaxtyping.") and len(ann.slice) == 2:
                arr = ann.slice[0].slice
                spec = ann.slice[1].slice
                if isinstance(arr, cst.Index) and isinstance(spec, cst.Index):
                    arr_q = self.qualname_of(arr.value) or ""
                    s = string_value(spec.value)
                    if s is not None:
                        shape = jaxtyping_shape(s)
                        if shape is None:
                            return None
                        fw = result_fw(arr_q)
                        kind = head.split(".")[-1]
                        dtype = "int" if kind in ("Int", "Int64", "Int32", "Integer", "UInt8", "Long") else (
                            "bool" if kind == "Bool" else "float")
                        return Tensor(shape, fw, dtype)
            return None
        q = self.qualname_of(ann)
        if q == "builtins.int" or (isinstance(ann, cst.Name) and ann.value == "int"):
            return Param(name)
        return self.record_setting(ann, name)

    def record_setting(self, ann: cst.BaseExpression, name: str) -> Optional[Value]:
        """A parameter annotated with a dataclass of the file (``config: GPTConfig``): an instance
        whose fields are the settings ``config.n_embd`` (not the defaults: the caller may pass any
        config), so that its properties and methods compute from them (``config.head_dim``)."""
        text = string_value(ann) if isinstance(ann, (cst.SimpleString, cst.ConcatenatedString)) else None
        key = text if text is not None else (ann.value if isinstance(ann, cst.Name) else None)
        ns = self.ctx.current.ns
        if key is None or key not in ns:
            return None
        cls = self.project.read_name(ns, key)
        if not isinstance(cls, ClassRef) or not cls.info.fields or not is_record_class(cls.info):
            return None
        obj = Obj(cls.info)
        for f in cls.info.fields:
            D.setting(f"{name}.{f}")
            obj.attrs[f] = Param(f"{name}.{f}")
        return obj

    def qualname_of(self, expr: cst.BaseExpression) -> Optional[str]:
        """The qualified name an expression denotes, from the global names (imports)."""
        if isinstance(expr, cst.Name):
            ns = self.ctx.current.ns
            v = self.project.read_name(ns, expr.value) if expr.value in ns else None
            if isinstance(v, Ext):
                return v.qualname
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualname_of(expr.value)
            return None if base is None else f"{base}.{expr.attr.value}"
        return None

    def shape_comments(self, stmt: cst.SimpleStatementLine, frame: Frame) -> None:
        """``# x: (B, T, C)`` above a statement declares the shape of ``x`` where it is unknown."""
        if frame.func is None or not stmt.leading_lines:
            return
        for line in stmt.leading_lines:
            c = line.comment
            if c is None:
                continue
            m = SHAPE_COMMENT.match(c.value)
            if not m:
                continue
            name, body = m.group(1), m.group(2)
            cur = frame.env.get(name)
            if cur is not None and not isinstance(cur, Param) and cur is not UNKNOWN:
                continue
            shape = self._comment_shape(body, frame)
            if shape is not None:
                frame.env[name] = Tensor(shape, "any")

    def _comment_shape(self, body: str, frame: Frame) -> Optional[Shape]:
        out: list = []
        variadic = False
        known = self._rigid_names(frame)
        for tok in [t.strip() for t in body.split(",") if t.strip()]:
            if tok in ("*", "...") or tok.startswith("*"):
                variadic = True
                continue
            if tok.isdigit():
                out.append(int(tok))
            elif re.fullmatch(r"[A-Za-z_]\w*", tok):
                out.append(D.rigid(tok) if tok in known else scoped_flexible(frame, tok))
            else:
                return None
        return Shape(tuple(out), variadic)

    def _rigid_names(self, frame: Frame) -> set:
        names = {k for k, v in frame.env.items() if isinstance(v, Param)}
        fn = frame.func
        if fn is not None and fn.cls is not None:
            init = fn.cls.lookup("__init__")
            if isinstance(init, FuncInfo):
                p = init.params
                names |= {x.name.value for x in list(p.params) + list(p.kwonly_params)}
        return names
