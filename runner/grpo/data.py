"""The prompt pool: prompts read from JSONL, a holdout kept apart, and the order they are trained in.

The training order is an endless sequence of epochs, each a seeded shuffle of the training
prompts (with ``curriculum``, the first epoch runs from the lowest ``difficulty`` up), so the
prompts of a step follow from how many prompts were consumed before it: a resumed run
continues the rotation from one number in its checkpoint.
"""

from __future__ import annotations

import hashlib
from typing import Union

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import UsageError
from ..jsonl import read_lines, read_objects
from .errors import DataError
from .protocols import Message

Prompt = Union[str, list[Message]]


class PromptRecord(BaseModel):
    """One line of a prompts file: ``{"prompt", "ground_truth", "id"?, "difficulty"?}``; other keys are kept.

    Only prompts given to ``Trainer.sample`` may lack a ground truth (they are not graded).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    prompt: Prompt
    ground_truth: str | None = None
    id: str | None = None
    difficulty: float | None = None


def read_prompts(path: str, *, ground_truth_required: bool = True) -> list[PromptRecord]:
    """Every record of a prompts JSONL file; a malformed line raises ``DataError`` naming ``path:line``.

    Prompts only sampled from (``Trainer.sample``) may go without ``ground_truth_required``.
    """
    try:
        lines = read_lines(path, read_objects, path)
    except UsageError as exc:
        raise DataError(str(exc)) from None
    records: list[PromptRecord] = []
    for line in lines:
        if line.error:
            raise DataError(f"{path}:{line.number}: {line.error}")
        try:
            record = PromptRecord.model_validate(line.record)
        except ValidationError as exc:
            raise DataError(f"{path}:{line.number}: {_problems(exc)}") from None
        if record.ground_truth is None and ground_truth_required:
            raise DataError(f"{path}:{line.number}: ground_truth: Field required (the string the reward compares with)")
        records.append(record if record.id is not None else record.model_copy(update={"id": f"line-{line.number}"}))
    if not records:
        raise DataError(f"{path}: no prompts")
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.id in seen:
            raise DataError(f"{path}: id {record.id!r} appears twice (records {seen[record.id] + 1} and {index + 1})")
        seen[record.id] = index
    return records


class PromptPool:
    """Training prompts in rotation and a holdout that is never trained on."""

    def __init__(self, records: list[PromptRecord], *, holdout_fraction: float, seed: int, curriculum: bool) -> None:
        ranked = sorted(records, key=lambda record: _stable_rank(seed, record.id))
        holdout_size = round(len(records) * holdout_fraction)
        held = {record.id for record in ranked[:holdout_size]}
        self.holdout = [record for record in records if record.id in held]
        self.train = [record for record in records if record.id not in held]  # not empty: holdout_fraction <= 0.5
        self.seed = seed
        self.curriculum = curriculum and any(record.difficulty is not None for record in self.train)
        self._orders: dict[int, list[int]] = {}

    def batch(self, start: int, count: int) -> list[PromptRecord]:
        """The ``count`` training prompts that follow the first ``start`` of the rotation."""
        size = len(self.train)
        return [self.train[self._epoch_order(position // size)[position % size]] for position in range(start, start + count)]

    def _epoch_order(self, epoch: int) -> list[int]:
        if epoch not in self._orders:
            order = [int(i) for i in np.random.default_rng([self.seed, epoch]).permutation(len(self.train))]
            if self.curriculum and epoch == 0:
                order.sort(key=lambda index: _difficulty(self.train[index]))  # stable: ties keep the shuffle
            self._orders = {epoch: order}  # one epoch at a time is all a batch needs
        return self._orders[epoch]


def _problems(error: ValidationError) -> str:
    """One message per key; a prompt that is neither text nor messages gets one plain sentence."""
    by_key: dict[str, str] = {}
    for problem in error.errors():
        key = str(problem["loc"][0]) if problem["loc"] else "line"
        by_key.setdefault(
            key, 'expected a string or a list of chat messages {"role", "content"}' if key == "prompt" else problem["msg"]
        )
    return "; ".join(f"{key}: {message}" for key, message in by_key.items())


def _stable_rank(seed: int, record_id: str | None) -> str:
    """A rank that depends only on the seed and the id, so the holdout does not change when lines move."""
    return hashlib.sha256(f"{seed}:{record_id}".encode()).hexdigest()


def _difficulty(record: PromptRecord) -> float:
    return record.difficulty if record.difficulty is not None else float("inf")
