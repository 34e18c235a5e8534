"""``rewardkit grade``: a JSONL file of completions in, the same lines with scores out, in input order."""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import sys
from typing import IO, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rewardkit.graders import Grader, GradeResult, RewardLoadError
from rewardkit.graders.errors import BackendUnavailable, IsolationUnavailable

from .errors import UsageError
from .jsonl import Line, read_grade_input
from .options import REWARD_DESC, add_grader_options, grader_options

INVALID_INPUT = "invalid_input"  # the status of an output record for a malformed input line


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "grade",
        help="grade a JSONL file of completions with a reward, in the sandbox",
        description="Grade every line {\"completion\": str, \"ground_truth\": str, ...} of INPUT with REWARD. "
        "Each output line is the input object plus score, status, error and duration_ms, in input order.",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("-i", "--input", required=True, metavar="INPUT.jsonl", help="input JSONL ('-' for stdin)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT.jsonl", help="output JSONL ('-' for stdout)")
    add_grader_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every line was graded, 1 when some input lines were malformed, 2 on usage or load errors."""
    console = Console(stderr=True)
    options = grader_options(args)
    lines = _read_lines(args.input)
    try:
        grader = Grader(args.reward, **options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except (RewardLoadError, IsolationUnavailable) as exc:
        console.print(f"[bold red]rewardkit grade: cannot load the reward[/]: {exc}", highlight=False, soft_wrap=True)
        return 2
    except BackendUnavailable as exc:
        console.print(f"[bold red]rewardkit grade: cannot start the {args.backend} backend[/]: {exc}", highlight=False, soft_wrap=True)
        return 2
    counts: collections.Counter[str] = collections.Counter()
    with grader, _open_output(args.output) as out, _progress(console, len(lines)) as advance:
        try:
            for line, result in _grade_in_order(grader, lines):
                record = _output_record(line, result, args.failure_score)
                counts[record["status"]] += 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
                if line.error:
                    console.print(f"[yellow]{args.input}:{line.number}: {line.error}[/]", highlight=False, soft_wrap=True)
                advance()
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted: {sum(counts.values())} of {len(lines)} lines written[/]")
            return 130
    _print_summary(console, counts, grader)
    return 1 if counts[INVALID_INPUT] else 0


def _read_lines(path: str) -> list[Line]:
    try:
        with (contextlib.nullcontext(sys.stdin) if path == "-" else open(path, encoding="utf-8")) as stream:
            return list(read_grade_input(stream))
    except OSError as exc:
        raise UsageError(f"--input {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"--input {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _grade_in_order(grader: Grader, lines: list[Line]) -> Iterator[tuple[Line, GradeResult | None]]:
    """Each line with its result (None for a malformed line), in input order, as soon as it is known."""
    valid = [line.record for line in lines if line.error is None]
    results = grader.iter_ordered(valid)
    for line in lines:
        yield line, (None if line.error else next(results))


def _output_record(line: Line, result: GradeResult | None, failure_score: float) -> dict:
    if result is None:
        base = line.record if isinstance(line.record, dict) else {}
        return {**base, "line": line.number, "score": failure_score, "status": INVALID_INPUT, "error": f"line {line.number}: {line.error}", "duration_ms": 0.0}
    record = {**line.record, "score": result.score, "status": result.status.value, "error": result.error, "duration_ms": result.duration_ms}
    if result.stdout:
        record["stdout"] = result.stdout
    if result.stderr:
        record["stderr"] = result.stderr
    if result.components:
        record["components"] = result.components
    return record


@contextlib.contextmanager
def _open_output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        return
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {path}: {exc.strerror}") from None
    with out:
        yield out


@contextlib.contextmanager
def _progress(console: Console, total: int) -> Iterator:
    if not console.is_terminal:
        yield lambda: None
        return
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("grade", total=total)
        yield lambda: progress.advance(task)


def _print_summary(console: Console, counts: collections.Counter[str], grader: Grader) -> None:
    total = sum(counts.values())
    by_status = ", ".join(f"{status} {count}" for status, count in counts.most_common())
    console.print(f"graded {total} lines: {by_status or 'nothing'}", highlight=False)
    summary = grader.summary()
    missing = summary["missing"]
    active = [name for name, on in summary["layers"].items() if on]
    console.print(f"isolation {summary['isolation']}: {len(active)}/{len(summary['layers'])} layers active", highlight=False)
    for name, why in missing.items():
        console.print(f"  [yellow]missing {name}[/]: {why}", highlight=False)
