"""The prompt pool: prompts read from a data source, a holdout kept apart, and the order they are trained in.

The training order is an endless sequence of epochs, each a seeded shuffle of the training
prompts (with ``curriculum``, the first epoch runs from the lowest ``difficulty`` up), so the
prompts of a step follow from how many prompts were consumed before it: a resumed run
continues the rotation from one number in its checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from ...datasource import Columns, Table, read_table
from ...errors import UsageError
from .errors import DataError
from .protocols import Message
from .tokenizer import as_messages, message_text

Prompt = Union[str, list[Message]]


class PromptRecord(BaseModel):
    """One line of a prompts file: ``{"prompt", "ground_truth", "id"?, "difficulty"?}``; other keys are kept.

    The ground truth is any JSON value (a string, a number, a dict such as a countdown
    target), passed to the reward as it is, with the other keys for a reward that names
    them. A prompt without one is graded only by a reward that takes none
    (``Binding.needs_ground_truth``); ``Trainer.sample`` prompts may lack one too.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    prompt: Prompt
    ground_truth: JsonValue = None
    id: str | None = None
    difficulty: float | None = None

    def texts(self) -> list[str]:
        """Every text of the record (the offline backend's vocabulary comes from them)."""
        truth = self.ground_truth
        return [*(message_text(message) for message in as_messages(self.prompt)), truth if isinstance(truth, str) else ("" if truth is None else json.dumps(truth))]

    def row(self, completion: str) -> dict:
        """The row a reward grades this record's ``completion`` as: the record's other keys, the prompt, the ground truth."""
        return {**(self.model_extra or {}), "id": self.id, "prompt": self.prompt, "completion": completion, "ground_truth": self.ground_truth}


def read_prompts(
    source: str, *, columns: Columns | None = None, split: str | None = None, ground_truth_required: bool = True
) -> list[PromptRecord]:
    """Every record of a prompts source (JSONL, CSV, Parquet, a Hugging Face dataset); ``DataError`` names the row.

    ``columns`` says which columns hold the prompt and the ground truth (kept as it is: a
    Parquet or dataset struct is a dict); other columns are kept on the record. Prompts
    only sampled from (``Trainer.sample``), or graded by a reward that takes no ground
    truth, may go without ``ground_truth_required``.
    """
    columns = columns or Columns()
    table = read_source(source, split)
    if not table.rows:
        raise DataError(f"{source}: no prompts")
    required = {"prompt": columns.prompt, "answer": columns.answer} if ground_truth_required else {"prompt": columns.prompt}
    for role, column in required.items():
        try:
            table.require(column, columns.why(role))
        except UsageError as exc:
            raise DataError(str(exc)) from None
    records: list[PromptRecord] = []
    for row in table.rows:
        values = {key: value for key, value in row.values.items() if key not in (columns.prompt, columns.answer)}
        values.update(prompt=row.values.get(columns.prompt), ground_truth=row.values.get(columns.answer))
        values["id"] = as_text(values.get("id")) or row.default_id
        try:
            record = PromptRecord.model_validate(values)
        except ValidationError as exc:
            raise DataError(f"{table.where(row)}: {validation_problems(exc)}") from None
        if record.ground_truth is None and ground_truth_required:
            raise DataError(
                f"{table.where(row)}: ground_truth: Field required (the value the reward compares with; {columns.why('answer')})"
            )
        records.append(record)
    check_unique_ids(source, [record.id for record in records])
    return records


def check_unique_ids(source: str, ids: Sequence[str | None]) -> None:
    """Raise ``DataError`` naming the first id that appears twice."""
    seen: dict[str | None, int] = {}
    for index, record_id in enumerate(ids):
        if record_id in seen:
            raise DataError(f"{source}: id {record_id!r} appears twice (records {seen[record_id] + 1} and {index + 1})")
        seen[record_id] = index


def read_source(source: str, split: str | None) -> Table:
    """``read_table`` with its errors as ``DataError`` (a training run's data error)."""
    try:
        return read_table(source, split=split)
    except UsageError as exc:
        raise DataError(str(exc)) from None


def as_text(value: object) -> object:
    """A number as its text (a ground truth or id read from CSV, Parquet or a dataset); anything else as is."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def split_holdout(ids: Sequence[str], fraction: float, seed: int, *, at_least_one: bool = False) -> set[str]:
    """The ids held out: ``round(len * fraction)`` of them (at least one if asked and possible), chosen by id and seed alone."""
    size = round(len(ids) * fraction)
    if at_least_one and fraction > 0 and len(ids) > 1:
        size = max(size, 1)
    return set(sorted(ids, key=lambda record_id: _stable_rank(seed, record_id))[:size])


def epoch_order(seed: int, epoch: int, size: int) -> list[int]:
    """A seeded shuffle of ``range(size)`` for one epoch: the same seed and epoch give the same order."""
    return [int(i) for i in np.random.default_rng([seed, epoch]).permutation(size)]


class PromptPool:
    """Training prompts in rotation and a holdout that is never trained on."""

    def __init__(self, records: list[PromptRecord], *, holdout_fraction: float, seed: int, curriculum: bool) -> None:
        held = split_holdout([record.id for record in records], holdout_fraction, seed)
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
            order = epoch_order(self.seed, epoch, len(self.train))
            if self.curriculum and epoch == 0:
                order.sort(key=lambda index: _difficulty(self.train[index]))  # stable: ties keep the shuffle
            self._orders = {epoch: order}  # one epoch at a time is all a batch needs
        return self._orders[epoch]


def validation_problems(error: ValidationError) -> str:
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
