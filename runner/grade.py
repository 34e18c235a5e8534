"""``rewardkit grade``: a JSONL file of completions in, the same lines with scores out, in input order."""

from __future__ import annotations

import argparse
import collections
import json
from typing import Iterator

from rich.console import Console

from rewardkit.graders import Grader, GradeResult

from .jsonl import Line, open_output, read_grade_input, read_lines
from .options import REWARD_DESC, add_grader_options, start_grader
from .progress import progress_bar

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
    lines = read_lines(args.input, read_grade_input, f"--input {args.input}")
    grader = start_grader(args)
    counts: collections.Counter[str] = collections.Counter()
    with grader, open_output(args.output) as out, progress_bar(console, len(lines)) as advance:
        try:
            for line, record in graded_records(grader, lines, args.failure_score):
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


def graded_records(grader: Grader, lines: list[Line], failure_score: float) -> Iterator[tuple[Line, dict]]:
    """Each line with its output record (the input plus score, status, error, duration_ms), in input order, as soon as it is known.

    A malformed line gets status ``invalid_input`` and ``failure_score``; it is never dropped.
    """
    valid = [line.record for line in lines if line.error is None]
    results = grader.iter_ordered(valid)
    for line in lines:
        yield line, _output_record(line, None if line.error else next(results), failure_score)


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


def _print_summary(console: Console, counts: collections.Counter[str], grader: Grader) -> None:
    total = sum(counts.values())
    by_status = ", ".join(f"{status} {count}" for status, count in counts.most_common())
    console.print(f"graded {total} lines: {by_status or 'nothing'}", highlight=False)
    summary = grader.summary()
    console.print(isolation_line(summary), highlight=False)
    for name, why in summary["missing"].items():
        console.print(f"  [yellow]missing {name}[/]: {why}", highlight=False)


def isolation_line(summary: dict) -> str:
    """'isolation standard: 7/8 layers active' from ``Grader.summary()``."""
    active = [name for name, on in summary["layers"].items() if on]
    return f"isolation {summary['isolation']}: {len(active)}/{len(summary['layers'])} layers active"
