"""The learning rate of a step: a schedule over an explicit horizon, and warmup for fresh runs only."""

from __future__ import annotations

import math
from typing import Literal

Schedule = Literal["constant", "linear", "cosine"]


def learning_rate(
    step: int, *, base: float, schedule: Schedule, total_steps: int | None, warmup_steps: int, warm_up: bool
) -> float:
    """The learning rate of ``step`` (0-based).

    ``linear`` falls from ``base`` to 0 at ``total_steps``, ``cosine`` follows half a cosine
    to 0 there; both stay at 0 after it. Warmup scales the first ``warmup_steps`` steps by
    ``(step + 1) / warmup_steps``, only when ``warm_up`` (a fresh run; a resumed run has its
    optimizer moments back and does not warm up again).

    >>> [learning_rate(s, base=1.0, schedule="linear", total_steps=4, warmup_steps=0, warm_up=True) for s in range(5)]
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> [learning_rate(s, base=1.0, schedule="constant", total_steps=None, warmup_steps=2, warm_up=True) for s in range(3)]
    [0.5, 1.0, 1.0]
    """
    if schedule == "constant":
        factor = 1.0
    else:
        if not total_steps:
            raise ValueError(f"the {schedule} schedule needs scheduler_total_steps")
        progress = min(step / total_steps, 1.0)
        factor = 1.0 - progress if schedule == "linear" else 0.5 * (1.0 + math.cos(math.pi * progress))
    if warm_up and step < warmup_steps:
        factor *= (step + 1) / warmup_steps
    return base * factor
