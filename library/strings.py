"""``string_match`` and ``regex_match``: the completion's answer, as text, equals the ground truth."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from .base import Example, GoldUnparseable, Reward, gold_texts
from .extract import TAGGED_OR_WHOLE, TEXT_ANSWER, Extractor, extract, last_match
from .normalize import ALL_NORMALIZATIONS, Normalization, normalize

RegexFlag = Literal["IGNORECASE", "MULTILINE", "DOTALL"]


def _matches(answer: str | None, ground_truth: object, steps: tuple[Normalization, ...], reward: str) -> float:
    """1.0 when the normalized answer equals the normalized, non-empty ground truth (a string, a number, or a list of
    accepted answers: any one matches); an empty answer never matches."""
    expected = set()
    for text in gold_texts(ground_truth, reward):
        expected.add(normalize(text, steps))
        if "" in expected:
            raise GoldUnparseable(f"{reward}: the ground truth {text[:200]!r} is empty after normalization")
    return 1.0 if answer is not None and normalize(answer, steps) in expected else 0.0


class string_match(Reward):
    """1.0 when the completion's answer equals the ground truth after normalization, else 0.0.

    The answer is the last ``\\boxed{}``, ``<answer>`` tag, ``#### ...`` line or
    "the answer is ..." phrase, else the last line (``extractors``). Both sides are normalized with ``normalize``
    (default: all of unicode NFKC and accents, case, punctuation, articles,
    whitespace, as SQuAD's exact match; ``normalize=[]`` for an exact match).
    An empty answer (``<answer></answer>``) never matches; containment earns
    nothing ("Paris or Lyon" is not "Paris"). An empty ground truth raises
    ``GoldUnparseable``.

    Parameters:
        normalize: the normalization steps (``unicode``, ``case``, ``punctuation``,
            ``articles``, ``whitespace``).
        extractors: where to look for the answer, in order (default boxed, answer_tag,
            gsm8k, answer_is, last_line).

    Range [0, 1].

    >>> string_match()("<answer>The  Eiffel Tower!</answer>", "eiffel tower")
    1.0
    >>> string_match(normalize=[])("Eiffel tower", "Eiffel Tower")
    0.0
    """

    normalize: tuple[Normalization, ...] = ALL_NORMALIZATIONS
    extractors: tuple[Extractor, ...] = Field(TEXT_ANSWER, min_length=1)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("<think>capital of France</think><answer>Paris.</answer>", "Paris", 1.0),
        Example("<answer>  the Amazon  </answer>", "amazon", 1.0),
        Example("<answer>Paris or Lyon</answer>", "Paris", 0.0),
        Example("<answer></answer>", "Paris", 0.0),
        Example("Café", "cafe", 1.0),
        Example("", "Paris", 0.0),
    )

    def __call__(self, completion: str, ground_truth: str | int | float | list) -> float:
        return _matches(extract(completion, self.extractors), ground_truth, self.normalize, "string_match")


class regex_match(Reward):
    r"""1.0 when a regex's capture from the completion equals the ground truth, else 0.0.

    ``pattern`` is searched in the completion; ``occurrence`` picks the first or
    the last match (default last: the final answer, not one in the reasoning),
    and ``group`` the capture (a number or a name; default 1 when the pattern has
    groups, else the whole match). The capture is compared with the ground truth
    after ``normalize`` (default: only surrounding whitespace ignored). No match,
    or an empty capture, scores 0.0.

    Parameters:
        pattern: a Python regular expression.
        group: the capture group to compare (number or name).
        occurrence: ``"last"`` (default) or ``"first"``.
        flags: any of ``IGNORECASE``, ``MULTILINE``, ``DOTALL``.
        normalize: normalization steps for both sides (see ``string_match``).

    Range [0, 1].

    >>> reward = regex_match(pattern=r"Final answer:\s*(\w+)")
    >>> reward("Final answer: no ... Final answer: yes", "yes")
    1.0
    >>> regex_match(pattern=r"Final answer:\s*(\w+)", occurrence="first")("Final answer: no ... Final answer: yes", "yes")
    0.0
    """

    pattern: str
    group: int | str | None = None
    occurrence: Literal["first", "last"] = "last"
    flags: tuple[RegexFlag, ...] = ()
    normalize: tuple[Normalization, ...] = ("whitespace",)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("Option 1 fails. Final answer: B", "B", 1.0),
        Example("Final answer: A\nHmm, no. Final answer: C", "C", 1.0),
        Example("Final answer: A\nHmm, no. Final answer: C", "A", 0.0),
        Example("I do not know.", "B", 0.0),
        Example("", "B", 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {"pattern": r"Final answer:\s*([A-Z])"}

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _group_exists(self) -> regex_match:
        regex = re.compile(self.pattern)
        if isinstance(self.group, int) and not 0 <= self.group <= regex.groups:
            raise ValueError(f"group {self.group}: the pattern has {regex.groups} group(s)")
        if isinstance(self.group, str) and self.group not in regex.groupindex:
            raise ValueError(f"group {self.group!r}: the pattern has no group of that name")
        return self

    def _prepare(self) -> None:
        flags = 0
        for flag in self.flags:
            flags |= getattr(re, flag)
        self._regex = re.compile(self.pattern, flags)
        self._group = self.group if self.group is not None else (1 if self._regex.groups else 0)

    def __call__(self, completion: str, ground_truth: str | int | float | list) -> float:
        match = self._regex.search(completion) if self.occurrence == "first" else last_match(self._regex, completion)
        captured = match.group(self._group) if match else None
        return _matches(captured or None, ground_truth, self.normalize, "regex_match")

