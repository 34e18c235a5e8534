"""``rewardbox check``: property checks of a reward in the sandbox, one verdict per property."""

from __future__ import annotations

import argparse
import contextlib
import json
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rewardbox.graders.checks.report import PROPERTIES, CheckReport, Counterexample
from rewardbox.graders.checks import run_checks
from rewardbox.graders.checks.probes import ANSWER_FORMATS

from rewardbox.graders.runtime.conventions import describe as describe_convention

from ..errors import UsageError
from ..jsonl import read_examples, read_lines
from ..options import FORMAT_DESC, REWARD_DESC, add_sandbox_options, parse_range, sandbox_options

EXAMPLES_DESC = (
    "JSONL rows (grade input, prompts or sample groups) with a ground_truth of any JSON value (or none) and the "
    "fields the reward names; their ground truths drive the inputs and the gold-consistency check, their "
    "completion(s) join the generated ones"
)
_NOT_FIELDS = ("completions", "scores", "stop_reasons", "num_tokens")  # a sample group's per-completion lists
MAX_EXAMPLES_DESC = "generated inputs per property (default 100); fewer is faster, more searches harder"
CHECK_RANGE_DESC = "declared score range LO,HI every score must fall in (default 0,1; write --range=-1,1 when LO is negative)"
LATENCY_DESC = "latency budget in ms per call as P50,P99 of the reward's own time (default 100,1000)"
PROPERTY_DESC = f"check only this property (repeatable): {', '.join(PROPERTIES)}"
ANSWER_FORMATS_DESC = (
    f"answer formats the ground truth must score the maximum in, comma-separated (default all: {', '.join(ANSWER_FORMATS)})"
)
SEED_DESC = "the seed random and numpy get before every call, and PYTHONHASHSEED (the checks vary both from here)"
_MAX_REPORTED_LINES = 10


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="property-test a reward in the sandbox: determinism, type and range, robustness, gold consistency, latency",
        description="Run hypothesis property checks on REWARD, every call in the sandbox, and its exploit probes "
        "(exploit:<family>: completions that are wrong by construction but game a common bug, on the --examples rows; "
        "docs/exploits.md). Exit 0 when every property passes, 1 when one fails (with a shrunk counterexample, the "
        "scores observed and likely causes), 2 for usage errors and rewards that cannot load.",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("--examples", metavar="DATA.jsonl", help=EXAMPLES_DESC)
    parser.add_argument("--max-examples", type=int, default=100, metavar="N", help=MAX_EXAMPLES_DESC)
    parser.add_argument("--range", dest="score_range", default="0,1", metavar="LO,HI", help=CHECK_RANGE_DESC)
    parser.add_argument("--latency-budget", default="100,1000", metavar="P50,P99", help=LATENCY_DESC)
    parser.add_argument("--property", dest="properties", action="append", choices=PROPERTIES, metavar="NAME", help=PROPERTY_DESC)
    parser.add_argument("--answer-formats", metavar="NAMES", help=ANSWER_FORMATS_DESC)
    parser.add_argument("--seed", type=int, default=0, metavar="N", help=SEED_DESC)
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    add_sandbox_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every property passed, 1 when one failed, 2 on usage or load errors (``cli.main`` reports those)."""
    if args.max_examples < 1:
        raise UsageError(f"--max-examples {args.max_examples}: expected a positive integer")
    options = dict(sandbox_options(args), seed=args.seed, hash_seed=args.seed)
    try:
        with _progress(Console(stderr=True)) as progress:
            report = run_checks(
                args.reward,
                examples=read_examples_file(args.examples) if args.examples else None,
                max_examples=args.max_examples,
                score_range=parse_range(args.score_range),
                latency_budget_ms=parse_range(args.latency_budget, "--latency-budget", "100,1000"),
                properties=args.properties,
                answer_formats=parse_answer_formats(args.answer_formats),
                grader_options=options,
                progress=progress,
            )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        render(report, Console(highlight=False, soft_wrap=True))
    return 0 if report.passed else 1


def read_examples_file(path: str, flag: str = "--examples") -> list[dict]:
    """``run_checks`` examples (rows) from a JSONL file: one per completion a line holds, or one without a completion;
    the line's other fields go with it. A malformed line or an empty file is a ``UsageError`` naming ``flag``."""
    lines = read_lines(path, read_examples, f"{flag} {path}")
    bad = [line for line in lines if line.error]
    if bad:
        shown = [f"{path}:{line.number}: {line.error}" for line in bad[:_MAX_REPORTED_LINES]]
        more = [f"... and {len(bad) - _MAX_REPORTED_LINES} more malformed lines"] if len(bad) > _MAX_REPORTED_LINES else []
        raise UsageError(f"{flag} has malformed lines:\n" + "\n".join(shown + more))
    if not lines:
        raise UsageError(f"{flag} {path}: no examples in the file")
    examples: list[dict] = []
    for line in lines:
        record = line.record
        completions = ([record["completion"]] if "completion" in record else []) + record.get("completions", [])
        row = {key: value for key, value in record.items() if key not in _NOT_FIELDS and key != "completion"}
        examples += [dict(row, completion=completion) for completion in completions] or [row]
    return examples


def parse_answer_formats(text: str | None) -> list[str] | None:
    """``--answer-formats a,b`` as format names (None: all); an unknown name is a ``UsageError``."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ANSWER_FORMATS]
    if unknown or not names:
        raise UsageError(f"--answer-formats {text!r}: expected names among {', '.join(ANSWER_FORMATS)}")
    return names


@contextlib.contextmanager
def _progress(console: Console) -> Iterator:
    """A progress callback: a bar per property on a terminal, nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description:<17}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bars:
        tasks: dict[str, int] = {}

        def advance(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bars.add_task(name, total=total)
            bars.update(tasks[name], completed=done, total=total)

        yield advance


# ---- the text report -----------------------------------------------------------------------------


def render(report: CheckReport, console: Console) -> None:
    """The report as text: one line per property, then each failure's counterexample and likely causes."""
    console.print(f"rewardbox check {escape(report.reward)} ({report.seconds:.1f} s)")
    if report.convention != "rewardbox":
        console.print(f"read as {escape(describe_convention(report.convention))}")
    console.print()
    for result in report.results:
        mark = "[yellow]SKIP[/]" if result.skipped else ("[green]PASS[/]" if result.passed else "[bold red]FAIL[/]")
        console.print(f"{mark}  {result.property:<17} {escape(result.details)}")
        if result.counterexample is not None:
            _render_counterexample(result.counterexample, console)
    failed = [result.property for result in report.results if not result.passed]
    console.print()
    checked = sum(not result.skipped for result in report.results)
    noun = "property" if checked == 1 else "properties"
    console.print(f"[bold red]{len(failed)} of {checked} {noun} failed[/]: {', '.join(failed)}" if failed else f"[green]{checked} of {checked} {noun} passed[/]")


def _render_counterexample(found: Counterexample, console: Console) -> None:
    pad = " " * 6
    if found.input_name:
        console.print(f"{pad}input: {escape(found.input_name)} ({found.completion_chars:,} characters)")
    console.print(f"{pad}completion:   {escape(_quoted(found.completion, 300))}")
    console.print(f"{pad}ground truth: {escape(_quoted(found.ground_truth, 300))}")
    for completion, ground_truth in found.history:
        console.print(f"{pad}  after, in the same process: {escape(_quoted(completion, 120))} / {escape(_quoted(ground_truth, 60))}")
    if found.observations:
        console.print(f"{pad}scores observed:")
        width = max(len(o.run) for o in found.observations)
        for observation in found.observations:
            status = "" if observation.status.value == "ok" else f"  ({observation.status.value})"
            score = f"{observation.score:g}{status}"
            console.print(f"{pad}  {escape(observation.run):<{width}}  {score:<12} {observation.duration_ms:7.1f} ms")
        errors = [o.error for o in found.observations if o.error and o.error.strip() not in found.problem]
        if errors:
            console.print(f"{pad}error:")
            for line in errors[0].rstrip().splitlines()[-12:]:
                console.print(f"{pad}  {escape(line)}")
    if not found.reproduced:
        console.print(f"{pad}[yellow]the failure did not recur when the same input ran again[/]")
    if found.causes:
        console.print(f"{pad}likely causes:")
        for number, cause in enumerate(found.causes, start=1):
            console.print(f"{pad}  {number}. {escape(cause.explanation)}.")
            lint = f" (rewardbox lint: {cause.lint_rule})" if cause.lint_rule else ""
            console.print(f"{pad}     Fix: {escape(cause.fix)}{escape(lint)}.")


def _quoted(text: str, limit: int) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit - 20]}...{shown[-15:]} ({len(text):,} characters)"
