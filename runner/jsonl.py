"""Reading JSONL input line by line (every malformed line is reported with its number, never dropped), and output files."""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from typing import IO, Callable, Iterator

from .errors import UsageError


@dataclass(frozen=True)
class Line:
    """One input line: its number, the object it holds, or why it could not be used."""

    number: int
    record: dict | None
    error: str | None = None


def read_lines(path: str, parse: Callable[[IO[str]], Iterator[Line]], name: str) -> list[Line]:
    """Every line of ``path`` ('-' for stdin) through ``parse``; a file that cannot be read is a ``UsageError`` naming ``name``."""
    try:
        with (contextlib.nullcontext(sys.stdin) if path == "-" else open(path, encoding="utf-8")) as stream:
            return list(parse(stream))
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


@contextlib.contextmanager
def stream_lines(path: str, parse: Callable[[IO[str]], Iterator[Line]], name: str) -> Iterator[Iterator[Line]]:
    """The lines of ``path`` ('-' for stdin) through ``parse``, read only as they are consumed (a file of any
    size in flat memory); a file that cannot be opened or read is a ``UsageError`` naming ``name``."""
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror}") from None

    def lines() -> Iterator[Line]:
        try:
            yield from parse(stream)
        except OSError as exc:
            raise UsageError(f"{name}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

    with contextlib.nullcontext(stream) if path == "-" else stream:
        yield lines()


def count_lines(path: str) -> int | None:
    """The number of non-blank lines of ``path`` (one quick binary pass), or None for stdin or an unreadable file."""
    if path == "-":
        return None
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return None


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """A text stream to write ``path``, or stdout for '-' or None; a file that cannot be opened is a ``UsageError``."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {path}: {exc.strerror}") from None
    with out:
        yield out


def read_objects(stream: IO[str]) -> Iterator[Line]:
    """Yield each non-blank line as a JSON object, or with the reason it is not one."""
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


def read_grade_input(stream: IO[str]) -> Iterator[Line]:
    """Yield each non-blank line of a grade input: a JSON object with a string ``completion``.

    ``ground_truth`` is any JSON value (``None`` when absent); the other fields are
    the reward's to take by name (``graders/runtime/binding.py`` checks the rest of the row).
    """
    for line in read_objects(stream):
        record = line.record or {}
        completion = record.get("completion")
        if line.error or isinstance(completion, str):
            yield line
        else:
            yield Line(line.number, line.record, "'completion' is missing" if "completion" not in record else f"'completion' is {type(completion).__name__}, expected a string")


def read_examples(stream: IO[str]) -> Iterator[Line]:
    """Yield each non-blank line of examples: a ``ground_truth`` (any JSON value, or none) and, optionally, a string
    ``completion`` or a list of string ``completions`` (grade input, prompt and sample-group files all qualify)."""
    for line in read_objects(stream):
        record = line.record or {}
        problems = []
        if "completion" in record and not isinstance(record["completion"], str):
            problems.append(f"'completion' is {type(record['completion']).__name__}, expected a string")
        completions = record.get("completions", [])
        if not isinstance(completions, list) or not all(isinstance(c, str) for c in completions):
            problems.append("'completions' must be a list of strings")
        yield Line(line.number, line.record, "; ".join(problems)) if problems and not line.error else line
