r"""Boxed-answer accuracy in the style of TRL's accuracy_reward, without math-verify.

Takes the last \boxed{...} (or \fbox{...}) with balanced braces, normalises both sides
the way Hendrycks' MATH grader does (a subset), and compares them for equality.
"""

from __future__ import annotations

import re

UNITS = re.compile(r"\\text\{\s*[a-zA-Z ]*\}")


def last_boxed(text: str) -> str | None:
    """The contents of the last \\boxed{...} or \\fbox{...}, braces balanced; None when absent or cut off."""
    start = max(text.rfind("\\boxed{"), text.rfind("\\fbox{"))
    if start < 0:
        return None
    opening = text.index("{", start)
    depth = 0
    for position in range(opening, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[opening + 1 : position]
    return None


def normalise(answer: str) -> str:
    answer = answer.replace("\n", "").replace("\\!", "").replace("\\left", "").replace("\\right", "")
    answer = answer.replace("tfrac", "frac").replace("dfrac", "frac").replace("^\\circ", "").replace("\\$", "")
    answer = UNITS.sub("", answer).replace(" ", "").rstrip(".")
    if answer.startswith("."):
        answer = "0" + answer
    return answer


def compute_reward(completion: str, ground_truth: str) -> float:
    answer = last_boxed(completion)
    if answer is None or not answer.strip():
        return 0.0
    return 1.0 if normalise(answer) == normalise(ground_truth) else 0.0
