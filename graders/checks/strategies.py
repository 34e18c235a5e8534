r"""Hypothesis strategies for completions around a ground truth, to test a reward with.

    >>> from hypothesis import given
    >>> from rewardbox.graders import correct_completions, wrong_completions
    >>> @given(correct_completions("42"))
    ... def test_gold_scores_one(completion): ...

Every strategy shrinks toward short, plain text: a failing example ends as small
as it can get, e.g. ``"\\boxed{42}"`` rather than three paragraphs of reasoning.
The pieces (answer formats, distractors, reasoning) are the same ones
``probes.probe_completions`` lists without hypothesis.
"""

from __future__ import annotations

import re
from typing import Any, Collection

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .probes import (
    ANSWER_FORMATS,
    EMPTY_TEXTS,
    HEDGE_FORMATS,
    UNRELATED_TEXTS,
    as_number,
    distractors,
    fill,
    robustness_inputs,
)

__all__ = [
    "answers_in_format", "completions_around", "correct_completions", "distractor_answers", "ground_truths", "ground_truths_like",
    "hostile_completions", "reasoning_texts", "truncations", "unrelated_completions", "wrong_completions",
]

_STEPS = (
    "First, {a} + {b} = {sum}.",
    "Then {a} × {b} = {product}.",
    "Next, {a} - {b} = {difference}.",
    "There are {a} {noun} in each box and {b} boxes.",
    "So far we have {a} {noun}.",
    "Let me double-check that.",
    "Wait, I should be careful with the units here.",
    "Let's solve this step by step.",
)
_NOUNS = ("apples", "pages", "students", "dollars", "eggs", "cookies", "minutes")
_WORDS = (
    "the", "a", "cat", "weather", "is", "nice", "today", "hello", "please", "sorry", "maybe", "think",
    "question", "interesting", "banana", "river", "blue", "quickly", "because", "and", "or", "not", "I", "you",
)
_SEPARATORS = ("\n", "\n\n", " ")
_NUMBER_IN_TEXT = re.compile(r"-?\d+")


def ground_truths() -> SearchStrategy[str]:
    """Ground truths of the usual shapes: integers, decimals, thousands separators, choice letters."""
    return st.one_of(
        st.integers(-1000, 100_000).map(str),
        st.tuples(st.integers(0, 999), st.integers(1, 99)).map(lambda pair: f"{pair[0]}.{pair[1]:02d}"),
        st.integers(1000, 999_999).map(lambda n: f"{n:,}"),
        st.sampled_from("ABCDE"),
    )


def ground_truths_like(value: Any, *, max_depth: int = 8) -> SearchStrategy[Any]:
    """JSON values of ``value``'s shape, ``value`` itself first (examples shrink back to it): a dict with the same
    keys, each value like its own; a list of up to two more elements like the ones it holds; an int or a float of
    the same sign and scale; a bool; text like the text (a number's text stays a number's text); null.

        >>> from hypothesis import given
        >>> @given(ground_truths_like({"target": 24, "numbers": [3, 8, 2, 1]}))
        ... def test_countdown_reward_is_in_range(truth): ...
    """
    return st.one_of(st.just(value), _like(value, max_depth))


def _like(value: Any, depth: int) -> SearchStrategy[Any]:
    if value is None or depth <= 0:
        return st.just(value)
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        bound = max(10, 2 * abs(value))
        return st.integers(0 if value >= 0 else -bound, bound if value >= 0 else 0)
    if isinstance(value, float):
        bound = max(10.0, 2 * abs(value))
        return st.floats(0.0 if value >= 0 else -bound, bound if value >= 0 else 0.0, allow_nan=False, allow_infinity=False)
    if isinstance(value, str):
        if as_number(value) is not None:
            return ground_truths().filter(lambda text: as_number(text) is not None)
        return st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=min(1, len(value)), max_size=max(8, 2 * len(value)))
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: _like(item, depth - 1) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        if not value:
            return st.just([])
        kinds = {type(item): item for item in value}  # one example of each type the list holds
        element = st.one_of([_like(item, depth - 1) for item in kinds.values()])
        return st.lists(element, min_size=min(1, len(value)), max_size=len(value) + 2)
    raise TypeError(f"ground_truths_like: {type(value).__name__} is not a JSON value")


def answers_in_format(answer: str | SearchStrategy[str], formats: Collection[str] | None = None) -> SearchStrategy[str]:
    """``answer`` written in one of ``formats`` (names of ``ANSWER_FORMATS``; default all): "#### 42", "\\boxed{42}", ..."""
    templates = [ANSWER_FORMATS[name] for name in _format_names(formats)]
    answers = answer if isinstance(answer, SearchStrategy) else st.just(answer)
    return st.tuples(st.sampled_from(templates), answers).map(lambda pair: fill(*pair))


def reasoning_texts(avoid: str | None = None) -> SearchStrategy[str]:
    """Step-by-step text with small arithmetic ("First, 3 + 4 = 7."); no number in it equals ``avoid``."""
    avoided = as_number(avoid) if avoid is not None else None
    step = st.tuples(st.sampled_from(_STEPS), st.integers(0, 999), st.integers(0, 99), st.sampled_from(_NOUNS)).map(_step)
    if avoided is not None:
        step = step.filter(lambda text: all(int(n) != avoided for n in _NUMBER_IN_TEXT.findall(text)))
    return st.lists(step, max_size=6).map("\n".join)


def _step(parts: tuple[str, int, int, str]) -> str:
    template, a, b, noun = parts
    return template.format(a=a, b=b, sum=a + b, product=a * b, difference=a - b, noun=noun)


def distractor_answers(ground_truth: str) -> SearchStrategy[str]:
    """Answers that are not ``ground_truth``: nearby numbers, numbers containing it ("420" for "42"), other letters."""
    value = as_number(ground_truth)
    fixed = st.sampled_from(distractors(ground_truth, count=6) or ["unknown"])
    if value is None:
        return fixed
    nearby = st.integers(-1000, 100_000).filter(lambda n: n != value).map(str)
    return st.one_of(fixed, nearby)


def correct_completions(ground_truth: str, formats: Collection[str] | None = None) -> SearchStrategy[str]:
    """Optional reasoning, then ``ground_truth`` in one of ``formats``: what a correct reward scores the maximum."""
    return _after_reasoning(ground_truth, answers_in_format(ground_truth, formats))


def wrong_completions(ground_truth: str, formats: Collection[str] | None = None) -> SearchStrategy[str]:
    """Optional reasoning, then a wrong answer in a format, or a hedge listing ``ground_truth`` among wrong answers."""
    wrong = distractor_answers(ground_truth)
    hedges = st.tuples(st.sampled_from(HEDGE_FORMATS), wrong, wrong).filter(lambda t: t[1] != t[2])
    return st.one_of(
        _after_reasoning(ground_truth, answers_in_format(wrong, formats)),
        hedges.map(lambda t: fill(t[0], ground_truth, first=t[1], last=t[2])),
    )


def _after_reasoning(ground_truth: str, answers: SearchStrategy[str]) -> SearchStrategy[str]:
    return st.tuples(reasoning_texts(avoid=ground_truth), st.sampled_from(_SEPARATORS), answers).map(
        lambda t: t[0] + t[1] + t[2] if t[0] else t[2]
    )


def truncations(completions: SearchStrategy[str]) -> SearchStrategy[str]:
    """Completions from ``completions`` cut off part-way, as when a model hits its token limit."""
    return completions.filter(bool).flatmap(lambda text: st.integers(0, len(text) - 1).map(lambda cut: text[:cut]))


def unrelated_completions() -> SearchStrategy[str]:
    """Text that gives no answer at all (no digits, no answer markers): a reward should score it the minimum."""
    words = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30).map(" ".join)
    return st.one_of(st.sampled_from(UNRELATED_TEXTS), words)


def hostile_completions(*, large: bool = False) -> SearchStrategy[str]:
    """Empty and whitespace text, any unicode, control and format characters, long repeats; 1 MiB texts if ``large``."""
    strategies = [
        st.sampled_from(EMPTY_TEXTS + ("\t", "\r\n", "\u00a0", "\u3000")),
        st.text(max_size=200),
        st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn")), max_size=50),
        st.tuples(st.text(min_size=1, max_size=8), st.integers(1, 20_000)).map(lambda t: (t[0] * t[1])[:100_000]),
    ]
    if large:
        strategies.append(st.sampled_from([text for _, text in robustness_inputs()]))
    return st.one_of(strategies)


def completions_around(ground_truth: str, real: Collection[str] = ()) -> SearchStrategy[str]:
    """Ordinary completions for ``ground_truth``: correct, wrong, cut off, unrelated, and any ``real`` ones given."""
    options = [correct_completions(ground_truth), wrong_completions(ground_truth)]
    options += [truncations(correct_completions(ground_truth)).filter(bool), unrelated_completions()]
    if real:
        options.insert(0, st.sampled_from(sorted(real)))
    return st.one_of(options)


def _format_names(formats: Collection[str] | None) -> list[str]:
    if formats is None:
        return list(ANSWER_FORMATS)
    unknown = [name for name in formats if name not in ANSWER_FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats={sorted(formats)!r}: expected names among {', '.join(ANSWER_FORMATS)}")
    return list(formats)
