"""A countdown reward (the TinyZero recipe's shape): the ground truth is a dict {"target": int, "numbers": [int]};
the answer is an equation in <answer></answer> using each number once. It must pass every property."""
import ast
import re

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.S)
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)


def compute_reward(completion, ground_truth):
    found = _ANSWER.findall(completion)
    if not found:
        return 0.0
    try:
        tree = ast.parse(found[-1].strip(), mode="eval")
    except (SyntaxError, ValueError):
        return 0.0
    if not all(isinstance(node, _ALLOWED) for node in ast.walk(tree)):
        return 0.0
    used = sorted(node.value for node in ast.walk(tree) if isinstance(node, ast.Constant))
    if used != sorted(ground_truth["numbers"]):
        return 0.1  # a well-formed equation that does not use the numbers given
    try:
        value = eval(compile(tree, "<answer>", "eval"), {"__builtins__": {}})  # noqa: S307 - only arithmetic nodes
    except (ZeroDivisionError, OverflowError, TypeError):
        return 0.1
    return 1.0 if abs(value - ground_truth["target"]) < 1e-6 else 0.1
