"""The formula language of ``compose``: ``+ - * /``, ``min max abs``, numbers and sub-reward names.

Parsed with ``ast`` and walked by this module; nothing is ever ``eval``-ed. The
same walk computes a score (floats) or the range of scores a formula can give
(intervals), with the operations passed in.

    >>> tree = parse_formula("0.8 * correct + 0.2 * min(format, 1)")
    >>> evaluate(tree, {"correct": 1.0, "format": 0.5})
    0.9
    >>> bounds(tree, {"correct": (0.0, 1.0), "format": (0.0, 1.0)})
    (0.0, 1.0)
"""

from __future__ import annotations

import ast
import math
from typing import Callable, Mapping, TypeVar

FUNCTIONS = ("min", "max", "abs")
_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}

Value = TypeVar("Value")
Interval = tuple[float, float]


class FormulaError(ValueError):
    """A formula that is not in the language, or that divides by zero."""


def parse_formula(text: str) -> ast.Expression:
    """The syntax tree of ``text``; raises ``FormulaError`` naming what is not allowed."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {text!r} is not an expression: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS) or node.keywords or not node.args:
                raise FormulaError(f"formula {text!r}: only min(...), max(...) and abs(x) can be called")
            if node.func.id == "abs" and len(node.args) != 1:
                raise FormulaError(f"formula {text!r}: abs takes one argument")
        elif isinstance(node, ast.BinOp) and type(node.op) not in _OPERATORS:
            raise FormulaError(f"formula {text!r}: operator {type(node.op).__name__} is not allowed (use + - * /)")
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError(f"formula {text!r}: operator {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.Constant) and (type(node.value) not in (int, float) or not math.isfinite(node.value)):
            raise FormulaError(f"formula {text!r}: {node.value!r} is not a finite number")
        elif not isinstance(node, (ast.Expression, ast.Call, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.operator, ast.unaryop)):
            raise FormulaError(f"formula {text!r}: {type(node).__name__} is not allowed")
    return tree


def names(tree: ast.Expression) -> set[str]:
    """The sub-reward names a formula uses."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}


def _fold(node: ast.AST, leaf: Callable[[ast.AST], Value], ops: Mapping[str, Callable[..., Value]]) -> Value:
    """Walk the tree bottom-up: ``leaf`` turns names and numbers into values, ``ops`` combine them."""
    if isinstance(node, ast.Expression):
        return _fold(node.body, leaf, ops)
    if isinstance(node, ast.BinOp):
        return ops[_OPERATORS[type(node.op)]](_fold(node.left, leaf, ops), _fold(node.right, leaf, ops))
    if isinstance(node, ast.UnaryOp):
        operand = _fold(node.operand, leaf, ops)
        return ops["neg"](operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return ops[node.func.id](*(_fold(arg, leaf, ops) for arg in node.args))
    return leaf(node)


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise FormulaError(f"the formula divides {a!r} by zero")
    return a / b


_FLOAT_OPS: dict[str, Callable[..., float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": _divide,
    "neg": lambda a: -a,
    "min": min,
    "max": max,
    "abs": abs,
}


def evaluate(tree: ast.Expression, values: Mapping[str, float]) -> float:
    """The formula's value for the sub-scores ``values``; raises ``FormulaError`` on a division by zero."""
    return float(_fold(tree, lambda node: values[node.id] if isinstance(node, ast.Name) else float(node.value), _FLOAT_OPS))


def _interval_mul(a: Interval, b: Interval) -> Interval:
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _interval_div(a: Interval, b: Interval) -> Interval | None:
    if b[0] <= 0 <= b[1]:
        return None  # the divisor can be zero: no bound
    return _interval_mul(a, (1 / b[1], 1 / b[0]))


def _interval_abs(a: Interval) -> Interval:
    low, high = a
    return (0.0 if low <= 0 <= high else min(abs(low), abs(high)), max(abs(low), abs(high)))


_INTERVAL_OPS: dict[str, Callable[..., Interval]] = {
    "add": lambda a, b: (a[0] + b[0], a[1] + b[1]),
    "sub": lambda a, b: (a[0] - b[1], a[1] - b[0]),
    "mul": _interval_mul,
    "div": _interval_div,
    "neg": lambda a: (-a[1], -a[0]),
    "min": lambda *xs: (min(x[0] for x in xs), min(x[1] for x in xs)),
    "max": lambda *xs: (max(x[0] for x in xs), max(x[1] for x in xs)),
    "abs": _interval_abs,
}


def bounds(tree: ast.Expression, ranges: Mapping[str, Interval | None]) -> Interval | None:
    """The lowest and highest value the formula can take when each name stays in its range; None if unbounded."""

    def leaf(node: ast.AST) -> Interval | None:
        if isinstance(node, ast.Name):
            return ranges[node.id]
        return (float(node.value), float(node.value))

    def lift(op: Callable[..., Interval | None]) -> Callable[..., Interval | None]:
        return lambda *args: None if any(arg is None for arg in args) else op(*args)

    return _fold(tree, leaf, {name: lift(op) for name, op in _INTERVAL_OPS.items()})
