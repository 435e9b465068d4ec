"""Fix texts built with LibCST: a node of the checked file with some of its sub-expressions
replaced (``x @ w`` -> ``x @ w.T``) or keywords set (``tf.matmul(a, b, transpose_b=True)``).

The new code is the node's own code with the change spliced in by LibCST, so the comments and
line breaks inside it survive; ``None`` whenever anything does not fit (the fix then stays a
description). A rewrite never brings in a name the file does not define: ``np.expand_dims(...)``
is offered only where ``np`` is bound to NumPy there.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Optional

import libcst as cst

# expressions that need no parentheses wherever an operand goes
_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.Imaginary,
          cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Dict, cst.Set,
          cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp, cst.Ellipsis)
_CONSTANTS = frozenset({"True", "False", "None"})
# the conventional module names fix texts are spelled with, and what each must be bound to
MODULE_ALIASES = {"np": ("numpy",), "numpy": ("numpy",), "torch": ("torch",), "tf": ("tensorflow",),
                  "tensorflow": ("tensorflow",), "keras": ("keras", "tensorflow.keras", "tf_keras")}


def _names(node: cst.CSTNode) -> set[str]:
    """Every ``Name`` in ``node`` (attributes' own names aside: ``w.T`` names only ``w``)."""
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

        def visit_Arg(self, n: cst.Arg) -> bool:  # (a keyword's name is no name of the file)
            n.value.visit(self)
            return False

    node.visit(Names())
    return found


def _arg_values(node: cst.CSTNode) -> set[int]:
    """id() of the nodes that are a call's argument (no parentheses needed there)."""
    found: set[int] = set()

    class Args(cst.CSTVisitor):
        def visit_Arg(self, a: cst.Arg) -> None:
            found.add(id(a.value))

    node.visit(Args())
    return found


def _fitted(new: cst.BaseExpression, old: cst.BaseExpression, as_arg: bool) -> cst.BaseExpression:
    """``new`` in ``old``'s place: ``old``'s own parentheses kept, new ones where an operand needs them."""
    if old.lpar and not new.lpar:
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    if not new.lpar and not as_arg and not isinstance(new, _ATOMS):
        return new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    if as_arg and isinstance(new, cst.NamedExpr) and not new.lpar:
        return new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return new


class _Replace(cst.CSTTransformer):
    def __init__(self, by_id: dict[int, cst.BaseExpression]) -> None:
        super().__init__()
        self.by_id = by_id
        self.done = 0

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        new = self.by_id.get(id(original_node))
        if new is None:
            return updated_node
        self.done += 1
        return new


def _with_keywords(call: cst.Call, keywords: Mapping[str, str]) -> Optional[cst.Call]:
    """``call`` with each keyword's value set: replaced where it is given, else appended."""
    if any(a.star == "**" for a in call.args):
        return None  # the keyword may be among them: a second one would raise
    args = list(call.args)
    for name, text in keywords.items():
        value = cst.parse_expression(text)
        at = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == name), None)
        if at is not None:
            args[at] = args[at].with_changes(value=value)
            continue
        new = cst.Arg(value=value, keyword=cst.Name(name),
                      equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                            whitespace_after=cst.SimpleWhitespace("")))
        if not args:
            args = [new]
            continue
        last = args[-1]
        sep = args[-2].comma if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma) else \
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if isinstance(last.comma, cst.Comma):  # a trailing comma (a call over several lines): kept last
            args[-1] = last.with_changes(comma=sep)
            new = new.with_changes(comma=last.comma)
        else:
            args[-1] = last.with_changes(comma=sep)
        args.append(new)
    return call.with_changes(args=args)


def _code(module: cst.Module, node: cst.CSTNode, indent: str) -> str:
    """``module.code_for_node(node)`` inside blocks indented by ``indent``: a line break inside
    brackets is followed by the block's indentation, which ``code_for_node`` alone leaves out."""
    from libcst._nodes.internal import CodegenState  # (what code_for_node uses, with the indent set)

    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline,
                         indent_tokens=[indent] if indent else [])
    node._codegen(state)
    return "".join(state.tokens)


def _block_indent(module: cst.Module, source: str, node: cst.CSTNode) -> Optional[str]:
    """The indentation of the blocks ``node`` sits in, found by writing it with each indentation
    the file uses until it reads as in the file ("" where that does not matter: one line); None
    where no indentation, or more than one, gives the file's text."""
    plain = _code(module, node, "")
    if "\n" not in plain and "\r" not in plain:
        return ""
    indents = {m.group(1) for m in re.finditer(r"^([ \t]*)\S", source, re.M)}
    found = {_code(module, node, i) for i in indents if _code(module, node, i) in source}
    if len(found) != 1:
        return None
    text = found.pop()
    return next(i for i in sorted(indents, key=len) if _code(module, node, i) == text)


def rewrite(module: cst.Module, node: Any, replace: Mapping[Any, str], keywords: Optional[Mapping[str, str]] = None,
            bound: Optional[Callable[[str], bool]] = None, source: Optional[str] = None) -> Optional[str]:
    """The code of ``node`` (without the parentheses around it, as its position spans it) with each
    node of ``replace`` replaced by the expression its text parses to, and ``keywords`` set on it
    (a call); None where a node is missing, a text does not parse, or the new code brings in a
    name that ``bound`` (``name -> bound in the file to what a fix means by it``) rejects. Written
    with the indentation of the blocks it is in (``source``: the file's text, to find it)."""
    if not isinstance(node, cst.BaseExpression) or (not replace and not keywords):
        return None
    try:
        as_arg = _arg_values(node)
        by_id: dict[int, cst.BaseExpression] = {}
        for old, text in replace.items():
            if not isinstance(old, cst.BaseExpression):
                return None
            by_id[id(old)] = _fitted(cst.parse_expression(text), old, id(old) in as_arg)
        outer = node.with_changes(lpar=[], rpar=[]) if node.lpar else node
        if by_id:
            if id(node) in by_id:
                return None  # a fix replaces a part of the node, never all of it
            replacer = _Replace(by_id)
            visited = outer.visit(replacer)
            if not isinstance(visited, cst.BaseExpression):
                return None
            new = visited
            if replacer.done != len(by_id):
                return None  # a node to replace is not inside this one
        else:
            new = outer
        if keywords:
            if not isinstance(new, cst.Call):
                return None
            with_kw = _with_keywords(new, keywords)
            if with_kw is None:
                return None
            new = with_kw
        indent = _block_indent(module, source if source is not None else module.code, outer)
        if indent is None:
            return None
        code = _code(module, new, indent)
        if code == _code(module, outer, indent):
            return None
        introduced = _names(cst.parse_expression(code.strip())) - _names(outer) - _CONSTANTS
        if introduced and (bound is None or not all(bound(n) for n in introduced)):
            return None
        return code
    except Exception:  # noqa: BLE001 - a fix text is a nicety: the description stays
        return None


def literal_int(node: Any) -> Optional[int]:
    """The value of an integer literal, or of arithmetic on literals only (``32 * 14 * 14``)."""
    if isinstance(node, cst.Integer) and not node.lpar:
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Add, cst.Subtract,
                                                                            cst.FloorDivide)):
        a, b = literal_int(node.left), literal_int(node.right)
        if a is None or b is None:
            return None
        if isinstance(node.operator, cst.Multiply):
            return a * b
        if isinstance(node.operator, cst.Add):
            return a + b
        if isinstance(node.operator, cst.Subtract):
            return a - b
        return a // b if b else None
    return None


def argument(node: Any, index: Optional[int], keyword: Optional[str]) -> Optional[cst.BaseExpression]:
    """The node of a call's argument given by ``keyword`` or at position ``index`` (None where a
    ``*args`` comes first, or the argument is not in the call's own text)."""
    if not isinstance(node, cst.Call):
        return None
    positional: Optional[int] = 0
    for a in node.args:
        if a.keyword is not None:
            if keyword is not None and a.keyword.value == keyword:
                return a.value
            continue
        if a.star == "**":
            continue
        if a.star == "*":  # what follows has no known position
            positional = None
            continue
        if index is not None and positional is not None and positional == index:
            return a.value
        if positional is not None:
            positional += 1
    return None
