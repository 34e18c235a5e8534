"""``rewardbox export-openai``: write a reward as a self-contained OpenAI python grader."""

from __future__ import annotations

import argparse
import sys

from rewardbox.graders import RewardLoadError
from rewardbox.graders.adapters.openai_export import MAX_SOURCE_BYTES, ExportError, export_openai_grader

from ..options import REWARD_DESC


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export-openai",
        help="write a reward as an OpenAI python grader (grade(sample, item) -> float)",
        description="Write REWARD, with a grade(sample, item) entry point, as one self-contained source for OpenAI's "
        f"python grader. Only a reward that is a single file importing the standard library and the packages of "
        f"OpenAI's grader image can be exported, within {MAX_SOURCE_BYTES} bytes; otherwise the command says why (exit 1).",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="where to write the grader source ('-' for stdout, default)")
    parser.add_argument("--answer-field", default="ground_truth", metavar="NAME", help="the item field that holds the ground truth (default ground_truth)")
    parser.add_argument("--output-field", default="output_text", metavar="NAME", help="the sample field graded (default output_text)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when written, 1 when the reward cannot be exported, 2 when it cannot be read."""
    try:
        source = export_openai_grader(args.reward, answer_field=args.answer_field, output_field=args.output_field)
    except ExportError as exc:
        print(f"rewardbox export-openai: cannot export: {exc}", file=sys.stderr)
        return 1
    except (RewardLoadError, SyntaxError, OSError) as exc:
        print(f"rewardbox export-openai: cannot read the reward: {exc}", file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.write(source)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(source)
    return 0
