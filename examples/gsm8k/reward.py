r"""GSM8K-style reward: 1.0 if the completion's final answer equals the ground truth, else 0.0.

The final answer is taken from the first of these that the completion contains:

1. the rest of the line after the last ``####`` marker,
2. the contents of the last ``\boxed{...}`` (nested braces are balanced),
3. the last "the answer is X" phrase (up to the end of that sentence),
4. the last number anywhere in the text.

An answer must be one number, optionally dressed in ``$``, markdown ``**``, thousands
separators, a trailing period or unit words ("18 eggs"). Numbers compare exactly, so
"18.00" == "18" and "1,000" == "1000", but "18.5" != "18"; "#### 18 or 20" scores 0.0.

    >>> compute_reward("She sells 16 - 7 = 9 eggs at $2 each: 9 * 2 = 18.\n#### 18", "18")
    1.0
    >>> compute_reward(r"So the total is \boxed{1,000 \text{ dollars}}.", "1000")
    1.0
    >>> compute_reward("The answer is **$18.50**.", "18")
    0.0
"""

from __future__ import annotations

import re
from fractions import Fraction

_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_ANSWER_RE = re.compile(rf"({_NUMBER})(?:\s*[A-Za-z%][A-Za-z%\s]*)?")  # "18", "18 eggs"
_ANSWER_IS_RE = re.compile(r"answer is\s*:?\s*([^\n]*)", re.IGNORECASE)
_LATEX_TEXT_RE = re.compile(r"\\(?:text|mathrm|textbf)\{([^{}]*)\}")
_MAX_ANSWER_CHARS = 100  # a longer final answer is never one number (and int() refuses over 4300 digits)


def compute_reward(completion: str, ground_truth: str | int | float) -> float:
    """``ground_truth`` is the answer as text ("18", "1,000") or as a number (datasets often store GSM8K answers as ints)."""
    predicted = _to_number(_final_answer(completion))
    gold = _to_number(ground_truth if isinstance(ground_truth, str) else str(ground_truth))
    return 1.0 if predicted is not None and predicted == gold else 0.0


def _final_answer(text: str) -> str | None:
    """The raw final-answer string, or None when the completion never states one."""
    if "####" in text:
        return text.rsplit("####", 1)[1].strip().split("\n", 1)[0]
    if "\\boxed{" in text:
        return _last_boxed(text)
    sentences = _ANSWER_IS_RE.findall(text)
    if sentences:
        return re.split(r"\.\s", sentences[-1], maxsplit=1)[0]
    numbers = _NUMBER_RE.findall(text)
    return numbers[-1] if numbers else None


def _last_boxed(text: str) -> str | None:
    """Contents of the last \\boxed{...}; None if it was cut off before its closing brace."""
    start = text.rfind("\\boxed{") + len("\\boxed")
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    return None


def _to_number(answer: str | None) -> Fraction | None:
    """Parse "$1,234.00", "**18**", "18 eggs." and the like; None if it is not one number."""
    if answer is None or len(answer) > _MAX_ANSWER_CHARS:
        return None
    answer = _LATEX_TEXT_RE.sub(r" \1", answer)
    for decoration in ("**", "\\$", "$"):
        answer = answer.replace(decoration, "")
    match = _ANSWER_RE.fullmatch(answer.strip().rstrip(".").strip())
    return Fraction(match.group(1).replace(",", "")) if match else None
