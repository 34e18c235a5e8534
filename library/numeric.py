r"""``numeric_answer``: the completion's final answer is one number within a tolerance of the ground truth."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import ClassVar

from pydantic import Field

from .base import Example, GoldUnparseable, Reward, gold_text
from .extract import FINAL_ANSWER, Extractor, clean, extract

MAX_EXPONENT = 400  # Fraction("1e999999999") would compute a billion-digit integer
_LATEX_FRACTION = re.compile(r"\\[dt]?frac\s*(?:\{\s*([^{}]+?)\s*\}|(\d))\s*(?:\{\s*([^{}]+?)\s*\}|(\d))")
_TIMES_TEN = re.compile(r"\s*(?:\\times|\\cdot|×|\*)\s*10\s*\^\s*\{?\s*([-+]?\d+)\s*\}?")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textbf|mbox)\s*\{([^{}]*)\}")
_DECIMAL = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(
    rf"(?P<sign>[-+])?\s*(?:[$€£¥]\s*)?"
    rf"(?:(?P<whole>\d+)\s+(?=\d+\s*/))?(?P<value>{_DECIMAL})(?:\s*/\s*(?P<denominator>{_DECIMAL}))?"
    rf"\s*(?:%|[A-Za-z][A-Za-z .]*)?"  # a percent sign or unit words: "50%", "18 eggs", "3 cm."
)


def parse_number(text: str) -> Fraction | None:
    r"""One number written in plain text or LaTeX, exactly; None if the text is not exactly one number.

    Reads signs (also "−"), currency symbols, thousands separators, decimals,
    ``1e-3``, ``1.5 \times 10^{3}``, ``3/4``, ``\frac{3}{4}``, mixed numbers ``2 1/3``, and
    drops a trailing "%" or unit words ("18 eggs": 18; "50%": 50).

    >>> parse_number(r"\$1,234.50")
    Fraction(2469, 2)
    >>> parse_number("2 1/3"), parse_number("18 or 20")
    (Fraction(7, 3), None)
    """
    text = clean(text).replace("−", "-").replace("\\%", "%").replace("\\!", "").replace("$", "")
    text = _LATEX_TEXT.sub(r" \1", text)
    text = _LATEX_FRACTION.sub(lambda m: f" {m[1] or m[2]}/{m[3] or m[4]}", text)
    text = _TIMES_TEN.sub(r"e\1", text).strip()
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    try:
        value = _decimal(match["value"])
        if match["denominator"] is not None:
            value /= _decimal(match["denominator"])
    except (ValueError, ZeroDivisionError):  # a zero denominator, more digits than int() reads, a huge exponent
        return None
    if match["whole"] is not None:
        value += int(match["whole"])
    return -value if match["sign"] == "-" else value


def _decimal(text: str) -> Fraction:
    mantissa, _, exponent = text.replace(",", "").lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        raise ValueError(f"exponent {exponent} is out of range")
    return Fraction(mantissa) * Fraction(10) ** int(exponent or 0)


class numeric_answer(Reward):
    r"""1.0 when the completion's final answer is one number within tolerance of the ground truth, else 0.0.

    The answer is found as in ``math_answer`` (last ``\boxed{}``, ``<answer>``, ``#### n``,
    "the answer is", last number) and read exactly (as a fraction, no float
    rounding) by ``parse_number``; an answer that is not exactly one number
    ("18 or 20") scores 0.0. It is right when ``|answer - gold| <= max(abs_tol,
    rel_tol * |gold|)``; the defaults (both 0) ask for exact equality, so "18.00" =
    "18" but "18.5" != "18". A ground truth that is not one number raises
    ``GoldUnparseable`` (status ``exception``).

    Parameters:
        abs_tol: absolute tolerance (default 0).
        rel_tol: tolerance relative to the ground truth (default 0).
        extractors: where to look for the answer, in order.

    Range [0, 1].

    >>> reward = numeric_answer(rel_tol=0.01)
    >>> reward("The answer is $1,005.", "1000")
    1.0
    >>> reward("The answer is 1,011.", "1000")
    0.0
    """

    abs_tol: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    rel_tol: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    extractors: tuple[Extractor, ...] = Field(FINAL_ANSWER, min_length=1)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("4 trays of 12 is 48, minus 9 leaves 39.\n#### 39", "39", 1.0),
        Example(r"So she pays \boxed{\$18.00}.", "18", 1.0),
        Example("The answer is **2 1/2** cups.", "2.5", 1.0),
        Example("The answer is 18 or 20.", "18", 0.0),
        Example(r"\boxed{18.5}", "18", 0.0),
        Example("", "18", 0.0),
    )

    def __call__(self, completion: str, ground_truth: str | int | float) -> float:
        ground_truth = gold_text(ground_truth, "numeric_answer")
        gold = parse_number(ground_truth)
        if gold is None:
            raise GoldUnparseable(f"numeric_answer: the ground truth {ground_truth[:200]!r} is not one number")
        answer = extract(completion, self.extractors)
        value = parse_number(answer) if answer else None
        if value is None:
            return 0.0
        allowed = max(Fraction(self.abs_tol), Fraction(self.rel_tol) * abs(gold))
        return 1.0 if abs(value - gold) <= allowed else 0.0
