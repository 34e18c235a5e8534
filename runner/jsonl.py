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
        problems = [
            f"'{key}' is {'missing' if key not in record else type(record[key]).__name__ + ', expected a string'}"
            for key in ("completion", "ground_truth")
            if not isinstance(record.get(key), str)
        ]
        if problems:
            yield Line(number, record, "; ".join(problems))
            continue
        yield Line(number, record)
