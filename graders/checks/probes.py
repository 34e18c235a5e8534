r"""Completions that probe a reward around one ground truth: plain text, pure and deterministic.

``probe_completions("42")`` gives, by kind, what a correct reward must score at
the maximum (``correct_formats``), below the maximum (``wrong``, ``truncated``)
and at the minimum (``unrelated``, ``empty``)::

    >>> probes = probe_completions("42")
    >>> probes["correct_formats"][:3]
    ['42', '\\boxed{42}', 'The final answer is $\\boxed{42}$.']
    >>> "#### 43" in probes["wrong"]
    True

No hypothesis here: ``rewardbox preflight`` and ``rewardbox check`` use these
lists as they are; ``strategies.py`` builds its generators from the same pieces.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Each template has one "{answer}"; filled with str.replace, so braces in LaTeX need no escaping.
ANSWER_FORMATS: dict[str, str] = {
    "plain": "{answer}",
    "boxed": "\\boxed{{answer}}",
    "boxed_sentence": "The final answer is $\\boxed{{answer}}$.",
    "hashes": "#### {answer}",
    "answer_is": "The answer is {answer}.",
    "answer_colon": "Answer: {answer}",
    "bold": "**{answer}**",
}
HEDGE_FORMATS: tuple[str, ...] = (
    "The answer is {first} or {answer} or {last}.",
    "#### {first}, {answer}, {last}",
)
PROBE_KINDS = ("correct_formats", "wrong", "truncated", "unrelated", "empty")
# Prose with no digits and no answer markers: a reward must give it the minimum score.
UNRELATED_TEXTS: tuple[str, ...] = (
    "I don't know.",
    "Hello! How can I help you today?",
    "The quick brown fox jumps over the lazy dog.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
    "I'm sorry, but I can't help with that request.",
    "Let me think about this problem carefully before I answer it.",
)
EMPTY_TEXTS: tuple[str, ...] = ("", " ", "\n\n")
LARGE_SIZE = 1 << 20  # characters in each large robustness input
_INTRO = "Let's solve this step by step."
_NUMBER_RE = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CHOICES = "ABCDE"
_GENERIC_WRONG = ("0", "1", "none", "unknown")


def fill(template: str, answer: str, **others: str) -> str:
    """``template`` with ``{answer}`` (and any ``{first}``/``{last}``) replaced, braces elsewhere kept."""
    text = template.replace("{answer}", answer)
    for name, value in others.items():
        text = text.replace("{" + name + "}", value)
    return text


def as_number(text: str) -> Decimal | None:
    """``text`` as an exact number ("1,050", "-3", "0.50"), or None when it is not one plain number."""
    text = text.strip()
    if not _NUMBER_RE.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def distractors(ground_truth: str, count: int = 4) -> list[str]:
    """Up to ``count`` answers that are not ``ground_truth``: near numbers, numbers that contain it, other choices."""
    value = as_number(ground_truth)
    gt = ground_truth.strip()
    if value is not None:
        candidates = [_like(value + 1, gt), _like(value - 1, gt), _like(value * 10 if value else Decimal(10), gt)]
        if value == value.to_integral_value() and value >= 0 and "," not in gt:
            candidates += [gt + "0", "1" + gt]  # "420" and "142" contain "42": they catch containment checks
        candidates.append(_like(value + 100, gt))
        wrong = [c for c in candidates if as_number(c) != value]
    elif len(gt) == 1 and gt.isalpha():
        wrong = [c if gt.isupper() else c.lower() for c in _CHOICES if c != gt.upper()]
    else:
        wrong = [c for c in _GENERIC_WRONG if c.lower() != gt.lower()]
    return list(dict.fromkeys(wrong))[:count]


def _like(number: Decimal, example: str) -> str:
    """``number`` written with as many decimal places as ``example``."""
    places = len(example.split(".", 1)[1]) if "." in example else 0
    return f"{number:.{places}f}"


def reasoning(ground_truth: str) -> str:
    """A few lines of step-by-step arithmetic in which no number equals ``ground_truth``."""
    a, b, c = _safe_operands(as_number(ground_truth))
    return f"{_INTRO}\nFirst, {a} + {b} = {a + b}.\nThen {a + b} × {c} = {(a + b) * c}.\n"


def _safe_operands(avoid: Decimal | None) -> tuple[int, int, int]:
    for a in range(3, 40):
        for b, c in ((4, 3), (6, 5), (8, 7)):
            if avoid is None or all(Decimal(n) != avoid for n in (a, b, c, a + b, (a + b) * c)):
                return a, b, c
    raise AssertionError("unreachable: three distinct triples cannot all contain one number")


def correct_formats(ground_truth: str) -> list[str]:
    """``ground_truth`` in every answer format, alone and after step-by-step reasoning."""
    steps = reasoning(ground_truth)
    bare = [fill(template, ground_truth) for template in ANSWER_FORMATS.values()]
    return bare + [steps + text for text in bare]


def wrong_answers(ground_truth: str) -> list[str]:
    """Answers that are not ``ground_truth`` in answer formats, and hedges that list it among wrong ones."""
    wrong = distractors(ground_truth)
    steps = reasoning(ground_truth)
    formats = ("hashes", "boxed", "answer_is", "bold")
    texts = [steps + fill(ANSWER_FORMATS[formats[i % len(formats)]], answer) for i, answer in enumerate(wrong)]
    texts += [fill(ANSWER_FORMATS[name], wrong[0]) for name in ("hashes", "boxed")] if wrong else []
    if len(wrong) >= 2:
        texts += [fill(template, ground_truth, first=wrong[0], last=wrong[1]) for template in HEDGE_FORMATS]
    return texts


def cut_off(ground_truth: str) -> list[str]:
    """Completions cut off before their answer was written (the model hit its token limit)."""
    steps = reasoning(ground_truth)
    half = steps[: steps.rfind(" ", 0, len(steps) // 2)]
    return [half, steps, steps + "The answer is", steps + "####", steps + "\\boxed{"]


def unrelated_texts(ground_truth: str | None = None) -> list[str]:
    """Text that gives no answer; those that mention ``ground_truth`` as a word are left out."""
    if not ground_truth or not ground_truth.strip():
        return list(UNRELATED_TEXTS)
    word = re.compile(rf"(?<!\w){re.escape(ground_truth.strip())}(?!\w)", re.IGNORECASE)
    return [text for text in UNRELATED_TEXTS if not word.search(text)]


def probe_completions(ground_truth: str) -> dict[str, list[str]]:
    """Completions around ``ground_truth`` by kind: correct_formats, wrong, truncated, unrelated, empty."""
    return {
        "correct_formats": correct_formats(ground_truth),
        "wrong": wrong_answers(ground_truth),
        "truncated": cut_off(ground_truth),
        "unrelated": unrelated_texts(ground_truth),
        "empty": list(EMPTY_TEXTS),
    }


def robustness_inputs(size: int = LARGE_SIZE) -> list[tuple[str, str]]:
    """Named inputs a reward must survive: empty, whitespace, unicode, control characters, ``size``-character texts."""
    steps = reasoning("")
    label = "1 MiB" if size == LARGE_SIZE else f"{size:,} characters"
    return [
        ("empty", ""),
        ("whitespace", " \t\n \r\n\u00a0\u3000 "),
        ("unicode", "Ответ: ４２ — 答案是四十二 🤖🧮 é\u0301 \u202eRTL\u202c 𝟒𝟐 \ufffd"),
        ("control characters", "\x00\x01\x07\x1b[31m#### \x7f\u200b\ufeff\u2028\x00\r"),
        (f"{label} of reasoning", (steps * (size // len(steps) + 1))[:size]),
        (f"{label} of digits", "9" * size),
        (f"{label} on one line", "a" * size),
        (f"{label} of nested \\boxed{{", ("\\boxed{" * (size // 7 + 1))[:size]),
    ]
