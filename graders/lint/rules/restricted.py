"""RK190: what RestrictedPython's compiler rejects (only with ``restricted=True`` / ``--restricted``)."""

from __future__ import annotations

from typing import Iterator

from ..model import Module
from ..registry import Hit, rule


@rule("RK190", "restricted-python", "error", opt_in=True)
def restricted_python(module: Module) -> Iterator[Hit]:
    """Code that RestrictedPython refuses to compile (reported only with `--restricted`).

    What it finds:
        Every error RestrictedPython's `compile_restricted` reports for the reward's source: names or
        attributes starting with `_` (`_helper`, `obj.__class__`), `exec`/`eval`, augmented assignment of items
        or attributes (`counts[k] += 1`), `try/except*`, star imports, and the rest of its policy.

    Why it hurts training:
        With `Grader(..., restricted=True)` (or `--restricted`) such a reward does not load, so a training run
        configured that way stops before its first step. Linting first lists every rejected line at once instead
        of one load error at a time.

    Example:
        def _last_boxed(text):
            return text[text.rfind("\\\\boxed{") + 7 : -1]

        def compute_reward(completion, ground_truth):
            return float(_last_boxed(completion) == ground_truth)

    Use instead:
        Rename private helpers without the leading underscore (`last_boxed`), write `counts[k] = counts[k] + 1`,
        and import only the modules restricted mode allows (re, math, json, string, fractions, decimal,
        unicodedata, collections, itertools, functools, statistics, difflib, textwrap, typing, cmath, numbers).

    Not flagged:
        Anything without `--restricted`: RestrictedPython is an optional extra layer, not the sandbox.
    """
    from ...runtime.restricted import violations  # RestrictedPython is imported only when asked for

    for violation in violations(module.source, module.path):
        yield violation, f"RestrictedPython rejects this: {violation.message}"
