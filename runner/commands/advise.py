"""``rewardbox advise --data DATA [--reward REWARD]``: GRPO or SFT, from evidence, with the reasons.

``collect_evidence`` does the I/O (reads the data, runs the determinism and gold-consistency
checks and the probes in the sandbox); ``method_choice.recommend_method`` decides. Both are
public so ``rewardbox preflight`` can run the same steps, or pass checks it already ran.
"""

from __future__ import annotations

import argparse
from typing import Mapping, Sequence

from rich.console import Console

from rewardbox.graders import Grader, RewardLoadError
from rewardbox.graders.checks import run_checks

from .check import ANSWER_FORMATS_DESC, parse_answer_formats
from ..data_summary import sample_evenly
from ..datasource import MESSAGES_COLUMN, SOURCE_DESC, Columns, Table, add_column_options, columns_from, read_table
from ..errors import UsageError
from ..training.method_choice import (
    REQUIRED_CHECKS,
    CheckEvidence,
    DataEvidence,
    Evidence,
    MethodAdvice,
    RewardEvidence,
    recommend_method,
)
from ..options import FORMAT_DESC, add_grader_options, grader_options
from ..probing import as_truth, probe_results, probe_summary, probeable

CHECK_TRUTHS = 10  # ground truths the checks build their inputs around
PROBE_TRUTHS = 20  # ground truths probed for signal
ADVISE_REWARD_DESC = "the reward to verify: a .py file, 'module:function', 'library:NAME' or source code (none: SFT or neither)"
MAX_EXAMPLES_DESC = "generated inputs per property check (default 20; rewardbox check runs 100)"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "advise",
        help="recommend GRPO or SFT for a dataset (and reward), with the evidence",
        description="Recommend a training method. GRPO when the reward loads, passes the determinism and gold-consistency "
        "checks and gives signal on probe completions around the data's ground truths; SFT when there is no such reward "
        "or the data holds reference responses without a checkable answer; neither when the data has nothing to learn "
        "from. Each reason cites the check or count it rests on. Exit status: 0 a method was recommended, 1 neither "
        "method can start, 2 unreadable data or reward.",
    )
    parser.add_argument("--data", required=True, metavar="DATA", help=SOURCE_DESC)
    parser.add_argument("--reward", metavar="REWARD", help=ADVISE_REWARD_DESC)
    add_column_options(parser)
    parser.add_argument("--max-examples", type=int, default=20, metavar="N", help=MAX_EXAMPLES_DESC)
    parser.add_argument("--answer-formats", metavar="NAMES", help=ANSWER_FORMATS_DESC)
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    add_grader_options(parser.add_argument_group("grading (with --reward; --range is the reward's minimum and maximum, default 0,1)"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.max_examples < 1:
        raise UsageError(f"--max-examples {args.max_examples}: expected a positive integer")
    table = read_table(args.data, split=args.split)
    options = grader_options(args)
    score_range = options.pop("score_range") or (0.0, 1.0)
    evidence = collect_evidence(
        table,
        columns_from(args),
        reward=args.reward,
        grader_options=options,
        score_range=score_range,
        max_examples=args.max_examples,
        answer_formats=parse_answer_formats(args.answer_formats),
    )
    advice = recommend_method(evidence)
    if args.format == "json":
        print(advice.model_dump_json(indent=2))
    else:
        Console(highlight=False, soft_wrap=True).print(render_text(advice), markup=False)
    return 1 if advice.method == "neither" else 0


def collect_evidence(
    table: Table,
    columns: Columns,
    *,
    reward: str | None,
    grader_options: Mapping[str, object] | None = None,
    score_range: tuple[float, float] = (0.0, 1.0),
    max_examples: int = 20,
    answer_formats: Sequence[str] | None = None,
) -> Evidence:
    """What the data holds and, with a reward and ground truths, what the checks and probes show about the reward.

    ``answer_formats`` are the formats gold consistency requires the maximum in (default all of ``ANSWER_FORMATS``).
    """
    data = data_evidence(table, columns)
    if reward is None:
        return Evidence(data=data)
    # each row as a reward takes it: the answer column's value as it is (a dict stays a dict), the rest as fields
    truths = list(dict.fromkeys(
        as_truth({**{k: v for k, v in row.values.items() if k != columns.answer}, "ground_truth": row.values[columns.answer]})
        for row in table.rows
        if _present(row.values.get(columns.answer))
    ))
    if not truths:
        return Evidence(data=data, reward=RewardEvidence(reward=reward))
    try:
        report = run_checks(
            reward,
            examples=[(None, truth) if isinstance(truth, str) else {**truth.fields, "ground_truth": truth.ground_truth} for truth in sample_evenly(truths, CHECK_TRUTHS)],
            max_examples=max_examples,
            score_range=score_range,
            properties=set(REQUIRED_CHECKS),
            answer_formats=answer_formats,
            grader_options=grader_options,
        )
        probed, skipped = probeable(truths)
        probed = sample_evenly(probed, PROBE_TRUTHS)
        with Grader(reward, **dict(grader_options or {})) as grader:
            probes = probe_summary(probed, probe_results(grader, probed), score_range, skipped)
    except RewardLoadError as exc:
        return Evidence(data=data, reward=RewardEvidence(reward=reward, load_error=str(exc)))
    checks = [CheckEvidence.from_result(result) for result in report.results]
    return Evidence(data=data, reward=RewardEvidence(reward=report.reward, checks=checks, probes=probes))


def data_evidence(table: Table, columns: Columns) -> DataEvidence:
    """Rows, and how many have a prompt, a ground truth and a reference response (a conversation counts as both)."""
    conversations = columns.prompt not in table.columns and MESSAGES_COLUMN in table.columns
    values = [row.values for row in table.rows]
    if conversations:
        prompts = responses = sum(isinstance(v.get(MESSAGES_COLUMN), list) and bool(v[MESSAGES_COLUMN]) for v in values)
    else:
        prompts = sum(_present(v.get(columns.prompt)) for v in values)
        responses = sum(_present(v.get(columns.response)) for v in values)
    return DataEvidence(
        source=table.name,
        rows=len(values),
        prompts=prompts,
        answers=sum(_present(v.get(columns.answer)) for v in values),
        responses=responses,
        answer_column=columns.answer,
        response_column=MESSAGES_COLUMN if conversations else columns.response,
    )


def render_text(advice: MethodAdvice) -> str:
    """The recommendation, its reasons and the next steps, as lines for a terminal."""
    names = {"grpo": "GRPO", "sft": "SFT", "neither": "neither GRPO nor SFT can start"}
    lines = [f"recommendation: {names[advice.method]}", "because:"]
    lines += [f"  - {reason}" for reason in advice.reasons]
    lines += ["next:", *(f"  - {step}" for step in advice.next_steps)]
    return "\n".join(lines)


def _present(value: object) -> bool:
    return value is not None and value != ""
