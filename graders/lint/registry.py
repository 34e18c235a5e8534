"""The rule registry: every ``RK1xx`` rule is one function registered with ``@rule``.

A rule takes the parsed reward (``model.Module``) and yields ``(where, message)``
pairs; ``where`` is any node with ``lineno`` and ``col_offset``. Its docstring is
its documentation, in the sections ``SECTIONS`` lists (the rules page is
rendered from them).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Literal, Protocol

if TYPE_CHECKING:
    from .model import Module

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SECTIONS = ("What it finds", "Why it hurts training", "Example", "Use instead", "Not flagged")


class Located(Protocol):
    lineno: int
    col_offset: int


Hit = tuple[Located, str]
Check = Callable[["Module"], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable code, a kebab-case name, a severity and the check that finds it."""

    code: str
    name: str
    severity: Severity
    check: Check
    opt_in: bool = False  # runs only when asked for (``restricted=True``)

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, *, opt_in: bool = False) -> Callable[[Check], Check]:
    """Register the decorated check as rule ``code``."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, name, severity, check, opt_in)
        return check

    return register
