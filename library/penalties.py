"""Penalties in [-1, 0] for the shape of a completion: ``length_penalty`` and ``repetition_penalty``.

They ignore the ground truth, and are meant to be added to a correctness reward
with ``compose`` (weights set how much they count).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Example, Reward

Unit = Literal["words", "chars"]


def units(text: str, unit: Unit) -> list[str]:
    """Whitespace-separated words (lower case), or characters other than whitespace (for text without spaces)."""
    return text.lower().split() if unit == "words" else [c for c in text if not c.isspace()]


class length_penalty(Reward):
    """A penalty in [-1, 0] for completions that run long (``max_length``) or miss a length ``target``.

    Overlong (DAPO's soft overlong punishment): no penalty up to
    ``max_length - buffer``, then linear down to -1.0 at ``max_length``, and -1.0
    beyond. With ``buffer=0`` it is a hard -1.0 over the limit. Target:
    ``-min(1, |length - target| / target)``. With both, the lower (worse) of the
    two. Length counts ``unit``: words (default) or non-space characters; this
    has no tokenizer, so pick ``max_length`` in words for token budgets
    (roughly 0.75 words per token for English).

    Parameters:
        max_length: the length at which the penalty reaches -1.0.
        buffer: the soft zone before ``max_length`` where the penalty grows linearly.
        target: the desired length.
        unit: ``"words"`` or ``"chars"``.

    Range [-1, 0].

    >>> reward = length_penalty(max_length=10, buffer=5)
    >>> reward("one two three", ""), reward("one two three four five six seven eight", "")
    (0.0, -0.6)
    """

    max_length: int | None = Field(None, gt=0)
    buffer: int = Field(0, ge=0)
    target: int | None = Field(None, gt=0)
    unit: Unit = "words"

    RANGE: ClassVar[tuple[float, float]] = (-1.0, 0.0)
    examples: ClassVar[tuple[Example, ...]] = (
        Example("The answer is 42.", "42", 0.0),
        Example("Let me think: six times seven is 42.", "42", -0.6),
        Example("Let me think about this carefully: six times seven, that is, 42.", "42", -1.0),
        Example("", "42", 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {"max_length": 10, "buffer": 5}

    @model_validator(mode="after")
    def _consistent(self) -> length_penalty:
        if self.max_length is None and self.target is None:
            raise ValueError("give max_length (overlong penalty), target (distance from a length), or both")
        if self.buffer and (self.max_length is None or self.buffer > self.max_length):
            raise ValueError(f"buffer={self.buffer} needs max_length >= buffer")
        return self

    def __call__(self, completion: str, ground_truth: object = None) -> float:
        length = len(units(completion, self.unit))
        penalty = 0.0
        if self.max_length is not None:
            soft_start = self.max_length - self.buffer
            if length > self.max_length:
                penalty = -1.0
            elif length > soft_start:
                penalty = (soft_start - length) / self.buffer
        if self.target is not None:
            penalty = min(penalty, 0.0 - min(1.0, abs(length - self.target) / self.target))
        return penalty


class repetition_penalty(Reward):
    """A penalty in [-1, 0] for repeated n-grams: ``-(1 - distinct n-grams / all n-grams)``.

    The measure TRL and open-r1 use (``get_repetition_penalty_reward``), without
    a scale of its own: weight it in ``compose``. Text shorter than one n-gram
    scores 0.0. ``unit="chars"`` counts character n-grams, for languages written
    without spaces.

    Parameters:
        ngram_size: n (default 3).
        unit: ``"words"`` (default, lower-cased) or ``"chars"``.

    Range [-1, 0].

    >>> repetition_penalty()("the cat sat on the mat", "")
    0.0
    >>> repetition_penalty()("yes yes yes yes yes yes", "")
    -0.75
    """

    ngram_size: int = Field(3, ge=1)
    unit: Unit = "words"

    RANGE: ClassVar[tuple[float, float]] = (-1.0, 0.0)
    examples: ClassVar[tuple[Example, ...]] = (
        Example("First add 3 and 4 to get 7, then double it to get 14.", "14", 0.0),
        Example("yes yes yes yes yes yes", "14", -0.75),
        Example("", "14", 0.0),
    )

    def __call__(self, completion: str, ground_truth: object = None) -> float:
        tokens = units(completion, self.unit)
        total = len(tokens) - self.ngram_size + 1
        if total <= 0:
            return 0.0
        distinct = len({tuple(tokens[i : i + self.ngram_size]) for i in range(total)})
        return distinct / total - 1.0
