"""When to evaluate, and what a sequence of evaluations says: the best point and the overfitting signature (pure).

The overfitting signature: over the last ``patience`` evaluations, validation loss rose at
every one while training loss fell. A single rise is noise; ``patience`` rises in a row while
the model keeps fitting its training data better is memorization.
"""

from __future__ import annotations

import math
from typing import Sequence

from pydantic import BaseModel

LARGE_EPOCH_STEPS = 40  # an epoch this long gets evaluations inside it by default
EVALS_PER_LARGE_EPOCH = 4


class EvalPoint(BaseModel):
    """One evaluation: after how many steps, the mean training loss since the previous one, the validation loss."""

    step: int
    train_loss: float | None  # None before any training step
    val_loss: float


def eval_interval(configured: int | None, steps_per_epoch: int) -> int:
    """Steps between evaluations inside an epoch (0: at epoch ends only); by default a large epoch gets 4.

    >>> eval_interval(None, 10), eval_interval(None, 100), eval_interval(7, 100), eval_interval(0, 100)
    (0, 25, 7, 0)
    """
    if configured is not None:
        return configured
    return math.ceil(steps_per_epoch / EVALS_PER_LARGE_EPOCH) if steps_per_epoch >= LARGE_EPOCH_STEPS else 0


def evaluation_due(steps_done: int, steps_per_epoch: int, interval: int) -> bool:
    """Whether to evaluate once ``steps_done`` steps are done: at each epoch's end and every ``interval`` steps."""
    return steps_done % steps_per_epoch == 0 or (interval > 0 and steps_done % interval == 0)


def best_point(points: Sequence[EvalPoint]) -> EvalPoint | None:
    """The evaluation with the lowest validation loss (the earliest on a tie)."""
    return min(points, key=lambda point: point.val_loss, default=None)


def overfitting(points: Sequence[EvalPoint], patience: int) -> bool:
    """True when validation loss rose at each of the last ``patience`` evaluations while training loss fell.

    Training loss "fell" when the last evaluation's is below the first one the window has.

    >>> points = [EvalPoint(step=s, train_loss=t, val_loss=v) for s, t, v in [(1, 2.0, 1.0), (2, 1.5, 1.1), (3, 1.0, 1.2)]]
    >>> overfitting(points, patience=2), overfitting(points, patience=3)
    (True, False)
    """
    if len(points) < patience + 1:
        return False
    window = points[-(patience + 1) :]
    rising = all(later.val_loss > earlier.val_loss for earlier, later in zip(window, window[1:]))
    train = [point.train_loss for point in window if point.train_loss is not None]
    return rising and len(train) >= 2 and train[-1] < train[0]
