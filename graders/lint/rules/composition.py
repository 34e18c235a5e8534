"""RK142: how format and correctness terms are combined."""

from __future__ import annotations

import ast
from typing import Iterator

from ..model import Module, name_words
from ..registry import Hit, rule

# Words that name a term (documented with the rule). Format words win: ``answer_format`` is a format term.
FORMAT_WORDS = frozenset("format formatted formatting fmt tag tags think thinking structure structural style layout xml".split())
CORRECT_WORDS = frozenset(
    "correct correctness accuracy acc accurate equiv equivalent equivalence match exact verified verify right solved answer".split()
)


@rule("RK142", "format-outweighs-correctness", "warning")
def format_outweighs_correctness(module: Module) -> Iterator[Hit]:
    """A format term weighted at least as high as the correctness term.

    What it finds:
        Sums such as `0.5 * format_score + 0.5 * correct_score` or `format_reward(c) + accuracy_reward(c, gt)`
        where the constant weights of the format terms add up to at least those of the correctness terms (a term
        assigned `0.1 if ok else 0.0` in the same function weighs 0.1; other terms count as at most 1). Terms
        are recognised by name (a variable, attribute, called function or string key): `format`, `fmt`, `tag`,
        `think`, `structure`, `style` mark a format term; `correct`, `accuracy`, `acc`, `equiv`, `match`,
        `exact`, `verified`, `right`, `solved`, `answer` a correctness term (format words win).

    Why it hurts training:
        GRPO normalises rewards within each group, so an additive format term is paid in full to well-formatted
        wrong answers; with equal weights they earn half of what a correct answer earns, and format compliance
        rises while accuracy falls (open-r1 #255, TRL #5298; much of the reported GRPO gain is `\\boxed`
        compliance, simpleRL-reason #60). open-instruct switched from adding the format reward to gating on it
        (open-instruct #659), and open-r1 added reward weights for this (open-r1 #213).

    Example:
        def compute_reward(completion, ground_truth):
            return 0.5 * format_score(completion) + 0.5 * correct_score(completion, ground_truth)

    Use instead:
        Gate correctness on format (`correct if well_formatted else 0.0`), or keep the format weight small
        (tinker-cookbook uses `0.1 * (format - 1) + correct`).

    Not flagged:
        Products (`format_ok * correct` is a gate), weights that are not literals, and terms whose names say
        neither.
    """
    for node in module.nodes:
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
            continue
        parent = module.parents.get(node)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
            continue  # only the outermost sum
        weights: dict[str, list[tuple[str, float]]] = {"format": [], "correct": []}
        for operand in _addends(node):
            weight, term = _weighted(operand)
            name = _term_name(term)
            kind = _kind(name) if name else None
            if kind:
                weights[kind].append((module.snippet(term), weight * _scale(module, term)))
        if weights["format"] and weights["correct"]:
            fmt, correct = sum(w for _, w in weights["format"]), sum(w for _, w in weights["correct"])
            if fmt >= correct > 0:
                yield node, (
                    f"the format weight ({fmt:g}: {_terms(weights['format'])}) is at least the correctness weight "
                    f"({correct:g}: {_terms(weights['correct'])}): a well-formatted wrong answer earns {fmt / (fmt + correct):.0%} of full credit"
                )


def _terms(terms: list[tuple[str, float]]) -> str:
    return ", ".join(f"`{name}`" for name, _ in terms)


def _addends(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _addends(node.left) + _addends(node.right)
    return [node]


def _weighted(operand: ast.expr) -> tuple[float, ast.expr]:
    """``0.5 * term`` -> (0.5, term); ``term / 2`` -> (0.5, term); ``term`` -> (1.0, term)."""
    if isinstance(operand, ast.BinOp):
        left, right = operand.left, operand.right
        if isinstance(operand.op, ast.Mult):
            if _number(left) is not None:
                return _number(left), right
            if _number(right) is not None:
                return _number(right), left
        if isinstance(operand.op, ast.Div) and _number(right):
            return 1.0 / _number(right), left
    return 1.0, operand


def _number(expr: ast.expr) -> float | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool):
        try:
            return float(expr.value)
        except OverflowError:
            return None
    return None


def _scale(module: Module, term: ast.expr) -> float:
    """The largest value a term can take when its assignment says (``x = 0.1 if ok else 0.0`` -> 0.1), else 1."""
    value = module.assigned_value(term) if isinstance(term, ast.Name) else None
    branches = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    numbers = [_number(branch) for branch in branches if branch is not None]
    return max(abs(n) for n in numbers) if numbers and None not in numbers else 1.0


def _term_name(term: ast.expr) -> str | None:
    if isinstance(term, ast.Call):
        term = term.func
    if isinstance(term, ast.Name):
        return term.id
    if isinstance(term, ast.Attribute):
        return term.attr
    if isinstance(term, ast.Subscript) and isinstance(term.slice, ast.Constant) and isinstance(term.slice.value, str):
        return term.slice.value
    return None


def _kind(name: str) -> str | None:
    words = name_words(name)
    if words & FORMAT_WORDS:
        return "format"
    if words & CORRECT_WORDS:
        return "correct"
    return None
