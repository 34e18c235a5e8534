"""Comparators: is a program's output the expected one? Each is a small function whose name is its rule.

========= ===========================================================================================
tokens    whitespace-separated tokens, equal in number; numbers equal within a tolerance (absolute or
          relative, 1e-6 by default; integers exactly); trailing spaces, a final newline and ``\\r\\n``
          do not matter (the default)
lines     the same lines, in the same number, each with trailing whitespace ignored (``\\r\\n`` = ``\\n``)
exact     byte for byte, but for ``\\r\\n`` and a final newline
========= ===========================================================================================

A mismatch is described the way testlib's checkers do: what was expected, what
was found, and where (``expected '7', found '8' on line 3``).
"""

from __future__ import annotations

import math
import re
from typing import Callable, Literal, Optional

Comparator = Literal["tokens", "lines", "exact"]
Verdict = Optional[str]  # None: equal; otherwise what differed and where

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_SHOWN = 40


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _shown(token: str) -> str:
    return repr(token if len(token) <= _SHOWN else token[:_SHOWN] + "...")


def _integer(token: str) -> str:
    """An integer token in one spelling (no plus sign, no leading zeros, no negative zero), as text: ``int()`` of a
    token over 4,300 digits raises in the judge's interpreter, and a text comparison costs nothing."""
    negative, digits = token.startswith("-"), token.lstrip("+-").lstrip("0") or "0"
    return f"-{digits}" if negative and digits != "0" else digits


def _numbers_equal(found: str, expected: str, tolerance: float) -> bool:
    if _INTEGER.fullmatch(found) and _INTEGER.fullmatch(expected):
        return _integer(found) == _integer(expected)
    try:
        a, b = float(found), float(expected)
    except ValueError:
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tolerance or abs(a - b) <= tolerance * max(abs(a), abs(b))


def tokens(output: str, expected: str, tolerance: float = 1e-6) -> Verdict:
    """Token by token, numbers within ``tolerance``; the counts must agree (no ``zip`` truncation)."""
    found_lines, expected_lines = _normalized(output).split("\n"), _normalized(expected).split("\n")
    found = [(token, line) for line, text in enumerate(found_lines, 1) for token in text.split()]
    wanted = [(token, line) for line, text in enumerate(expected_lines, 1) for token in text.split()]
    for (have, line), (want, _) in zip(found, wanted):
        if have == want:
            continue
        if _NUMBER.fullmatch(have) and _NUMBER.fullmatch(want) and _numbers_equal(have, want, tolerance):
            continue
        return f"expected {_shown(want)}, found {_shown(have)} on line {line}"
    if len(found) < len(wanted):
        return f"expected {_shown(wanted[len(found)][0])} on line {wanted[len(found)][1]}, found the end of the output ({len(found)} of {len(wanted)} tokens)"
    if len(found) > len(wanted):
        return f"expected the end of the output, found {_shown(found[len(wanted)][0])} on line {found[len(wanted)][1]} ({len(found)} tokens, {len(wanted)} expected)"
    return None


def lines(output: str, expected: str, tolerance: float = 1e-6) -> Verdict:
    """Line by line, trailing whitespace ignored; the line counts must agree (a final empty line does not count)."""
    found = [line.rstrip() for line in _normalized(output).rstrip("\n").split("\n")]
    wanted = [line.rstrip() for line in _normalized(expected).rstrip("\n").split("\n")]
    for number, (have, want) in enumerate(zip(found, wanted), 1):
        if have != want:
            return f"expected {_shown(want)}, found {_shown(have)} on line {number}"
    if len(found) != len(wanted):
        return f"expected {len(wanted)} lines, found {len(found)}"
    return None


def exact(output: str, expected: str, tolerance: float = 1e-6) -> Verdict:
    """The same text, but for line endings and one final newline."""
    have, want = _normalized(output), _normalized(expected)
    if have.removesuffix("\n") == want.removesuffix("\n"):
        return None
    at = next((index for index, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
    line = have.count("\n", 0, at) + 1
    return f"expected {_shown(want[at:at + _SHOWN])}, found {_shown(have[at:at + _SHOWN])} on line {line}"


COMPARATORS: dict[str, Callable[[str, str, float], Verdict]] = {"tokens": tokens, "lines": lines, "exact": exact}
