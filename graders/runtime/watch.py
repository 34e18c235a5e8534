"""Failure that would burn a run is loud: a batch whose every item failed the same way.

A reward that raises on every row (a dict ground truth it does not expect, a
missing dependency, a renamed column) scores every completion ``failure_score``:
a GRPO run keeps going on rewards that carry no signal. ``FailureWatch`` looks at
each batch's results; the first batch in which every item failed with the same
status logs a warning at once with the first error and its traceback, and after
``stop_after`` such batches in a row it raises ``RewardFailing``. One batch with
any ``ok`` item, or failures of mixed statuses, resets the count.

    watch = FailureWatch("gsm8k")                 # stop_after=3: the default
    watch.observe(grader.grade_batch(items))      # warns, then raises on the third
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

from ..errors import RewardFailing
from .results import GradeResult

DEFAULT_STOP_AFTER = 3
WINDOW = 64  # calls that make a batch when a harness grades one item a call
logger = logging.getLogger("rewardbox")


class FailureWatch:
    """Counts batches in a row whose every item failed with one status; warns on the first, raises at ``stop_after``."""

    def __init__(
        self, name: str, stop_after: int | None = DEFAULT_STOP_AFTER, warn: Callable[[str], None] | None = None, *, window: int = WINDOW
    ) -> None:
        if stop_after is not None and (type(stop_after) is not int or stop_after < 0):
            raise ValueError(f"stop_after={stop_after!r}: expected a non-negative integer, or 0/None to only warn")
        self.name, self.stop_after = name, stop_after or None
        self.warn = warn or logger.warning  # the harness's log: logging's "rewardbox" logger, unless told otherwise
        self.in_a_row = 0
        self.status: str | None = None
        self.window = window
        self._pending: list[GradeResult] = []
        self._lock = threading.Lock()

    def observe_one(self, result: GradeResult) -> None:
        """For harnesses that grade one item a call (verl's per-sample manager, verifiers): every ``window`` calls are a batch."""
        with self._lock:
            self._pending.append(result)
            if len(self._pending) < self.window:
                return
            batch, self._pending = self._pending, []
        self.observe(batch)

    def observe(self, results: Sequence[GradeResult]) -> None:
        """Look at one batch's results; ``RewardFailing`` when the ``stop_after``-th failed batch in a row comes."""
        if results:
            self.observe_statuses([r.status.value for r in results], results[0].error, results[0].score)
        else:
            self.observe_statuses([], None, 0.0)

    def observe_statuses(self, statuses: Sequence[str], first_error: str | None, score: float) -> None:
        """``observe`` for a batch given as its status values, the first item's error and score."""
        status = statuses[0] if statuses and statuses[0] != "ok" and all(s == statuses[0] for s in statuses) else None
        if status is None:
            self.in_a_row, self.status = 0, None
            return
        self.in_a_row = self.in_a_row + 1 if status == self.status else 1
        self.status = status
        batches = "a batch" if self.in_a_row == 1 else f"{self.in_a_row} batches in a row"
        summary = f"rewardbox: every item of {batches} of reward {self.name!r} failed with status {status} (scored {score:g}): no signal to learn from"
        error = first_error or "(no message)"
        if self.stop_after is not None and self.in_a_row >= self.stop_after:
            raise RewardFailing(f"{summary}. Stopping. The first error of the last batch:\n{error}", status=status, batches=self.in_a_row)
        if self.in_a_row == 1:
            stop = f"stopping after {self.stop_after} such batches in a row" if self.stop_after else "not stopping (stop_after is off)"
            self.warn(f"{summary}; {stop}. The first error:\n{error}")
