"""``rewardbox data inspect SOURCE``: size, columns and first rows of a data source, and what it can train.

With ``--reward``, it also counts the ground truths the reward can parse: each one written in
the common answer formats and graded in the sandbox (``data_summary`` says how it is counted).
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from rewardbox.graders.checks.probes import ANSWER_FORMATS, fill

from ..data_summary import InspectReport, ParseReport, TableSummary, sample_evenly, summarize_parsing, summarize_table
from ..datasource import SOURCE_DESC, add_column_options, columns_from, read_table
from ..options import FORMAT_DESC, REWARD_DESC, add_grader_options, start_grader
from ..progress import progress_bar

_METHODS = {"grpo": "GRPO (prompts and ground truths)", "sft": "SFT (prompts and reference responses)"}
ROWS_DESC = "rows to show (default 3)"
SAMPLE_DESC = "ground truths to grade with --reward, spread evenly over the source (default 100)"
INSPECT_REWARD_DESC = (
    f"also count the ground truths this reward can parse ({REWARD_DESC}): each written in the common answer formats "
    "and graded in the sandbox; parsed when some format scores the maximum (--range HI, default 1)"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "data", help="look at a data source before training on it", description="Data sources: " + SOURCE_DESC
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    inspect = actions.add_parser(
        "inspect",
        help="size, columns, a few rows, and (with --reward) how many ground truths the reward can parse",
        description="Show a data source's size, columns (with the kinds of their values), a few rows, which columns "
        "the prompt, ground truth and response come from, and whether it can train GRPO (prompts and ground truths) or "
        "SFT (prompts and reference responses). With --reward, count the ground truths the reward gives its maximum "
        "in some common answer format. Exit status: 0 shown, 2 unreadable source or reward.",
    )
    inspect.add_argument("source", metavar="SOURCE", help=SOURCE_DESC)
    add_column_options(inspect)
    inspect.add_argument("--rows", type=int, default=3, metavar="N", help=ROWS_DESC)
    inspect.add_argument("--reward", metavar="REWARD", help=INSPECT_REWARD_DESC)
    inspect.add_argument("--sample", type=int, default=100, metavar="N", help=SAMPLE_DESC)
    inspect.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    add_grader_options(inspect.add_argument_group("grading (with --reward)"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    columns = columns_from(args)
    table = read_table(args.source, split=args.split)
    report = InspectReport(table=summarize_table(table, columns, args.rows))
    if args.reward:
        truths = [row.values[columns.answer] for row in table.rows if row.values.get(columns.answer) not in (None, "")]
        report.parse = parse_check(args, truths)
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        Console(highlight=False, soft_wrap=True).print(render_text(report), markup=False)
    return 0


def parse_check(args: argparse.Namespace, truths: list[object]) -> ParseReport:
    """Grade up to ``args.sample`` ground truths in every answer format with ``args.reward``, in the sandbox.

    A text or number ground truth is written in each format and graded against itself, as it is
    in the data (a number stays a number); objects, lists and booleans have no answer text to
    write, so they are counted as ``structured`` and not checked.
    """
    writable = [truth for truth in truths if isinstance(truth, (str, int, float)) and not isinstance(truth, bool)]
    checked = sample_evenly(writable, max(args.sample, 1))
    formats = list(ANSWER_FORMATS)
    items = [(fill(ANSWER_FORMATS[name], str(truth)), truth) for truth in checked for name in formats]
    if not items:
        return summarize_parsing(args.reward, len(truths), [], formats, [], 1.0, structured=len(truths))
    grader = start_grader(args)
    score_max = grader.score_range[1] if grader.score_range else 1.0
    with grader, progress_bar(Console(stderr=True), len(items)) as advance:
        results = grader.grade_batch(items, lambda done, total: advance())
    scores = [result.score if result.status.value == "ok" else None for result in results]
    per_truth = [scores[i * len(formats) : (i + 1) * len(formats)] for i in range(len(checked))]
    return summarize_parsing(grader.source.describe(), len(truths), checked, formats, per_truth, score_max, structured=len(truths) - len(writable))


def render_text(report: InspectReport) -> str:
    """The report as lines for a terminal."""
    table = report.table
    lines = [f"{table.source} ({table.kind}): {table.rows} rows", "columns:"]
    for column in table.columns:
        kinds = ", ".join(f"{kind} {count}" for kind, count in column.kinds.items())
        lines.append(f"  {column.name}: {kinds}" + (f", missing {column.missing}" if column.missing else ""))
    lines.append(_roles(table))
    usable = ", ".join(_METHODS[method] for method in table.usable_for)
    lines.append(f"can train: {usable or 'neither (no prompt with a ground truth or a response)'}")
    if table.head:
        lines.append(f"first {len(table.head)} rows:")
        lines += [f"  {json.dumps(row, ensure_ascii=False, default=str)}" for row in table.head]
    if report.parse is not None:
        lines += _parse_lines(report.parse)
    return "\n".join(lines)


def _roles(table: TableSummary) -> str:
    def state(role: str, column: str) -> str:
        return f"{role} column '{column}' " + ("found" if table.found[role] else "missing")

    parts = [state("prompt", table.prompt_column), state("answer", table.answer_column), state("response", table.response_column)]
    if table.found["messages"]:
        parts.append("a 'messages' column (conversations)")
    return "; ".join(parts)


def _parse_lines(parse: ParseReport) -> list[str]:
    structured = (
        [f"  {parse.structured} ground truths are objects, lists or booleans: no answer format writes them, so they are not "
         "checked here (rewardbox check tests a reward on them)"]
        if parse.structured else []
    )  # fmt: skip
    if not parse.checked:
        return [f"reward {parse.reward}: no text or number ground truths to write in answer formats", *structured]
    share = parse.parseable / parse.checked
    writable = parse.ground_truths - parse.structured
    sampled = f" (an even sample of {parse.checked} of {writable})" if parse.checked < writable else ""
    lines = [
        f"reward {parse.reward}: {parse.parseable} of {parse.checked} ground truths{sampled} ({share:.0%}) score the maximum "
        f"{parse.score_max:g} in some answer format",
        "  by format: " + ", ".join(f"{name} {count}" for name, count in parse.by_format.items()),
    ]
    lines += structured
    if parse.failed_calls:
        lines.append(f"  {parse.failed_calls} calls failed (exception, timeout, ...): run rewardbox grade to see them")
    lines += [
        f"  not parsed: {item.ground_truth!r} (best {'-' if item.best_score is None else f'{item.best_score:g}'}"
        + (f" as {item.best_format})" if item.best_format else ")")
        for item in parse.not_parsed
    ]
    return lines
