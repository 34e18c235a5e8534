r"""``choice_answer``: the completion picks exactly one option letter, and it is the right one."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from .base import Example, GoldUnparseable, Reward, gold_texts
from .extract import after_hashes, last_boxed, last_line, last_match, last_tag

_ANCHOR = re.compile(
    r"(?:answer|option|choice)\s*(?:is\b|would\s+be\b|:)\s*:?\s*(?:option\b|choice\b|letter\b)?\s*:?",
    re.IGNORECASE,
)
_LATEX_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mathbf|mbox)\s*\{([^{}]*)\}")
_DECORATION = re.compile(r"[*_`$]")


class choice_answer(Reward):
    r"""1.0 when the completion commits to one option letter and it is the ground truth's, else 0.0.

    The letter is looked for, in order, in the last ``\boxed{}`` (``\boxed{B}``,
    ``\boxed{\text{B}}``, ``\boxed{(B)}``), the last ``<answer>`` tag, a GSM8K-style
    ``#### B`` line, the phrase after
    the last "answer is" / "Answer:" / "correct option is" (``**Answer:** (B)``), and
    finally a last line that is only an option ("B", "(B)", "B) 42", "**B.**").
    Where the answer names two options joined by "or", "and", "/", "," or "&"
    ("A or B", "A/B", "either A or C"), it is a hedge and scores 0.0; a letter it denies
    ("not B; it is A") is not its answer. The ground
    truth is a letter ("B", "(B)", "\text{B}"); anything else raises ``GoldUnparseable``.

    Parameters:
        letters: the option letters (default ``ABCDEFGHIJ``); upper case in completions.

    Range [0, 1].

    >>> reward = choice_answer()
    >>> reward(r"Only the third works, so \boxed{\text{C}}.", "C")
    1.0
    >>> reward("The answer is A or C.", "C")
    0.0
    """

    letters: str = Field("ABCDEFGHIJ", min_length=2, pattern=r"^[A-Z]+$")

    examples: ClassVar[tuple[Example, ...]] = (
        Example(r"Checking each option, only (B) fits. \boxed{\text{B}}", "B", 1.0),
        Example("**Answer:** (C)", "C", 1.0),
        Example("The answer is B because A is too small.", "B", 1.0),
        Example("It could be A or B.\nAnswer: A or B", "A", 0.0),
        Example(r"\boxed{A/B}", "A", 0.0),
        Example("The answer is not B; it is A.", "B", 0.0),
        Example("D", "D", 1.0),
        Example("", "A", 0.0),
    )

    def _prepare(self) -> None:
        letter = f"[{self.letters}]"
        self._letter = re.compile(rf"(?<![A-Za-z0-9]){letter}(?![A-Za-z0-9])")
        self._hedge = re.compile(
            rf"(?<![A-Za-z0-9]){letter}\)?\s*(?:,|/|&|\bor\b|\band\b|\bvs\.?)\s*(?:\bor\b\s*)?\(?{letter}(?![A-Za-z0-9])"
        )
        self._alone = re.compile(rf"^\(?({letter})(?:[).:]|\)?\s*$)")
        self._negated = re.compile(rf"(?:\bnot|n't|\bnever|\brather\s+than|\binstead\s+of)\s+\(?{letter}\)?(?![A-Za-z0-9])", re.IGNORECASE)

    def __call__(self, completion: str, ground_truth: str | list[str]) -> float:
        """``ground_truth`` is the right letter, or a list of the letters that are all accepted (``["A", "C"]``)."""
        accepted = set()
        for text in gold_texts(ground_truth, "choice_answer"):
            gold = self._alone.match(_plain(text).upper())
            if gold is None:
                raise GoldUnparseable(f"choice_answer: the ground truth {text[:200]!r} is not one of the letters {self.letters}")
            accepted.add(gold.group(1))
        return 1.0 if self.chosen(completion) in accepted else 0.0

    def chosen(self, completion: str) -> str | None:
        """The one letter the completion commits to, or None (no answer, or a hedge)."""
        for span in (last_boxed(completion), last_tag(completion), after_hashes(completion), _after_last_anchor(completion)):
            if span is not None:
                return self._letter_in(_plain(span))
        alone = self._alone.match(_plain(last_line(completion) or ""))
        return alone.group(1) if alone else None

    def _letter_in(self, span: str) -> str | None:
        if self._hedge.search(span):
            return None
        letter = self._letter.search(self._negated.sub(" ", span))  # "not B; it is A" commits to A
        return letter.group(0) if letter else None


def _plain(text: str) -> str:
    r"""``\text{B}``, ``**B**`` and ``$B$`` read as ``B``."""
    return _DECORATION.sub("", _LATEX_WRAPPER.sub(r"\1", text)).strip()


def _after_last_anchor(text: str) -> str | None:
    """The rest of the line after the last "answer is" / "Answer:" / "correct option is"."""
    anchor = last_match(_ANCHOR, text)
    return text[anchor.end() :].lstrip().split("\n", 1)[0] if anchor else None
