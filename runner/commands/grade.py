"""``rewardbox grade``: a JSONL file of completions in, the same lines with scores out, in input order."""

from __future__ import annotations

import argparse
import collections
import json
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rewardbox.graders import FailureWatch, Grader, GradeResult, RewardFailing, SandboxFailure, Status

from rewardbox.graders.runtime.conventions import describe as describe_convention
from rewardbox.graders.runtime.watch import DEFAULT_STOP_AFTER

from ..jsonl import Line, count_lines, open_output, read_grade_input, stream_lines
from ..options import REWARD_DESC, add_grader_options, grader_starting
from ..progress import progress_bar

if TYPE_CHECKING:
    from rich.console import Console

INVALID_INPUT = Status.invalid_input.value  # the status of an output record for a malformed input line
BATCH_LINES = 100  # lines looked at together for a reward that fails on every one of them (watch.FailureWatch)
WINDOW_LINES = 20_000  # lines read ahead of the last one written: the driver's memory bound on an input of any size


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
    3 when grading stopped early with the lines before written: the reward failed on every line of
    --stop-after-failed-batches batches in a row, or the backend failed mid-run (a Ray cluster lost its head node).

    The input is read as grading goes, never whole: memory stays flat on a file of any size."""
    with stream_lines(args.input, read_grade_input, f"--input {args.input}") as lines, grader_starting(args) as started:
        from rich.console import Console  # imported while the zygote starts
        from rich.markup import escape

        console = Console(stderr=True)
        total = count_lines(args.input)
        of_total = f" of {total}" if total is not None else ""
        counts: collections.Counter[str] = collections.Counter()
        warn = lambda message: console.print(message, style="yellow", highlight=False, soft_wrap=True, markup=False)  # noqa: E731
        batch: list[dict] = []
        grader = started()
        watch = FailureWatch(grader.source.describe(), args.stop_after_failed_batches, warn=warn)
        with grader, open_output(args.output) as out, progress_bar(console, total) as advance:
            try:
                for line, record in graded_records(grader, lines, args.failure_score, on_wait=out.flush):
                    counts[record["status"]] += 1
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    if record["status"] == INVALID_INPUT:
                        warn(f"{args.input}:{line.number}: {record['error'].removeprefix(f'line {line.number}: ')}")
                    advance()
                    batch.append(record)
                    if len(batch) == BATCH_LINES:
                        watch.observe_statuses([r["status"] for r in batch], batch[0]["error"], batch[0]["score"])
                        batch.clear()
                if batch:
                    watch.observe_statuses([r["status"] for r in batch], batch[0]["error"], batch[0]["score"])
            except KeyboardInterrupt:
                console.print(f"[yellow]interrupted: {sum(counts.values())}{of_total} lines written[/]")
                return 130
            except RewardFailing as exc:
                console.print(f"[red]{escape(str(exc))}[/]", highlight=False, soft_wrap=True)
                console.print(f"[red]stopped: {sum(counts.values())}{of_total} lines written (--stop-after-failed-batches 0 grades on)[/]")
                return 3
            except SandboxFailure as exc:
                console.print(f"[bold red]rewardbox grade: grading stopped[/]: {escape(str(exc))}", highlight=False, soft_wrap=True)
                console.print(f"[yellow]{sum(counts.values())}{of_total} lines written to {args.output}, in input order[/]", highlight=False, soft_wrap=True)
                return 3
        _print_summary(console, counts, grader)
    return 1 if counts[INVALID_INPUT] else 0


def graded_records(
    grader: Grader, lines: Iterable[Line], failure_score: float, on_wait: Callable[[], None] | None = None
) -> Iterator[tuple[Line, dict]]:
    """Each line with its output record (the input plus score, status, error, duration_ms), in input order, as soon as it is known.

    A malformed line gets status ``invalid_input`` and ``failure_score``; it is never dropped. ``lines`` is
    read by the grader as it takes work, so only the lines in flight are held here (``read``). ``on_wait`` is
    called before waiting for the next result (the caller flushes what it wrote: every line is on disk
    as soon as no later result is ready).
    """
    read: collections.deque[Line] = collections.deque()  # lines the grader has taken and not yet answered, in order

    def records() -> Iterator[dict]:
        for line in lines:
            read.append(line)
            if line.error is None:
                yield line.record

    for result in grader.iter_ordered(records(), window=WINDOW_LINES, on_wait=on_wait):
        while read[0].error is not None:
            line = read.popleft()
            yield line, _output_record(line, None, failure_score)
        line = read.popleft()
        yield line, _output_record(line, result, failure_score)
    for line in read:  # malformed lines after the last valid one
        yield line, _output_record(line, None, failure_score)


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
    if summary["convention"] != "rewardbox":
        console.print(f"reward read as {describe_convention(summary['convention'])}: {summary['signature']}", highlight=False, soft_wrap=True)
    if summary["reloaded_per_call"]:
        console.print(f"reward loaded in each call process: {summary['reloaded_per_call']}", highlight=False, soft_wrap=True)
    console.print(isolation_line(summary), highlight=False)
    for name, why in summary["missing"].items():
        console.print(f"  [yellow]missing {name}[/]: {why}", highlight=False)
    for node_id, node in summary.get("nodes", {}).items():
        console.print(f"  Ray node {node['address']} ({node_id[:8]}): {node['actors']} actors, {node['workers']} sandboxed workers, {isolation_line(node)}", highlight=False, soft_wrap=True)


def isolation_line(summary: dict) -> str:
    """'isolation standard: 7/8 layers active' from ``Grader.summary()`` ('7/8 layers active' from one of its nodes)."""
    active = [name for name, on in summary["layers"].items() if on]
    mode = f"isolation {summary['isolation']}: " if "isolation" in summary else ""
    return f"{mode}{len(active)}/{len(summary['layers'])} layers active"
