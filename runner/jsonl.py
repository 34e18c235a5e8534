"""Reading JSONL input line by line: every malformed line is reported with its number, never dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Iterator


@dataclass(frozen=True)
class Line:
    """One input line: its number, the object it holds, or why it could not be used."""

    number: int
    record: dict | None
    error: str | None = None


def read_grade_input(stream: IO[str]) -> Iterator[Line]:
    """Yield each non-blank line of a grade input; a line needs string ``completion`` and ``ground_truth``."""
    for line in _objects(stream):
        if line.error is None:
            problems = [_problem(line.record, key, "a string") for key in ("completion", "ground_truth") if not isinstance(line.record.get(key), str)]
            if problems:
                line = Line(line.number, line.record, "; ".join(problems))
        yield line


def read_examples(stream: IO[str]) -> Iterator[Line]:
    """Yield each non-blank line of examples: a string ``ground_truth`` and, optionally, a string ``completion``
    or a list of string ``completions`` (grade input, prompt and sample-group files all qualify)."""
    for line in _objects(stream):
        if line.error is None:
            record = line.record
            problems = [] if isinstance(record.get("ground_truth"), str) else [_problem(record, "ground_truth", "a string")]
            if "completion" in record and not isinstance(record["completion"], str):
                problems.append(_problem(record, "completion", "a string"))
            completions = record.get("completions", [])
            if not isinstance(completions, list) or not all(isinstance(c, str) for c in completions):
                problems.append("'completions' must be a list of strings")
            if problems:
                line = Line(line.number, record, "; ".join(problems))
        yield line


def _objects(stream: IO[str]) -> Iterator[Line]:
    """Each non-blank line parsed as a JSON object, or the reason it is not one."""
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Line(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Line(number, None, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield Line(number, record)


def _problem(record: dict, key: str, expected: str) -> str:
    return f"'{key}' is missing" if key not in record else f"'{key}' is {type(record[key]).__name__}, expected {expected}"
