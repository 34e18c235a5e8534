r"""``math_answer``: the completion's final answer is mathematically equal to the ground truth (math-verify)."""

from __future__ import annotations

import re
import threading
from typing import ClassVar, Literal

from pydantic import Field

from .base import Example, GoldUnparseable, Reward, gold_text, require
from .extract import FINAL_ANSWER, Extractor, clean, extract
from .normalize import normalize

MAX_ANSWER_CHARS = 1000  # a longer "final answer" is prose, and sympy could spend seconds on it
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_LATEX_WORDS = re.compile(r"\\(?:text|mathrm|textbf|mbox)\s*\{[^{}]*\}|\\[A-Za-z]+")
_MIXED_NUMBER = re.compile(r"^(-?\d+)\s+(\d+)\s*/\s*(\d+)$")
_EITHER = re.compile(r"\beither\s+", re.IGNORECASE)
_OR = re.compile(r"(?<![\\{])\bor\b(?![^{]*\})", re.IGNORECASE)
_OR_LATEX = r" \text{ or } "
_DELIMITED = ("$", "\\boxed", "\\fbox", "\\(", "\\[")


class math_answer(Reward):
    r"""1.0 when the completion's final answer equals the ground truth as mathematics, else 0.0.

    The answer is the first found of (``extractors``, in order): the last
    ``\boxed{}``/``\fbox{}`` (nested braces kept; an empty or truncated last box
    ends the search with no credit), the last ``<answer>`` tag, GSM8K's ``#### n``,
    "the answer is ...", the last number. Markdown (``**18**``), ``\$``, digit-group
    spacing (``1\,000``) and a final period are removed; ``2 1/3`` is read as a
    mixed number. math-verify then compares it with the ground truth, gold first
    (``verify(gold, answer)``: the order matters for equations and intervals):
    ``\frac12`` = ``0.5`` = ``50\%``, ``1,000`` = ``1000``, sets in any order,
    intervals, ``x = 3`` = ``3``. Integers are strict: for gold ``3``, ``3.0`` is
    right but ``3.0001`` and ``3.0000001`` are wrong. Hedges such as ``3 \text{ or } 4``
    parse as a set and do not equal ``3``.

    Parameters:
        extractors: where to look for the answer, in order (default boxed, answer_tag,
            gsm8k, answer_is, last_number).
        on_unparseable_gold: ``"error"`` (default) raises ``GoldUnparseable`` so the
            item's status is ``exception`` and names the ground truth;
            ``"string_match"`` compares normalized strings instead and records the
            component ``gold_unparseable = 1.0``.
        float_rounding: decimal places math-verify rounds floats to before comparing.
        timeout_seconds: math-verify's own parse/verify time limit (a ``signal.alarm``;
            only in the main thread, as in a sandboxed call; the grader's timeout is
            the hard limit).

    Range [0, 1].

    >>> reward = math_answer()
    >>> reward(r"... so $x = \boxed{\frac{1}{2}}$.", "0.5")
    1.0
    >>> reward("She has 48 - 9 = 39 cookies.\n#### 39", "39")
    1.0
    >>> reward(r"\boxed{3} ... wait, no: \boxed{4}", "3")
    0.0
    """

    extractors: tuple[Extractor, ...] = Field(FINAL_ANSWER, min_length=1)
    on_unparseable_gold: Literal["error", "string_match"] = "error"
    float_rounding: int = Field(6, ge=0, le=15)
    timeout_seconds: int = Field(5, ge=1)

    examples: ClassVar[tuple[Example, ...]] = (
        Example(r"The sum is $\frac{3}{6}$, i.e. \boxed{\frac{1}{2}}.", "0.5", 1.0),
        Example("48 - 9 = 39 cookies are left.\n#### 39", "39", 1.0),
        Example(r"First I thought \boxed{38}, but rechecking gives \boxed{39}.", "39", 1.0),
        Example(r"\boxed{39}, or maybe \boxed{38}", "39", 0.0),
        Example("The answer is **1,000**.", "1000", 1.0),
        Example(r"The roots are \boxed{\{2, 1\}}", r"\{1, 2\}", 1.0),
        Example("The answer is 3.0001", "3", 0.0),
        Example("", "39", 0.0),
    )

    def _prepare(self) -> None:
        require("math_verify", "math")

    def __call__(self, completion: str, ground_truth: str | int | float) -> float:
        ground_truth = gold_text(ground_truth, "math_answer")  # a number as its decimal text: 0.5, 42
        gold = self._parse(ground_truth)
        if all(isinstance(value, str) for value in gold):  # nothing, or only text math-verify could not read
            return self._unparseable_gold(completion, ground_truth)
        answer = extract(completion, self.extractors)
        if not answer or len(answer) > MAX_ANSWER_CHARS:
            return 0.0
        from math_verify import verify

        return 1.0 if verify(gold, self._parse(answer), float_rounding=self.float_rounding, timeout_seconds=self._timeout()) else 0.0

    def _parse(self, text: str) -> list:
        """math-verify's parse of an answer or gold string: delimited LaTeX as is, a bare expression in ``$...$``."""
        from math_verify import parse

        text = _MIXED_NUMBER.sub(r"\1\\frac{\2}{\3}", clean(text))
        text = _OR.sub(lambda _: _OR_LATEX, _EITHER.sub("", text))  # "6 or 4" is the set {4, 6}, never 4
        if not text:
            return []
        prose = _PROSE.search(_LATEX_WORDS.sub(" ", text))
        if prose and _OR_LATEX in text:
            return []  # "6 hours or 4 hours": a hedge math-verify would read as its first number
        if prose or any(marker in text for marker in _DELIMITED):
            candidates = [text]  # prose such as "18 eggs": math-verify's own extraction finds the number
        else:
            candidates = [f"${text}$", text]
        for candidate in candidates:
            parsed = parse(candidate, parsing_timeout=self._timeout())
            if parsed:
                return parsed
        return []

    def _unparseable_gold(self, completion: str, ground_truth: str) -> float:
        if self.on_unparseable_gold == "error":
            raise GoldUnparseable(
                f"math_answer: math-verify cannot parse the ground truth {ground_truth[:200]!r} as math; "
                "fix the data, or set on_unparseable_gold='string_match' to compare normalized strings"
            )
        from rewardbox.graders.runtime.frames import record_components

        record_components({"gold_unparseable": 1.0})
        answer = extract(completion, self.extractors)
        expected = normalize(clean(ground_truth))
        return 1.0 if answer and expected and normalize(clean(answer)) == expected else 0.0

    def _timeout(self) -> int | None:
        """math-verify's signal.alarm works only in the main thread; elsewhere the caller must bound the time."""
        return self.timeout_seconds if threading.current_thread() is threading.main_thread() else None
