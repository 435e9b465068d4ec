"""Constant folding of small tensors: the values inside a 1-D tensor whose every element is known
(``torch.arange(d) * w_a + w_0``, ``.int().tolist()``), carried through the rules that make them.

The shape rules it wraps (constructors and operators of ``ops.tensor``) are imported first, so
the wrapping never depends on the order ``ops`` discovers its modules in."""
from __future__ import annotations

import math as _math
import struct as _struct
from typing import Optional

from .. import dims as D
from ..findings import ShapeError
from ..shapes import Shape
from ..values import FOLDING, MAX_VALUES, PURE_RULES, UNKNOWN, Const, Int, Seq, Tensor, Vals, Value
from .common import axis_of, unknown_like
from .registry import FUNCS, Call, shape_rule
from .tensor import attributes, constructors, operators  # noqa: F401  (registered before they are wrapped)

# ---------------------------------------------------------------------------------- values (constant folding)
# The numbers inside a small 1-D tensor whose every element is known (``torch.arange(d) * w_a + w_0``,
# ``torch.round(torch.log(x) / c)``, ``.int().tolist()``): sizes computed that way (torchvision's
# RegNet widths) come out exact. torch's float32 arithmetic is reproduced bit for bit (a Python float
# rounded to float32 after each + - * /: exact, the inputs being float32); ``log`` and ``pow`` may
# differ from a library in the last bits, so their results carry an error bound, and rounding such
# a value is only known away from its boundaries. Anything else: no values (never a guess).

_INT_LIMIT = 2 ** 53  # ints stay below this (float conversions exact, no int64 wrap-around)
_REL = {"f32": 2.0 ** -20, "f64": 2.0 ** -48}  # a generous bound on last-bit differences, relative
_TINY = {"f32": 2.0 ** -140, "f64": 2.0 ** -1060}  # and absolute (denormals)


def _f32(x: float) -> Optional[float]:
    """``x`` rounded to float32 (to nearest, ties to even, like a C cast), None if not finite."""
    if not _math.isfinite(x):
        return None
    try:
        return _struct.unpack("f", _struct.pack("f", x))[0]
    except (OverflowError, _struct.error):
        return None


def _fit(x: object, kind: str) -> Optional[float]:  # an int for kind "int" (float accepts it)
    """A Python number as an element of ``kind`` (a float32 rounded), None if it does not fit."""
    if isinstance(x, bool):
        return None
    if kind == "int":
        return x if isinstance(x, int) and abs(x) <= _INT_LIMIT else None
    if not isinstance(x, (int, float)) or (isinstance(x, int) and abs(x) > _INT_LIMIT):
        return None
    x = float(x)
    if kind == "f32":
        return _f32(x)
    return x if kind == "f64" and _math.isfinite(x) else None


def _bound(r: float, prop: float, kind: str, approx: bool) -> float:
    """The error bound of a result ``r``: what the inputs' bounds propagate, plus a last bit."""
    if prop == 0 and not approx:
        return 0.0
    return prop * (1 + 2.0 ** -20) + abs(r) * _REL[kind] + _TINY[kind]


def values_of(v: Value) -> Optional[Vals]:
    return v.values if isinstance(v, Tensor) else None


def with_values(out: Value, items: list, kind: str, errs: Optional[list] = None) -> Optional[Tensor]:
    """``out`` (a rule's 1-D result) carrying ``items``, if its length agrees; else None."""
    if not isinstance(out, Tensor) or out.shape.variadic or out.shape.rank != 1 or len(items) > MAX_VALUES:
        return None
    if D.as_int(out.shape.dims[0]) != len(items) or any(x is None for x in items):
        return None
    if kind in ("f32", "f64") and not FOLDING["torch_float"] and out.fw == "torch":
        return None
    err = tuple(errs) if errs is not None and any(errs) else None
    return Tensor(out.shape, out.fw, out.dtype, out.role, Vals(tuple(items), kind, err))


def _scalar(v: Value) -> Optional[tuple]:
    """A Python number operand: (kind, value); ``pyint`` or ``pyfloat``."""
    if isinstance(v, Int):
        n = D.as_int(v.dim)
        return None if n is None else ("pyint", n)
    if isinstance(v, Const) and not isinstance(v.value, bool) and isinstance(v.value, (int, float)):
        return ("pyint" if isinstance(v.value, int) else "pyfloat", v.value)
    return None


def _operands(call: Call, a: Value, b: Value) -> Optional[tuple]:
    """Both operands of a binary op as (kind, items, errs, fw); a scalar repeats to the tensor's length."""
    va, vb = values_of(a), values_of(b)
    if va is None and vb is None:
        return None
    fws = {t.fw for t in (a, b) if isinstance(t, Tensor)}
    if len(fws) != 1 or fws & {"any", "tf"}:
        return None
    n = len((va or vb).items)  # type: ignore[union-attr]
    out = []
    for v, vals in ((a, va), (b, vb)):
        if vals is not None:
            if len(vals.items) != n or vals.kind == "bool":
                return None
            out.append((vals.kind, vals.items, vals.err or (0.0,) * n))
            continue
        s = _scalar(v)
        if s is None:
            return None
        out.append((s[0], (s[1],) * n, (0.0,) * n))
    return out[0], out[1], fws.pop()


def _result_kind(fw: str, ka: str, kb: str, op: str) -> Optional[str]:
    """torch's / NumPy's result dtype for a tensor with a Python number or another tensor."""
    fl = "f32" if fw == "torch" else "f64"
    tensors = {k for k in (ka, kb) if k in ("int", "f32", "f64")}
    if "f64" in tensors:
        kind = "f64"
    elif "f32" in tensors:
        kind = "f32"
    else:
        kind = fl if "pyfloat" in (ka, kb) else "int"
    return fl if kind == "int" and op == "truediv" else kind


def _binary(op: str, kind: str, a: object, ea: float, b: object, eb: float) -> Optional[tuple]:
    """One element of ``a op b`` in ``kind``'s arithmetic, with its error bound."""
    if kind == "int":
        if not isinstance(a, int) or not isinstance(b, int):
            return None
        if op in ("floordiv", "mod") and b == 0:
            return None
        if op == "pow" and (b < 0 or b > 64):
            return None
        fn = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "floordiv": lambda: a // b,
              "mod": lambda: a % b, "pow": lambda: a ** b}.get(op)
        got = _fit(fn(), "int") if fn is not None else None
        return None if got is None else (got, 0.0)
    x, y = _fit(a, kind), _fit(b, kind)
    if x is None or y is None:
        return None
    approx = False
    if op == "add":
        r, prop = x + y, ea + eb
    elif op == "sub":
        r, prop = x - y, ea + eb
    elif op == "mul":
        r, prop = x * y, abs(x) * eb + abs(y) * ea + ea * eb
    elif op == "truediv":
        if abs(y) <= eb or y == 0:
            return None
        r, prop = x / y, (abs(x) * eb + abs(y) * ea) / (abs(y) * (abs(y) - eb))
    elif op == "pow":  # a positive base: monotone in both arguments, the corners bound it
        if x - ea <= 0:
            return None
        if ea == eb == 0 and float(y).is_integer() and 0 <= y <= 64:
            # a library pow is within one last bit, so a result float32/64 holds exactly comes out exactly
            from fractions import Fraction

            q = Fraction(x) ** int(y)
            if q.denominator.bit_length() < 1100 and _fit(float(q), kind) == q:
                return float(q), 0.0
        try:
            r = x ** y
            corners = [(x + sa * ea) ** (y + sb * eb) for sa in (-1, 1) for sb in (-1, 1)]
        except (OverflowError, ZeroDivisionError):
            return None
        prop, approx = max(abs(c - r) for c in corners), True
    else:
        return None
    got = _fit(r, kind)
    if got is None or not _math.isfinite(prop):
        return None
    return got, _bound(got, prop, kind, approx)


def fold_binary(call: Call, out: Value, a: Value, b: Value, op: str) -> Optional[Value]:
    ops = _operands(call, a, b)
    if ops is None:
        return None
    (ka, xa, ea), (kb, xb, eb), fw = ops
    kind = _result_kind(fw, ka, kb, op)
    if kind is None:
        return None
    items, errs = [], []
    for x, ex, y, ey in zip(xa, ea, xb, eb):
        got = _binary(op, kind, x, ex, y, ey)
        if got is None:
            return None
        items.append(got[0])
        errs.append(got[1])
    return with_values(out, items, kind, errs)


def _round_half_even(x: float, e: float) -> Optional[float]:
    """``torch.round`` / ``np.round`` of a value known to within ``e``."""
    if e:
        h = _math.floor(x) + 0.5  # the only rounding boundary within 0.5 of x
        if e >= 0.25 or abs(x - h) <= e:
            return None
    return _math.copysign(float(round(x)), x)  # round(-0.4) is -0.0


def _trunc(x: float, e: float) -> Optional[int]:
    """A float cast to an integer dtype (towards zero), for a value known to within ``e``."""
    if e:
        k = round(x)
        if e >= 0.25 or abs(x - k) <= e:
            return None
    return _math.trunc(x)


def fold_unary(call: Call, out: Value, t: Value, name: str) -> Optional[Value]:
    """log, sqrt, round, neg/abs and the dtype casts of a tensor with values."""
    vals = values_of(t)
    if vals is None or vals.kind == "bool" or not isinstance(t, Tensor):
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    fl = "f32" if t.fw == "torch" else "f64"
    if name in ("int", "long"):
        if vals.kind == "int":
            lim = 2 ** 31 if name == "int" else _INT_LIMIT
            return t if all(abs(x) < lim for x in vals.items) else None  # a no-op cast may be the tensor itself
        ints = [_trunc(x, e) for x, e in zip(vals.items, errs)]
        if any(i is None for i in ints) or (name == "int" and any(abs(i) >= 2 ** 31 for i in ints)):  # type: ignore[arg-type]
            return None
        return with_values(out, ints, "int")
    if name in ("float", "double"):
        want = "f32" if name == "float" else "f64"
        if vals.kind == want:
            return t
        items = [_fit(x, want) for x in vals.items]
        return with_values(out, items, want, [_bound(r or 0.0, e, want, False) if e else 0.0
                                             for r, e in zip(items, errs)])
    kind = fl if vals.kind == "int" and name in ("log", "sqrt") else vals.kind
    items, new = [], []
    for x, e in zip(vals.items, errs):
        if name == "round":
            r = x if vals.kind == "int" else _round_half_even(x, e)
            ne = 0.0
        elif name in ("neg", "negative"):
            r, ne = -x, e
        elif name in ("abs", "absolute"):
            r, ne = abs(x), e
        elif name == "log":
            x = _fit(x, kind)
            if x is None or x - e <= 0:
                return None
            r = _math.log(x)
            ne = _bound(r, e / (x - e), kind, True)
        elif name == "sqrt":  # correctly rounded (IEEE): exact where the input is
            x = _fit(x, kind)
            if x is None or x - e < 0:
                return None
            r = _math.sqrt(x)
            ne = _bound(r, _math.sqrt(x + e) - _math.sqrt(x - e) if e else 0.0, kind, False)
        else:
            return None
        r = _fit(r, kind) if r is not None else None
        if r is None:
            return None
        items.append(r)
        new.append(ne)
    return with_values(out, items, kind, new)


def fold_tolist(t: Value) -> Optional[Value]:
    """``.tolist()``: sizes (Int) for ints, floats and bools as constants; a value known only
    approximately is unknown."""
    vals = values_of(t)
    if vals is None:
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    out: list = []
    for x, e in zip(vals.items, errs):
        if e:
            out.append(UNKNOWN)
        elif vals.kind == "int":
            out.append(Int(x))
        else:
            out.append(Const(bool(x) if vals.kind == "bool" else float(x)))
    return Seq(out, "list")


def _dtype_name(call: Call) -> Optional[str]:
    """The last part of a ``dtype=`` keyword (``float32``, ``int64``), "" if absent, None if not known."""
    if not call.has(None, "dtype"):
        return ""
    dt = call.get(None, "dtype")
    if isinstance(dt, Const) and isinstance(dt.value, str):
        return dt.value
    q = getattr(dt, "qualname", None)
    return q.rsplit(".", 1)[-1] if isinstance(q, str) else None


_DTYPES = {"float32": "f32", "float": "f32?", "float64": "f64", "double": "f64", "int64": "int", "long": "int",
           "int32": "int32", "int": "int?", "bool": "bool"}


def _literal_kind(call: Call, items: list, fw: str) -> Optional[str]:
    """The element kind of ``torch.tensor([...])`` / ``np.array([...])`` of Python numbers."""
    name = _dtype_name(call)
    if name is None:
        return None
    if any(isinstance(x, bool) for x in items):
        if not all(isinstance(x, bool) for x in items) or name not in ("", "bool"):
            return None
        return "bool"
    floats = any(isinstance(x, float) for x in items)
    if name == "":
        return ("f32" if fw == "torch" else "f64") if floats else "int"
    kind = _DTYPES.get(name)
    if kind == "f32?":  # torch.float is float32; NumPy's dtype=float is float64
        kind = "f32" if fw == "torch" else "f64"
    elif kind == "int?":  # torch.int is int32; NumPy's dtype=int is int64
        kind = "int32" if fw == "torch" else "int"
    if kind is None or kind == "bool" or (kind == "f32" and fw != "torch"):
        return None
    if kind in ("int", "int32"):
        if floats or (kind == "int32" and any(abs(x) >= 2 ** 31 for x in items)):
            return None
        return "int"
    return kind


def fold_literal(call: Call, out: Value, data: Value) -> Optional[Value]:
    if not isinstance(data, Seq) or data.kind == "set" or not isinstance(out, Tensor):
        return None
    nums = []
    for x in data.items:
        if isinstance(x, Const) and isinstance(x.value, bool):
            nums.append(x.value)
            continue
        s = _scalar(x)
        if s is None:
            return None
        nums.append(s[1])
    kind = _literal_kind(call, nums, out.fw)
    if kind is None:
        return None
    return with_values(out, [x if kind == "bool" else _fit(x, kind) for x in nums], kind)


def fold_arange(call: Call, out: Value) -> Optional[Value]:
    if len(call.args) > 3 or set(call.kwargs) - {"dtype"}:
        return None
    if call.has(None, "dtype") and _DTYPES.get(_dtype_name(call) or "?") != "int":
        return None
    ints = []
    for v in call.args:
        s = _scalar(v)
        if s is None or s[0] != "pyint":
            return None
        ints.append(s[1])
    if not ints or (len(ints) == 3 and ints[2] == 0):
        return None
    r = range(*ints)
    if len(r) > MAX_VALUES:
        return None
    return with_values(out, list(r), "int")


def fold_np_linspace(call: Call, out: Value) -> Optional[Value]:
    """NumPy's own algorithm in float64: ``start + i * step``, the last element ``stop`` exactly."""
    if set(call.kwargs) - {"num", "endpoint"} or len(call.args) > 4:
        return None
    s0, s1 = _scalar(call.get(0, "start")), _scalar(call.get(1, "stop"))
    n = call.int(2, "num", 50) if call.has(2, "num") else 50
    endpoint = call.bool(3, "endpoint", True) if call.has(3, "endpoint") else True
    if s0 is None or s1 is None or n is None or endpoint is None or not 0 <= n <= MAX_VALUES:
        return None
    start, stop = float(s0[1]), float(s1[1])
    div = n - 1 if endpoint else n
    delta = stop - start
    if div > 0:
        step = delta / div
        ys = [i / div * delta if step == 0 else i * step for i in map(float, range(n))]
    else:
        ys = [i * delta for i in map(float, range(n))]
    ys = [y + start for y in ys]
    if endpoint and n > 1:
        ys[-1] = stop
    if not all(_math.isfinite(y) for y in ys):
        return None
    return with_values(out, ys, "f64")


def fold_diff(call: Call, out: Value) -> Optional[Value]:
    t = call.get(0)
    vals = values_of(t)
    if vals is None or vals.kind == "bool" or call.kwargs or len(call.args) > 1:
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    items, new = [], []
    for i in range(len(vals.items) - 1):
        got = _binary("sub", vals.kind, vals.items[i + 1], errs[i + 1], vals.items[i], errs[i])
        if got is None:
            return None
        items.append(got[0])
        new.append(got[1])
    return with_values(out, items, vals.kind, new)


@shape_rule("torch.diff", "torch.Tensor.diff", "numpy.diff")
def diff(call: Call) -> Value:
    """``diff(x, n=1, dim=-1)``: that axis ``n`` shorter (``prepend``/``append`` not modelled)."""
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    if set(call.kwargs) - {"n", "dim", "axis"} or len(call.args) > 3:
        return unknown_like(t)
    n = call.int(1, "n", 1)
    d = call.int(2, "axis" if t.fw == "numpy" else "dim", -1)
    s = call.shape(t)
    if n is None or d is None or n < 0 or s.variadic:
        return unknown_like(t)
    if not s.dims:
        raise ShapeError("axis-out-of-range", "diff of a 0-D tensor: it needs at least one dimension")
    k = axis_of(call, d, len(s.dims), f"diff along dim {d} of {s}")
    size = D.as_int(s.dims[k])
    new = max(size - n, 0) if size is not None else D.sub(s.dims[k], n)
    if size is None and n:
        return unknown_like(t)  # the size may be smaller than n (then 0)
    dims = list(s.dims)
    dims[k] = new
    return Tensor(Shape(tuple(dims)), t.fw, t.dtype)


@shape_rule("builtins.set", "builtins.frozenset")
def builtin_set(call: Call) -> Value:
    """A set of known numbers and strings: only its size and members are used (``len(set(widths))``);
    it is never iterated in an order."""
    if not call.args:
        return Seq([], "set")
    s = call.get(0)
    if not isinstance(s, Seq) or s.kind == "set":
        return UNKNOWN
    seen: dict = {}
    for x in s.items:
        key = D.as_int(x.dim) if isinstance(x, Int) else (x.value if isinstance(x, Const) else None)
        if key is None or not isinstance(key, (int, float, str, bool)):
            return UNKNOWN
        seen.setdefault(key, x)  # 1 == 1.0 == True: one member, as in Python
    return Seq(list(seen.values()), "set")


def _fold_rule(names: tuple, folder) -> None:
    """Wrap the shape rules of ``names`` so a result whose operands carry values carries its own."""
    for n in names:
        base = FUNCS.get(n)
        if base is None:
            continue

        def rule(call: Call, base=base, n=n) -> Value:
            out = base(call)
            if "out" in call.kwargs or not isinstance(out, (Tensor, Seq)):
                return out
            got = folder(call, out, n)
            return out if got is None else got
        FUNCS[n] = rule
        PURE_RULES.add(rule)


_BIN_NAMES = {
    "add": ("operator.add", "torch.add", "torch.Tensor.add", "numpy.add"),
    "sub": ("operator.sub", "torch.sub", "torch.subtract", "torch.Tensor.sub", "torch.Tensor.subtract",
            "numpy.subtract"),
    "mul": ("operator.mul", "torch.mul", "torch.multiply", "torch.Tensor.mul", "torch.Tensor.multiply",
            "numpy.multiply"),
    "truediv": ("operator.truediv", "torch.div", "torch.divide", "torch.true_divide", "torch.Tensor.div",
                "torch.Tensor.divide", "numpy.divide", "numpy.true_divide"),
    "floordiv": ("operator.floordiv", "numpy.floor_divide"),
    "mod": ("operator.mod",),
    "pow": ("operator.pow", "torch.pow", "torch.Tensor.pow", "numpy.power"),
}
for _op, _names in _BIN_NAMES.items():
    _fold_rule(_names, lambda call, out, n, op=_op: None if call.kwargs or len(call.args) != 2 else
               fold_binary(call, out, call.args[0], call.args[1], op))

for _un in ("log", "sqrt", "round", "neg", "negative", "abs", "absolute"):
    _fold_rule(tuple(f"{ns}.{_un}" for ns in ("torch", "torch.Tensor", "numpy")),
               lambda call, out, n, name=_un: None if call.kwargs or len(call.args) != 1 else
               fold_unary(call, out, call.args[0], name))
for _cast in ("int", "long", "float", "double"):
    _fold_rule((f"torch.Tensor.{_cast}",), lambda call, out, n, name=_cast: None if call.kwargs or len(call.args) != 1
               else fold_unary(call, out, call.args[0], name))
_fold_rule(("torch.Tensor.tolist", "numpy.ndarray.tolist"),
           lambda call, out, n: None if call.kwargs or len(call.args) != 1 else fold_tolist(call.args[0]))
_fold_rule(("torch.tensor", "numpy.array"), lambda call, out, n: None if set(call.kwargs) - {"dtype"} or len(
    call.args) != 1 else fold_literal(call, out, call.args[0]))
_fold_rule(("torch.arange", "numpy.arange"), lambda call, out, n: fold_arange(call, out))
_fold_rule(("numpy.linspace",), lambda call, out, n: fold_np_linspace(call, out))
_fold_rule(("torch.diff", "torch.Tensor.diff", "numpy.diff"), lambda call, out, n: fold_diff(call, out))
