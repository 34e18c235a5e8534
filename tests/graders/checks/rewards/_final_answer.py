r"""The correct core the flawed rewards share: the final answer and whether it equals the ground truth.

The final answer is the last \boxed{}, '####' line or 'answer is' phrase, else the last number.
"""
import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_MARKERS = (re.compile(r"\\boxed\{([^{}]*)\}"), re.compile(r"####\s*([^\n]*)"), re.compile(r"answer is:?\s*([^\n]*)", re.I))


def final_answer(completion):
    """The final answer as written, or None when the completion gives none."""
    for marker in _MARKERS:
        found = marker.findall(completion)
        if found:
            return found[-1]
    numbers = _NUMBER.findall(completion)
    return numbers[-1] if numbers else None


def number(text):
    """``text`` as a number ("1,050", "**42**.", "$3"), or None."""
    text = (text or "").strip().strip("*$.").replace(",", "")
    if len(text) > 50:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def correct(completion, ground_truth):
    expected = number(ground_truth)
    return expected is not None and number(final_answer(completion)) == expected
