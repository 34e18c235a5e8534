"""Normalizing text before it is compared: a string in, the string with the chosen differences removed out.

    >>> normalize("  The  Café,  déjà-vu! ")
    'cafe deja vu'
    >>> normalize("The Answer", ("case",))
    'the answer'
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Literal

Normalization = Literal["unicode", "case", "punctuation", "articles", "whitespace"]
ALL_NORMALIZATIONS: tuple[Normalization, ...] = ("unicode", "case", "punctuation", "articles", "whitespace")

_ARTICLES = re.compile(r"\b(?:a|an|the)\b", re.IGNORECASE)
_ASCII_PUNCTUATION = frozenset(string.punctuation)


def normalize(text: str, steps: tuple[Normalization, ...] = ALL_NORMALIZATIONS) -> str:
    """Apply ``steps`` (always in the order unicode, case, punctuation, articles, whitespace).

    unicode: NFKC and accents removed; case: casefold; punctuation: Unicode
    punctuation and ASCII symbols become spaces; articles: "a", "an", "the"
    removed (SQuAD's rule); whitespace: runs collapsed to one space, ends stripped.
    """
    if "unicode" in steps:
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFKC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    if "case" in steps:
        text = text.casefold()
    if "punctuation" in steps:
        text = "".join(" " if c in _ASCII_PUNCTUATION or unicodedata.category(c).startswith("P") else c for c in text)
    if "articles" in steps:
        text = _ARTICLES.sub(" ", text)
    if "whitespace" in steps:
        text = " ".join(text.split())
    return text
