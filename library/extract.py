r"""Finding the final answer in a completion: text in, the answer's text (or None) out.

Each extractor returns None when the completion has no answer of its kind, and
a string (possibly empty) when it has one. ``extract`` tries extractors in order
and stops at the first that finds something, so an empty ``\boxed{}``, an empty
``<answer></answer>`` or a box cut off by truncation ends the search with an
empty answer (no credit) instead of falling back to some number in the reasoning.

    >>> extract(r"First \boxed{2}, then \boxed{\frac{1}{3}}.", ("boxed", "last_number"))
    '\\frac{1}{3}'
    >>> extract("48 - 9 = 39 cookies.\n#### 39", ("boxed", "gsm8k", "last_number"))
    '39'
    >>> extract("<answer></answer> but 42", ("answer_tag", "last_number"))
    ''
"""

from __future__ import annotations

import re
from typing import Callable, Literal

Extractor = Literal["boxed", "answer_tag", "gsm8k", "answer_is", "bare", "last_number", "last_line", "whole"]
FINAL_ANSWER: tuple[Extractor, ...] = ("boxed", "answer_tag", "gsm8k", "answer_is", "bare", "last_number")  # math and numbers
TEXT_ANSWER: tuple[Extractor, ...] = ("boxed", "answer_tag", "gsm8k", "answer_is", "last_line")  # short text answers
TAGGED_OR_WHOLE: tuple[Extractor, ...] = ("answer_tag", "whole")  # free text

_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_IS = re.compile(r"(?:final\s+)?answer\s*(?:is\b|:)\s*:?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?=\s|$)")
_DENIED = re.compile(r"not\b[^;,]*[;,]\s*(?:(?:it|that)\s+is\b|but\b|rather\b)?\s*:?", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?(?![\w])")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]{2,}")
MAX_BARE_CHARS = 64
_MARKDOWN = re.compile(r"\*\*|__|`")
_DIGIT_SPACING = re.compile(r"(?<=\d)(?:\\,|\\!|\\;|\\ |\{,\})(?=\d{3})")


def last_match(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of ``regex`` in ``text`` (the final answer, not the first one in the reasoning)."""
    found = None
    for found in regex.finditer(text):
        pass
    return found


def last_boxed(text: str) -> str | None:
    r"""The contents of the last ``\boxed{...}`` or ``\fbox{...}``, nested and escaped braces respected.

    A last box that never closes (a truncated completion) gives ``""``.
    """
    opening = last_match(_BOX_OPEN, text)
    if opening is None:
        return None
    return balanced(text, opening.end() - 1)


def balanced(text: str, start: int) -> str:
    """The text inside the brace group opening at ``text[start] == "{"``; ``""`` if it never closes."""
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        i += 1
    return ""


def last_tag(text: str, tag: str = "answer") -> str | None:
    """The stripped contents of the last ``<tag>...</tag>``; ``""`` if that tag never closes."""
    start = text.rfind(f"<{tag}>")
    if start < 0:
        return None
    start += len(tag) + 2
    end = text.find(f"</{tag}>", start)
    return text[start:end].strip() if end >= 0 else ""


def after_hashes(text: str) -> str | None:
    """GSM8K's final-answer line: the rest of the line after the last ``####``."""
    marker = text.rfind("####")
    if marker < 0:
        return None
    return text[marker + 4 :].split("\n", 1)[0].strip()


def answer_is(text: str) -> str | None:
    """The phrase after the last "answer is" / "answer:" (up to the end of its sentence or line); a denied answer
    before it is dropped ("the answer is not 56; it is 57" gives "57")."""
    anchor = last_match(_ANSWER_IS, text)
    if anchor is None:
        return None
    rest = text[anchor.end() :].lstrip()
    line = rest.split("\n", 1)[0]
    phrase = _SENTENCE_END.split(line, 1)[0].strip()
    denied = _DENIED.match(phrase)
    return phrase[denied.end() :].strip() if denied else phrase


def last_number(text: str) -> str | None:
    """The last number in the text ("1,234.5", "-3", "3/4")."""
    number = last_match(_NUMBER, text)
    return number.group(0) if number else None


def bare(text: str) -> str | None:
    r"""A last line that is only an expression (``\{1, 2\}``, ``-7/2``), or a one-line completion such as ``x = 3``.

    Lines with words are left to the other extractors, and so is a working line
    such as ``5 + 3 = 8`` after reasoning (its last number is the answer).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or len(lines[-1]) > MAX_BARE_CHARS or (len(lines) > 1 and "=" in lines[-1]):
        return None
    return None if _WORD.search(_LATEX_COMMAND.sub(" ", lines[-1])) else lines[-1]


def last_line(text: str) -> str | None:
    """The last non-blank line, stripped."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return None


def whole(text: str) -> str:
    """The whole completion, stripped."""
    return text.strip()


EXTRACTORS: dict[str, Callable[[str], str | None]] = {
    "boxed": last_boxed,
    "answer_tag": last_tag,
    "gsm8k": after_hashes,
    "answer_is": answer_is,
    "bare": bare,
    "last_number": last_number,
    "last_line": last_line,
    "whole": whole,
}


def extract(text: str, extractors: tuple[Extractor, ...]) -> str | None:
    """The answer found by the first extractor that finds one, or None."""
    for name in extractors:
        found = EXTRACTORS[name](text)
        if found is not None:
            return found
    return None


def clean(answer: str) -> str:
    r"""Remove presentation around an answer: markdown emphasis, ``\$``, digit-group spacing, a final period.

    >>> clean(r"**1\,000**.")
    '1000'
    """
    answer = _MARKDOWN.sub("", answer).replace("\\$", "")
    answer = _DIGIT_SPACING.sub("", answer).strip()
    if answer.count("$") % 2:
        answer = answer.replace("$", "")
    return answer.rstrip(".,;").strip()
