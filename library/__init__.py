"""rewardbox.library: ready rewards, correct on the cases hand-written reward functions get wrong.

Three ways to use one:

* as a grader source: ``Grader("library:math", params={...})`` or
  ``rewardbox grade library:math --param on_unparseable_gold=string_match``
  (the sandbox calls ``build(name, params)``);
* as a Python factory: ``from rewardbox.library import math_answer``;
  ``math_answer(float_rounding=4)`` returns a picklable callable;
* as a part of ``compose`` (weighted sums, gates, min/max, formulas).

Names are imported lazily: the sandbox's zygote imports this package, and a
reward's heavy libraries (math-verify and sympy, jsonschema, rapidfuzz) are
imported only when that reward is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Example, GoldUnparseable, Reward
    from .choice import choice_answer
    from .code import code_tests
    from .code.run import run_program
    from .composition import compose
    from .format import think_format
    from .json_data import json_answer
    from .maths import math_answer
    from .numeric import numeric_answer
    from .penalties import length_penalty, repetition_penalty
    from .similarity import text_similarity
    from .strings import regex_match, string_match

# library name -> (module, class): the one list of library rewards.
REWARDS: dict[str, tuple[str, str]] = {
    "math": ("maths", "math_answer"),
    "numeric": ("numeric", "numeric_answer"),
    "string": ("strings", "string_match"),
    "regex": ("strings", "regex_match"),
    "choice": ("choice", "choice_answer"),
    "format": ("format", "think_format"),
    "json": ("json_data", "json_answer"),
    "similarity": ("similarity", "text_similarity"),
    "code": ("code", "code_tests"),
    "run": ("code.run", "run_program"),
    "length": ("penalties", "length_penalty"),
    "repetition": ("penalties", "repetition_penalty"),
    "compose": ("composition", "compose"),
}
_OTHER_EXPORTS = {"Reward": "base", "Example": "base", "GoldUnparseable": "base"}
__all__ = [
    "REWARDS", "Example", "GoldUnparseable", "LibraryError", "Reward", "build", "choice_answer", "code_tests", "compose",
    "describe_validation_error", "json_answer", "length_penalty", "math_answer", "names", "numeric_answer", "regex_match",
    "repetition_penalty", "reward_class", "run_program", "string_match", "text_similarity", "think_format",
]


class LibraryError(ValueError):
    """A library reward cannot be built: an unknown name or a bad parameter (named in the message)."""


def names() -> tuple[str, ...]:
    """The library names, as used in ``library:NAME``."""
    return tuple(REWARDS)


def reward_class(name: str) -> type[Reward]:
    """The class behind ``library:NAME``; raises ``LibraryError`` for an unknown name."""
    if name not in REWARDS:
        raise LibraryError(f"no library reward named {name!r}; available: {', '.join(REWARDS)}")
    module, cls = REWARDS[name]
    return getattr(importlib.import_module(f".{module}", __name__), cls)


def build(name: str, params: dict[str, Any] | None = None) -> Reward:
    """``library:NAME`` with JSON ``params`` -> a reward, warmed up (its own examples were scored once).

    Bad parameters raise ``LibraryError`` naming each offending parameter.
    """
    from pydantic import ValidationError

    cls = reward_class(name)
    try:
        reward = cls(**(params or {}))
    except ValidationError as exc:
        raise LibraryError(describe_validation_error(exc)) from None
    reward.warm_up()
    return reward


def describe_validation_error(exc: Any, noun: str = "parameter") -> str:
    """Each problem as ``parameter PATH: message (got VALUE)``, or the message of a rule over several."""
    problems = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:
            problems.append(message)
            continue
        where = ".".join(str(part) for part in error["loc"])
        got = "" if error["type"] == "missing" else f" (got {error['input']!r:.80})"
        problems.append(f"{noun} {where}: {message}{got}")
    return "; ".join(problems)


def __getattr__(name: str) -> object:
    for module, cls in REWARDS.values():
        if cls == name:
            return getattr(importlib.import_module(f".{module}", __name__), cls)
    if name in _OTHER_EXPORTS:
        return getattr(importlib.import_module(f".{_OTHER_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'rewardbox.library' has no attribute {name!r}")
