"""``rewardkit grade``: a JSONL file of completions in, the same lines with scores out, in input order."""

from __future__ import annotations

import argparse
import collections
import json
from typing import Iterator

from rich.console import Console
from rich.markup import escape

from rewardkit.graders import FailureWatch, Grader, GradeResult, RewardFailing, Status

from rewardkit.graders.watch import DEFAULT_STOP_AFTER

from .jsonl import Line, open_output, read_grade_input, read_lines
from .options import REWARD_DESC, add_grader_options, start_grader
from .progress import progress_bar

INVALID_INPUT = Status.invalid_input.value  # the status of an output record for a malformed input line
BATCH_LINES = 100  # lines looked at together for a reward that fails on every one of them (watch.FailureWatch)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "grade",
        help="grade a JSONL file of completions with a reward, in the sandbox",
        description="Grade every line {\"completion\": str, \"ground_truth\": <any JSON value>, ...} of INPUT with REWARD "
        "(a reward taking more parameters gets the line's other fields by name). "
        "Each output line is the input object plus score, status, error and duration_ms, in input order.",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("-i", "--input", required=True, metavar="INPUT.jsonl", help="input JSONL ('-' for stdin)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT.jsonl", help="output JSONL ('-' for stdout)")
    add_grader_options(parser)
    parser.add_argument(
        "--stop-after-failed-batches", type=int, default=DEFAULT_STOP_AFTER, metavar="N",
        help=f"stop (exit 3, the lines so far written) when every line of N batches of {BATCH_LINES} lines in a row fails with "
        f"the same status; the first such batch is reported at once with its first error (default {DEFAULT_STOP_AFTER}; 0 never stops)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every line was graded, 1 when some input lines were malformed, 2 on usage or load errors,
    3 when the reward failed on every line of --stop-after-failed-batches batches in a row."""
    console = Console(stderr=True)
    lines = read_lines(args.input, read_grade_input, f"--input {args.input}")
    grader = start_grader(args)
    counts: collections.Counter[str] = collections.Counter()
    warn = lambda message: console.print(message, style="yellow", highlight=False, soft_wrap=True, markup=False)  # noqa: E731
    watch = FailureWatch(grader.source.describe(), args.stop_after_failed_batches, warn=warn)
    batch: list[dict] = []
    with grader, open_output(args.output) as out, progress_bar(console, len(lines)) as advance:
        try:
            for line, record in graded_records(grader, lines, args.failure_score):
                counts[record["status"]] += 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
                if record["status"] == INVALID_INPUT:
                    warn(f"{args.input}:{line.number}: {record['error'].removeprefix(f'line {line.number}: ')}")
                advance()
                batch.append(record)
                if len(batch) == BATCH_LINES or sum(counts.values()) == len(lines):
                    watch.observe_statuses([r["status"] for r in batch], batch[0]["error"], batch[0]["score"])
                    batch.clear()
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted: {sum(counts.values())} of {len(lines)} lines written[/]")
            return 130
        except RewardFailing as exc:
            console.print(f"[red]{escape(str(exc))}[/]", highlight=False, soft_wrap=True)
            console.print(f"[red]stopped: {sum(counts.values())} of {len(lines)} lines written (--stop-after-failed-batches 0 grades on)[/]")
            return 3
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
    if result is None or result.status is Status.invalid_input:  # unreadable, or read but not gradable as it is
        base = line.record if isinstance(line.record, dict) else {}
        error = line.error if result is None else result.error
        score = failure_score if result is None else result.score
        return {**base, "line": line.number, "score": score, "status": INVALID_INPUT, "error": f"line {line.number}: {error}", "duration_ms": 0.0}
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
