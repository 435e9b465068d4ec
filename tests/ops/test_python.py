"""Python built-ins, ``operator`` and ``math`` as the shape rules see them: lengths, sizes and
sequences that shapes are computed from (``len(x)``, ``range(n)``, ``zip(...)``, ``a @ b``).
Each row is also run by Python itself on real torch tensors of the same shapes (the oracle)."""
from __future__ import annotations

from harness import OpCase, S, row_tests

BUILTIN_ROWS = [
    OpCase("builtins.len", ["(4, 3)"], expect="int 4"),
    OpCase("builtins.len", [(2, 3, 5)], expect="int 3"),
    OpCase("builtins.len", ["()"], error="axis-out-of-range"),  # len() of a 0-d tensor
    OpCase("builtins.int", [2.7], expect="int 2"),
    OpCase("builtins.float", [3], expect="float 3.0"),
    OpCase("builtins.round", [2.6], expect="int 3"),
    OpCase("builtins.round", [2.567, 1], expect="float 2.6"),
    OpCase("builtins.range", [2, 11, 3], expect="[int 2, int 5, int 8]"),
    OpCase("builtins.zip", [[1, 2, 3], [4, 5]], expect="[[int 1, int 4], [int 2, int 5]]"),
    OpCase("builtins.zip", ["(3, 2)", "(3,)"], expect="[[(2,), ()], [(2,), ()], [(2,), ()]]"),  # an array's rows
    OpCase("random.randint", [0, 9], expect="Number", no_oracle="a number of unknown value"),
    OpCase("itertools.repeat", [7, 2], expect="[int 7, int 7]"),
    OpCase("builtins.enumerate", [[7, 8]], {"start": 1}, expect="[[int 1, int 7], [int 2, int 8]]"),
    OpCase("builtins.list", [(2, 3)], expect="[int 2, int 3]"),
    OpCase("builtins.tuple", [[2, 3]], expect="[int 2, int 3]"),
    OpCase("builtins.reversed", [[1, 2, 3]], expect="[int 3, int 2, int 1]"),
    OpCase("builtins.str", [12], expect="Const('12')"),
    OpCase("builtins.any", [[False, 0, True]], expect="bool True"),
    OpCase("builtins.all", [[1, 2, 0]], expect="bool False"),
    OpCase("builtins.max", [3, 7, 5], expect="int 7"),
    OpCase("builtins.min", [[3, 7, 5]], expect="int 3"),
    OpCase("builtins.sum", [[3, 7, 5]], expect="int 15"),
    OpCase("builtins.sum", [[[1], [2, 3]], []], expect="[int 1, int 2, int 3]"),
    OpCase("builtins.set", [[3, 3, 5]], expect="[int 3, int 5]"),
    OpCase("builtins.dict", [], {"a": "(4, 3)", "b": 2}, expect="{'a': (4, 3), 'b': int 2}"),
    OpCase("math.prod", [(2, 3, 4)], expect="int 24"),
    OpCase("math.ceil", [2.5], expect="int 3"),
    OpCase("math.sqrt", [16], expect="float 4.0"),
    OpCase("typing.cast", ["list", "(4, 3)"], expect="(4, 3)"),
]

OPERATOR_ROWS = [
    OpCase("operator.add", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("operator.add", ["(4, 3)", "(4,)"], error="broadcast-mismatch"),
    OpCase("operator.sub", ["(4, 1)", "(1, 5)"], expect="(4, 5)"),
    OpCase("operator.mul", ["(2, 4, 3)", "(4, 3)"], expect="(2, 4, 3)"),
    OpCase("operator.mul", ["(2, 4, 3)", "(2, 3)"], error="broadcast-mismatch"),
    OpCase("operator.truediv", ["(4, 3)", 2.0], expect="(4, 3)"),
    OpCase("operator.floordiv", ["(4, 3)", "(4, 1)"], expect="(4, 3)"),
    OpCase("operator.mod", ["(4, 3)", 2], expect="(4, 3)"),
    OpCase("operator.pow", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("operator.and_", [S("(4, 3)", "bool"), S("(3,)", "bool")], expect="(4, 3)"),
    OpCase("operator.or_", [S("(4, 3)", "bool"), S("(5,)", "bool")], error="broadcast-mismatch"),
    OpCase("operator.xor", [S("(4, 3)", "bool"), S("(1, 3)", "bool")], expect="(4, 3)"),
    OpCase("operator.compare", ["(4, 3)", "(3,)"], expect="(4, 3)",
           no_oracle="the interpreter's one name for <, <=, >, >=, ==, != (not a function of operator)"),
    OpCase("operator.matmul", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("operator.matmul", ["(4, 3)", "(4, 5)"], error="missing-transpose"),
    OpCase("operator.matmul", ["(4, 3)", "(2, 5)"], error="matmul-mismatch"),
]

INTERNAL_ROWS = [
    # ``x.shape[i]`` with i past the rank (the interpreter's name; Python raises IndexError)
    OpCase("tensor.size_index_error", [(4, 3), 2], error="axis-out-of-range",
           no_oracle="an interpreter hook for x.shape[i], not a function"),
]

ROWS = BUILTIN_ROWS + OPERATOR_ROWS + INTERNAL_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)
