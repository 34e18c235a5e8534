r"""``think_format``: the completion has the reasoning/answer tag structure, each tag exactly once."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from .base import Example, Reward
from .extract import last_tag

_TAG_NAME = r"^[A-Za-z][\w-]*$"


class think_format(Reward):
    r"""Score the structure ``<think>reasoning</think> <answer>answer</answer>``; the ground truth is ignored.

    The checks: each tag appears exactly once (``<think>`` not at all when the
    prompt already opened it, ``prefilled_think``); the completion starts with
    ``<think>`` (or inside it when prefilled); the reasoning is not empty; the
    answer block comes right after ``</think>`` and nothing but whitespace follows
    it. With ``partial_credit`` the score is the fraction of checks passed,
    otherwise 1.0 only when all pass. Either way an answer that is present but
    empty (``<answer></answer>``, or nothing after ``</think>`` when
    ``answer_tag`` is None) scores 0.0: a format reward must not pay for
    answering nothing. Repeated think/answer blocks fail the exactly-once checks.

    Parameters:
        prefilled_think: the prompt ends with ``<think>`` (a chat template that
            opens the reasoning for the model), so the completion starts inside it.
        think_tag: the reasoning tag name (default ``think``).
        answer_tag: the answer tag name (default ``answer``); None for the
            R1/Qwen3 style where the answer is the text after ``</think>``.
        partial_credit: the fraction of checks passed instead of all-or-nothing.

    Range [0, 1].

    >>> reward = think_format()
    >>> reward("<think>\n2 + 2 = 4\n</think>\n<answer>4</answer>", "")
    1.0
    >>> reward("<think>2 + 2 = 4</think><answer></answer>", "")
    0.0
    >>> think_format(prefilled_think=True)("2 + 2 = 4\n</think>\n<answer>4</answer>", "")
    1.0
    """

    prefilled_think: bool = False
    think_tag: str = Field("think", pattern=_TAG_NAME)
    answer_tag: str | None = Field("answer", pattern=_TAG_NAME)
    partial_credit: bool = False

    examples: ClassVar[tuple[Example, ...]] = (
        Example("<think>\n16 - 3 - 4 = 9 eggs, 9 * 2 = 18\n</think>\n<answer>18</answer>", "18", 1.0),
        Example("<think>short</think><answer></answer>", "18", 0.0),
        Example("<think>a</think><answer>1</answer><think>b</think><answer>2</answer>", "2", 0.0),
        Example("The answer is 18.", "18", 0.0),
        Example("<answer>18</answer>", "18", 0.0),
        Example("", "18", 0.0),
    )

    def _prepare(self) -> None:
        think = re.escape(self.think_tag)
        opening = "" if self.prefilled_think else rf"<{think}>"
        answer = rf"<{re.escape(self.answer_tag)}>(?P<answer>.*?)</{re.escape(self.answer_tag)}>" if self.answer_tag else r"(?P<answer>.*?)"
        self._shape = re.compile(rf"\s*{opening}(?P<think>.*?)</{think}>\s*{answer}\s*", re.DOTALL)
        tags = [f"<{self.think_tag}>", f"</{self.think_tag}>"]
        if self.answer_tag:
            tags += [f"<{self.answer_tag}>", f"</{self.answer_tag}>"]
        self._counts = {tag: (0 if self.prefilled_think and tag == tags[0] else 1) for tag in tags}

    def __call__(self, completion: str, ground_truth: object = None) -> float:
        """The ground truth is not used: a row needs none."""
        if self._answer_is_empty(completion):
            return 0.0
        checks = self._checks(completion)
        return sum(checks) / len(checks) if self.partial_credit else float(all(checks))

    def _checks(self, completion: str) -> list[bool]:
        """Each tag's count, then the overall shape, then non-empty reasoning."""
        counts = [completion.count(tag) == expected for tag, expected in self._counts.items()]
        shape = self._shape.fullmatch(completion) if all(counts) else None
        return [*counts, shape is not None, shape is not None and bool(shape["think"].strip())]

    def _answer_is_empty(self, completion: str) -> bool:
        """The (last) answer block is there but holds nothing, or was cut off before its closing tag."""
        if self.answer_tag:
            return last_tag(completion, self.answer_tag) == ""
        before, closing, after = completion.rpartition(f"</{self.think_tag}>")
        return bool(closing) and not after.strip()
