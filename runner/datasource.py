"""Rows from JSONL, CSV and Parquet files and Hugging Face datasets, and the columns a method reads from them.

A source is named by one string::

    data.jsonl | data.json       one JSON object a line (runner/jsonl.py: a bad line names its number)
    data.csv                     a header row, then one row a record (a cell holding a JSON list of
                                 chat messages is read as messages)
    data.parquet | data.pq       read with pyarrow
    DIR                          a Hugging Face dataset saved with ``save_to_disk`` (a DatasetDict: ``split``)
    hf:NAME                      ``datasets.load_dataset(NAME, split=...)``: needs the Hugging Face Hub

pyarrow and ``datasets`` are imported only for the sources that need them (``rewardbox[data]``).
Which column holds the prompt, the ground truth and the reference response is a ``Columns``;
a missing column is an error naming the column, the flag or config key that chose it, and the
columns the source has.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from .errors import UsageError
from .jsonl import read_lines, read_objects

PROMPT_COLUMN_DESC = "the column holding the prompt (text or chat messages)"
ANSWER_COLUMN_DESC = "the column holding the ground truth the reward compares with"
RESPONSE_COLUMN_DESC = "the column holding the reference response SFT trains on"
SPLIT_DESC = "the split of a Hugging Face dataset (default: train)"
SOURCE_DESC = "a .jsonl, .csv or .parquet file, a folder saved by datasets' save_to_disk, or hf:NAME (needs the Hugging Face Hub)"
MESSAGES_COLUMN = "messages"  # a conversation ending with the assistant's reply: an SFT example by itself
_FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_DATA_EXTRA = "pip install 'rewardbox[data]'"


class SourceError(UsageError):
    """A data source cannot be read or lacks a column; the message names the source (and row or column)."""


class Columns(BaseModel):
    """Which column holds the prompt, the ground truth (``answer``) and the reference ``response``."""

    model_config = ConfigDict(frozen=True)

    prompt: str = "prompt"
    answer: str = "ground_truth"
    response: str = "response"

    def why(self, role: str) -> str:
        """How a user chooses the ``role`` column, for an error about it."""
        return f"the {role} column; choose another with --{role}-column or the {role}_column config key"


def add_column_options(parser: argparse.ArgumentParser) -> None:
    """``--prompt-column``, ``--answer-column``, ``--response-column`` and ``--split``, shared by every command that reads data."""
    parser.add_argument("--prompt-column", metavar="NAME", help=f"{PROMPT_COLUMN_DESC} (default: prompt)")
    parser.add_argument("--answer-column", metavar="NAME", help=f"{ANSWER_COLUMN_DESC} (default: ground_truth)")
    parser.add_argument("--response-column", metavar="NAME", help=f"{RESPONSE_COLUMN_DESC} (default: response)")
    parser.add_argument("--split", metavar="NAME", help=SPLIT_DESC)


def columns_from(args: argparse.Namespace) -> Columns:
    """The ``Columns`` the flags of ``add_column_options`` chose (defaults where a flag is absent)."""
    chosen = {"prompt": args.prompt_column, "answer": args.answer_column, "response": args.response_column}
    return Columns(**{role: name for role, name in chosen.items() if name is not None})


@dataclass(frozen=True)
class Row:
    """One record of a source: where it is (``line 3``, ``row 3``) and its values."""

    number: int
    values: dict[str, Any]
    unit: str = "row"

    @property
    def default_id(self) -> str:
        return f"{self.unit}-{self.number}"


@dataclass(frozen=True)
class Table:
    """Every row of a source, its column names in first-seen order, and what kind of source it was."""

    name: str
    kind: str
    columns: list[str]
    rows: list[Row]

    def where(self, row: Row) -> str:
        """``data.jsonl:3`` or ``data.csv row 3``: how error messages point at a row."""
        return f"{self.name}:{row.number}" if row.unit == "line" else f"{self.name} row {row.number}"

    def require(self, column: str, why: str) -> None:
        """Raise ``SourceError`` unless some row has ``column``; ``why`` names the flag or key that chose it."""
        if column not in self.columns:
            raise SourceError(
                f"{self.name}: no column {column!r} ({why}); its columns are: {', '.join(self.columns) or 'none'}"
            )


def read_table(spec: str, *, split: str | None = None) -> Table:
    """Every row of the source ``spec`` (see the module docstring); ``SourceError`` names what is wrong."""
    if spec.startswith("hf:"):
        return _hub_table(spec[3:], split)
    if os.path.isdir(spec):
        return _saved_table(spec, split)
    kind = _FORMATS.get(os.path.splitext(spec)[1].lower())
    if kind is None:
        raise SourceError(f"{spec}: unknown data format; expected {SOURCE_DESC}")
    if not os.path.exists(spec):
        raise SourceError(f"{spec}: No such file or directory")
    if split is not None:
        raise SourceError(f"{spec}: split {split!r} applies to Hugging Face datasets only")
    reader: Callable[[str], list[Row]] = {"jsonl": _jsonl_rows, "csv": _csv_rows, "parquet": _parquet_rows}[kind]
    return _table(spec, kind, reader(spec))


def _table(name: str, kind: str, rows: list[Row]) -> Table:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row.values))
    return Table(name, kind, list(columns), rows)


def _jsonl_rows(path: str) -> list[Row]:
    rows = []
    for line in read_lines(path, read_objects, path):
        if line.error:
            raise SourceError(f"{path}:{line.number}: {line.error}")
        rows.append(Row(line.number, line.record or {}, "line"))
    return rows


def _csv_rows(path: str) -> list[Row]:
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = []
            for number, record in enumerate(reader, start=1):
                if None in record:
                    raise SourceError(f"{path} row {number}: more cells than the header has columns")
                rows.append(Row(number, {key: _cell(value) for key, value in record.items()}))
            return rows
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise SourceError(f"{path}: not valid CSV: {exc}") from None


def _cell(value: str | None) -> Any:
    """A CSV cell: a JSON list of chat messages becomes the list, anything else stays text (None: a short row)."""
    if value is None or not value.lstrip().startswith("["):
        return value
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return value
    is_messages = isinstance(parsed, list) and parsed and all(isinstance(m, dict) and "role" in m for m in parsed)
    return parsed if is_messages else value


def _parquet_rows(path: str) -> list[Row]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise SourceError(f"{path}: reading Parquet needs pyarrow: {_DATA_EXTRA}") from None
    try:
        records = parquet.read_table(path).to_pylist()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for unreadable files
        raise SourceError(f"{path}: not a readable Parquet file: {exc}") from None
    return [Row(number, record) for number, record in enumerate(records, start=1)]


def _saved_table(folder: str, split: str | None) -> Table:
    datasets = _import_datasets(folder)
    try:
        loaded = datasets.load_from_disk(folder)
    except FileNotFoundError as exc:
        raise SourceError(f"{folder}: a folder must be a dataset saved with save_to_disk ({exc})") from None
    return _dataset_table(folder, "hf-disk", _pick_split(folder, loaded, split))


def _hub_table(name: str, split: str | None) -> Table:
    datasets = _import_datasets(f"hf:{name}")
    try:
        loaded = datasets.load_dataset(name, split=split or "train")
    except Exception as exc:  # noqa: BLE001 - network, auth and missing-dataset errors come in many types
        raise SourceError(
            f"hf:{name}: could not load it from the Hugging Face Hub ({type(exc).__name__}: {exc}). "
            "Without network access, save a copy elsewhere with Dataset.save_to_disk(FOLDER) and pass FOLDER."
        ) from None
    return _dataset_table(f"hf:{name}", "hf-hub", loaded)


def _import_datasets(name: str) -> Any:
    try:
        import datasets
    except ImportError:
        raise SourceError(f"{name}: reading Hugging Face datasets needs the datasets library: {_DATA_EXTRA}") from None
    return datasets


def _pick_split(name: str, loaded: Any, split: str | None) -> Any:
    if not hasattr(loaded, "keys"):  # a Dataset, not a DatasetDict
        if split is not None:
            raise SourceError(f"{name}: split {split!r} given, but the saved dataset has no splits")
        return loaded
    splits = list(loaded.keys())
    chosen = split or "train"
    if chosen not in splits:
        raise SourceError(f"{name}: no split {chosen!r} (--split); its splits are: {', '.join(splits)}")
    return loaded[chosen]


def _dataset_table(name: str, kind: str, dataset: Any) -> Table:
    rows = [Row(number, dict(record)) for number, record in enumerate(dataset, start=1)]
    return Table(name, kind, list(dataset.column_names), rows)
