"""Mutation operators: realistic shape bugs planted in real model code, one change per mutant.

Each operator looks at one LibCST node and, when it applies, returns the node that replaces it.
``mutants(source)`` lists every candidate of every operator in a file (in source order), each
able to produce the mutated file text. Pure LibCST: nothing here imports torch.

The operators (the "constructs" of the report):

  linear_swap        nn.Linear(a, b)            -> nn.Linear(b, a)
  linear_in_scale    nn.Linear(a, b)            -> nn.Linear(2 * a, b)
  linear_in_plus_one nn.Linear(a, b)            -> nn.Linear(a + 1, b)
  conv_in_scale      nn.Conv2d(a, b, 3)         -> nn.Conv2d(2 * a, b, 3)   (any *conv* constructor)
  conv_out_scale     nn.Conv2d(a, b, 3)         -> nn.Conv2d(a, 2 * b, 3)
  dim_shift          torch.cat(xs, dim=1)       -> torch.cat(xs, dim=2)     (cat/stack/softmax/mean/sum/flatten)
  einops_swap        rearrange(x, 'b c h w -> b (h w) c') -> 'b c h w -> b c (h w)'
  einsum_swap        einsum('bhid,bhjd->bhij')  -> einsum('bhid,bhjd->bhji')
  floordiv_scale     a // p                     -> a // (2 * p)
  pow2_drop          n ** 2                     -> n
  transpose_drop     k.transpose(-2, -1), w.T, w.t(), torch.transpose(x, a, b) -> k, w, w, x
  transpose_add      q @ k, torch.matmul(q, k)  -> q @ k.transpose(-2, -1)
  reshape_size       x.reshape(B, N, C)         -> x.reshape(B, N, 2 * C)  (reshape/view: the last size not -1)
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

OPERATORS: tuple[str, ...] = (
    "linear_swap", "linear_in_scale", "linear_in_plus_one", "conv_in_scale", "conv_out_scale", "dim_shift",
    "einops_swap", "einsum_swap", "floordiv_scale", "pow2_drop", "transpose_drop", "transpose_add", "reshape_size",
)

# callees whose first positional arguments are tensors, not sizes
FUNCTIONAL = ("F.", "torch.", "nn.functional.", "torch.nn.functional.", "functional.", "self.", "np.", "numpy.")
CONV_IN = ("in_channels", "in_chs", "in_planes", "in_ch", "in_dim", "inp", "inplanes")
CONV_OUT = ("out_channels", "out_chs", "out_planes", "out_ch", "out_dim", "oup", "planes")
DIM_FUNCS = {"cat", "concat", "concatenate", "stack", "softmax", "log_softmax", "mean", "sum", "flatten",
             "Softmax", "LogSoftmax", "Flatten"}
DIM_KEYWORDS = ("dim", "start_dim")
EINOPS_FUNCS = {"rearrange", "reduce", "repeat"}
EINOPS_LAYERS = {"Rearrange", "Reduce", "Repeat"}
ATOMIC = (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call, cst.Subscript, cst.SimpleString)


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _atom(node: cst.BaseExpression) -> str:
    """The node's code, in parentheses unless it is an atom (a name, a call, a number ...)."""
    text = _code(node)
    if isinstance(node, ATOMIC) or (node.lpar and node.rpar):
        return text
    return f"({text})"


def _callee(call: cst.Call) -> str:
    return get_full_name_for_node(call.func) or ""


def _arg(call: cst.Call, position: int, keywords: Sequence[str]) -> Optional[int]:
    """The index in ``call.args`` of the argument at ``position`` or passed by one of ``keywords``."""
    positional = 0
    for i, a in enumerate(call.args):
        if a.keyword is not None:
            if a.keyword.value in keywords:
                return i
            continue
        if a.star:
            return None  # *args: positions after it are unknown
        if positional == position:
            return i
        positional += 1
    return None


def _with_arg(call: cst.Call, index: int, value: cst.BaseExpression) -> cst.Call:
    args = list(call.args)
    args[index] = args[index].with_changes(value=value)
    return call.with_changes(args=args)


def _scaled(node: cst.BaseExpression) -> cst.BaseExpression:
    return _expr(f"2 * {_atom(node)}")


def _int_literal(node: cst.BaseExpression) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, cst.Integer):
        return -int(node.expression.value)
    return None


def _string(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString) and not any(c in node.prefix.lower() for c in "bf"):
        return str(node.evaluated_value)
    return None


TORCH_NAMESPACES = ("torch", "F", "nn.functional", "torch.nn.functional", "functional", "np", "numpy")


def _namespace(call: cst.Call) -> Optional[str]:
    """``torch`` for ``torch.cat(...)``, ``F`` for ``F.softmax(...)``; None for a method of a value."""
    if not isinstance(call.func, cst.Attribute):
        return None
    receiver = call.func.value
    while isinstance(receiver, cst.Attribute):
        receiver = receiver.value
    if not isinstance(receiver, cst.Name):
        return None  # a method of a call's result: F.softmax(x).mean(1)
    name = get_full_name_for_node(call.func.value)
    return name if name in TORCH_NAMESPACES else None


def _is_functional(name: str) -> bool:
    return name.startswith(FUNCTIONAL)


# ---- the operators: node -> replacement (or None) -------------------------------------------------

def _linear_args(node: cst.CSTNode) -> Optional[tuple[cst.Call, Optional[int], Optional[int]]]:
    if not isinstance(node, cst.Call) or _callee(node).rsplit(".", 1)[-1] != "Linear":
        return None
    return node, _arg(node, 0, ("in_features",)), _arg(node, 1, ("out_features",))


def linear_swap(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    found = _linear_args(node)
    if found is None or found[1] is None or found[2] is None:
        return None
    call, i, o = found
    assert i is not None and o is not None
    a, b = call.args[i].value, call.args[o].value
    if _code(a) == _code(b):
        return None
    return _with_arg(_with_arg(call, i, b), o, a)


def linear_in_scale(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    found = _linear_args(node)
    if found is None or found[1] is None:
        return None
    return _with_arg(found[0], found[1], _scaled(found[0].args[found[1]].value))


def linear_in_plus_one(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    found = _linear_args(node)
    if found is None or found[1] is None:
        return None
    return _with_arg(found[0], found[1], _expr(f"{_atom(found[0].args[found[1]].value)} + 1"))


def _conv_args(node: cst.CSTNode) -> Optional[tuple[cst.Call, Optional[int], Optional[int]]]:
    if not isinstance(node, cst.Call):
        return None
    name = _callee(node)
    last = name.rsplit(".", 1)[-1]
    if _is_functional(name) or not ("Conv" in last or re.match(r"(create_)?conv(\d|_bn|_block|_norm)", last)):
        return None
    return node, _arg(node, 0, CONV_IN), _arg(node, 1, CONV_OUT)


def conv_in_scale(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    found = _conv_args(node)
    if found is None or found[1] is None or found[2] is None:
        return None
    return _with_arg(found[0], found[1], _scaled(found[0].args[found[1]].value))


def conv_out_scale(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    found = _conv_args(node)
    if found is None or found[1] is None or found[2] is None:
        return None
    return _with_arg(found[0], found[2], _scaled(found[0].args[found[2]].value))


def _moved_dim(node: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``1 -> 2``, ``-1 -> -2``, ``(2, 3) -> (1, 2)``, ``(-2, -1) -> (-3, -2)``; None for anything else."""
    d = _int_literal(node)
    if d is not None:
        return _expr(str(d + 1 if d >= 0 else d - 1))
    if isinstance(node, (cst.Tuple, cst.List)) and node.elements:
        dims = [_int_literal(e.value) for e in node.elements]
        if any(x is None for x in dims):
            return None
        values = [x for x in dims if x is not None]
        if not (all(x >= 1 for x in values) or all(x < 0 for x in values)):
            return None
        moved = ", ".join(str(x - 1) for x in values)
        return _expr(f"({moved},)" if len(values) == 1 else f"({moved})")
    return None


def dim_shift(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.Call):
        return None
    name = _callee(node)
    last = name.rsplit(".", 1)[-1]
    if last not in DIM_FUNCS or not isinstance(node.func, (cst.Attribute, cst.Name)):
        return None
    if last[0].isupper():  # nn.Softmax(dim), nn.Flatten(start_dim)
        position = 0
    elif _namespace(node) is not None:
        position = 1  # torch.cat(xs, 1), F.softmax(x, -1)
    elif isinstance(node.func, cst.Attribute):
        position = 0  # x.mean((2, 3)), x.flatten(2)
    else:
        position = 1  # from torch import cat
    i = _arg(node, position, DIM_KEYWORDS)
    if i is None:
        return None
    moved = _moved_dim(node.args[i].value)
    return None if moved is None else _with_arg(node, i, moved)


def _top_level(side: str) -> list[str]:
    """Top-level axes of one side of an einops pattern: ``b (h w) c`` -> ``['b', '(h w)', 'c']``."""
    out: list[str] = []
    depth, cur = 0, ""
    for ch in side:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == " " and depth == 0:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def swap_einops_pattern(pattern: str) -> Optional[str]:
    """The pattern with the last two top-level output axes swapped."""
    if pattern.count("->") != 1:
        return None
    left, right = pattern.split("->")
    axes = _top_level(right.strip())
    if len(axes) < 2 or axes[-1] == axes[-2]:
        return None
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return f"{left.rstrip()} -> {' '.join(axes)}"


def swap_einsum_equation(equation: str) -> Optional[str]:
    """The equation with the last two output subscripts swapped."""
    if equation.count("->") != 1:
        return None
    left, right = equation.split("->")
    out = right.strip()
    if len(out) < 2 or not out[-2:].isalpha() or out[-1] == out[-2]:
        return None
    return f"{left}->{out[:-2]}{out[-1]}{out[-2]}"


def _with_string(call: cst.Call, index: int, swap: Callable[[str], Optional[str]]) -> Optional[cst.CSTNode]:
    value = call.args[index].value
    text = _string(value)
    if text is None:
        return None
    swapped = swap(text)
    if swapped is None:
        return None
    assert isinstance(value, cst.SimpleString)
    quote = value.quote
    return _with_arg(call, index, cst.SimpleString(f"{value.prefix}{quote}{swapped}{quote}"))


def einops_swap(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.Call):
        return None
    last = _callee(node).rsplit(".", 1)[-1]
    if last not in EINOPS_FUNCS | EINOPS_LAYERS:
        return None
    i = _arg(node, 0 if last in EINOPS_LAYERS else 1, ("pattern",))
    return None if i is None else _with_string(node, i, swap_einops_pattern)


def einsum_swap(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.Call) or _callee(node).rsplit(".", 1)[-1] != "einsum":
        return None
    i = _arg(node, 0, ("equation",))
    return None if i is None else _with_string(node, i, swap_einsum_equation)


def floordiv_scale(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.BinaryOperation) or not isinstance(node.operator, cst.FloorDivide):
        return None
    return node.with_changes(right=_expr(f"(2 * {_atom(node.right)})"))


def pow2_drop(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.BinaryOperation) or not isinstance(node.operator, cst.Power):
        return None
    if _int_literal(node.right) != 2:
        return None
    return node.left.with_changes(lpar=node.lpar, rpar=node.rpar) if node.lpar else node.left


def transpose_drop(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if isinstance(node, cst.Attribute) and node.attr.value in ("T", "mT"):
        return node.value
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    attr = node.func.attr.value
    if _namespace(node) == "torch" and attr == "transpose" and len(node.args) == 3:
        return node.args[0].value
    if _namespace(node) is not None:
        return None
    if (attr == "transpose" and len(node.args) == 2) or (attr == "t" and not node.args):
        return node.func.value
    return None


def transpose_add(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.MatrixMultiply):
        if transpose_drop(node.right) is not None:
            return None  # adding a transpose to a transposed operand is transpose_drop's mutant
        return node.with_changes(right=_expr(f"{_atom(node.right)}.transpose(-2, -1)"))
    if isinstance(node, cst.Call) and _callee(node) in ("torch.matmul", "matmul") and len(node.args) == 2:
        if transpose_drop(node.args[1].value) is not None:
            return None
        return _with_arg(node, 1, _expr(f"{_atom(node.args[1].value)}.transpose(-2, -1)"))
    return None


def reshape_size(node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    attr = node.func.attr.value
    if _namespace(node) == "torch" and attr == "reshape":
        sizes: Sequence[cst.Arg] = node.args[1:]
    elif attr in ("reshape", "view") and _namespace(node) is None:
        sizes = node.args
    else:
        return None
    if any(a.keyword is not None or a.star for a in sizes):
        return None
    if len(sizes) == 1 and isinstance(sizes[0].value, (cst.Tuple, cst.List)):
        seq = sizes[0].value
        elements = list(seq.elements)
        for k in range(len(elements) - 1, -1, -1):
            if isinstance(elements[k], cst.StarredElement) or _int_literal(elements[k].value) in (-1, 1):
                continue
            elements[k] = elements[k].with_changes(value=_scaled(elements[k].value))
            return _with_arg(node, list(node.args).index(sizes[0]), seq.with_changes(elements=elements))
        return None
    if len(sizes) < 2:
        return None  # x.view(shape) or x.view(torch.float16): not a list of sizes
    for arg in reversed(sizes):
        if _int_literal(arg.value) in (-1, 1):
            continue
        return _with_arg(node, list(node.args).index(arg), _scaled(arg.value))
    return None


OPERATOR_FUNCS: dict[str, Callable[[cst.CSTNode], Optional[cst.CSTNode]]] = {
    "linear_swap": linear_swap, "linear_in_scale": linear_in_scale, "linear_in_plus_one": linear_in_plus_one,
    "conv_in_scale": conv_in_scale, "conv_out_scale": conv_out_scale, "dim_shift": dim_shift,
    "einops_swap": einops_swap, "einsum_swap": einsum_swap, "floordiv_scale": floordiv_scale,
    "pow2_drop": pow2_drop, "transpose_drop": transpose_drop, "transpose_add": transpose_add,
    "reshape_size": reshape_size,
}
assert tuple(OPERATOR_FUNCS) == OPERATORS


# ---- mutants of a file ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Mutant:
    """One change in one file: ``operator``'s ``index``-th candidate in source order."""
    operator: str
    index: int
    line: int
    end_line: int
    original: str
    mutated: str
    text: str

    @property
    def key(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class _Collector(cst.CSTVisitor):
    def __init__(self, operators: Sequence[str]) -> None:
        self.operators = operators
        self.found: list[tuple[str, cst.CSTNode, cst.CSTNode]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        for op in self.operators:
            new = OPERATOR_FUNCS[op](node)
            if new is not None:
                self.found.append((op, node, new))
        return True


def _one_line(code: str) -> str:
    return re.sub(r"\s+", " ", code).strip()


def _offsets(source: str) -> list[int]:
    """Offset of the start of each line (LibCST counts lines by newlines only)."""
    starts = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _changed(old: cst.CSTNode, new: cst.CSTNode) -> list[tuple[cst.CSTNode, cst.CSTNode]]:
    """The smallest (old, new) pairs that differ: ``with_changes`` keeps the unchanged children
    themselves, so the walk goes down to the changed argument, whose code is on one line."""
    old_children, new_children = old.children, new.children
    if type(old) is type(new) and old_children and len(old_children) == len(new_children):
        diff = [(o, n) for o, n in zip(old_children, new_children) if o is not n]
        if diff:
            return [pair for o, n in diff for pair in _changed(o, n)]
    return [(old, new)]


def _splice(source: str, starts: list[int], positions, pairs) -> Optional[str]:
    """``source`` with each old node's span replaced by the new node's code; None when a span
    is not its node's code (multi-line nodes render with another indentation)."""
    edits = []
    for old, new in pairs:
        pos = positions.get(old)
        if pos is None:
            return None
        a = starts[pos.start.line - 1] + pos.start.column
        b = starts[pos.end.line - 1] + pos.end.column
        empty = cst.Module(body=[])
        if source[a:b] != empty.code_for_node(old):
            return None
        edits.append((a, b, empty.code_for_node(new)))
    for a, b, code in sorted(edits, reverse=True):
        source = source[:a] + code + source[b:]
    return source


def iter_mutants(source: str, operators: Sequence[str] = OPERATORS) -> Iterator[Mutant]:
    """Every mutant of ``source``, operator by operator, in source order within an operator.
    Mutants whose text equals the original (or an earlier mutant's) are skipped. The text is the
    original with the node's span replaced (the rest is byte-identical)."""
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    collector = _Collector(operators)
    wrapper.module.visit(collector)
    starts = _offsets(source)
    seen = {text_hash(source)}
    counters = dict.fromkeys(operators, 0)
    for op, node, new in collector.found:
        index = counters[op]
        counters[op] += 1
        pos = positions[node]
        old_code, new_code = module.code_for_node(node), module.code_for_node(new)
        text = _splice(source, starts, positions, _changed(node, new))
        if text is None:  # a span that is not its node's code: rebuild the whole tree (slow)
            replaced = module.deep_replace(node, new)
            assert isinstance(replaced, cst.Module)
            text = replaced.code
        key = text_hash(text)
        if key in seen:
            continue
        seen.add(key)
        yield Mutant(op, index, pos.start.line, pos.end.line, _one_line(old_code), _one_line(new_code), text)


def mutant_at(source: str, operator: str, index: int) -> Optional[Mutant]:
    """The ``index``-th candidate of ``operator`` in ``source`` (to rebuild a recorded mutant)."""
    for m in iter_mutants(source, (operator,)):
        if m.index == index:
            return m
    return None
