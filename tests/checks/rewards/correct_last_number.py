r"""The final answer is the last \boxed{}, '####' line, 'answer is' phrase, or else the last number.

Caches parsed ground truths with functools.lru_cache (a pure cache: results never depend on it)
and shuffles nothing globally: a correct reward must pass every property.
"""
import functools
import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_MARKERS = (re.compile(r"\\boxed\{([^{}]*)\}"), re.compile(r"####\s*([^\n]*)"), re.compile(r"answer is:?\s*([^\n]*)", re.I))


@functools.lru_cache(maxsize=1024)
def _number(text):
    text = text.strip().strip("*$.").replace(",", "")
    if len(text) > 50:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def compute_reward(completion, ground_truth):
    for marker in _MARKERS:
        found = marker.findall(completion)
        if found:
            answer = found[-1]
            break
    else:
        numbers = _NUMBER.findall(completion)
        answer = numbers[-1] if numbers else ""
    expected = _number(ground_truth)
    return 1.0 if expected is not None and _number(answer) == expected else 0.0
