"""The ``rewardkit`` command line: ``grade`` and ``doctor`` (more commands arrive with later issues).

Every option's help text is a named constant, shared by the flag and the README.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import doctor, grade
from .errors import UsageError

TIMEOUT_DESC = "wall-clock seconds one call may take before it is killed and scored as timeout (default 10)"
WORKERS_DESC = "calls run in parallel (default: the number of cores)"
MEMORY_DESC = "address-space limit of one call in MiB (default 2048)"
CALLS_PER_PROCESS_DESC = (
    "calls one sandboxed process serves before it is replaced (default 1: a fresh process per call; "
    "more is faster but lets state carry between calls, so use it for trusted code only)"
)
ISOLATION_DESC = (
    "strict: refuse to run unless every layer is active; standard (default): use every layer this machine offers "
    "and say which are missing; minimal: only the exec'd zygote, environment, timeouts, rlimits and result channel"
)
RANGE_DESC = "declared score range LO,HI, e.g. 0,1 or -1,1 (default: any finite score stands)"
OUT_OF_RANGE_DESC = "what a score outside --range becomes: invalid (status invalid_return, default) or clamp"
PARAM_DESC = "a parameter for a library reward, KEY=VALUE (VALUE parsed as JSON when it can be); repeatable"
PARAMS_DESC = "parameters for a library reward as one JSON object"
FAILURE_SCORE_DESC = "score given to calls that fail (exception, timeout, crash, invalid return); default 0.0"
FORMAT_DESC = "output format"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rewardkit",
        description="Reward functions for RL post-training: sandboxed grading, diagnostics and training.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    grade_parser = commands.add_parser(
        "grade",
        help="grade a JSONL file of completions with a reward, in the sandbox",
        description="Grade every line {\"completion\": str, \"ground_truth\": str, ...} of INPUT with REWARD. "
        "Each output line is the input object plus score, status, error and duration_ms, in input order.",
    )
    grade_parser.add_argument("reward", metavar="REWARD", help="a .py file, 'module:function', 'library:NAME' or source code")
    grade_parser.add_argument("-i", "--input", required=True, metavar="INPUT.jsonl", help="input JSONL ('-' for stdin)")
    grade_parser.add_argument("-o", "--output", required=True, metavar="OUTPUT.jsonl", help="output JSONL ('-' for stdout)")
    grade_parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help=TIMEOUT_DESC)
    grade_parser.add_argument("--workers", type=int, default=None, metavar="N", help=WORKERS_DESC)
    grade_parser.add_argument("--memory-mb", type=int, default=2048, metavar="M", help=MEMORY_DESC)
    grade_parser.add_argument("--calls-per-process", type=int, default=1, metavar="N", help=CALLS_PER_PROCESS_DESC)
    grade_parser.add_argument("--isolation", choices=("strict", "standard", "minimal"), default="standard", help=ISOLATION_DESC)
    grade_parser.add_argument("--range", dest="score_range", metavar="LO,HI", help=RANGE_DESC)
    grade_parser.add_argument("--out-of-range", choices=("invalid", "clamp"), default="invalid", help=OUT_OF_RANGE_DESC)
    grade_parser.add_argument("--failure-score", type=float, default=0.0, metavar="X", help=FAILURE_SCORE_DESC)
    grade_parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help=PARAM_DESC)
    grade_parser.add_argument("--params", metavar="JSON", help=PARAMS_DESC)
    grade_parser.set_defaults(run=grade.run)

    doctor_parser = commands.add_parser(
        "doctor",
        help="show which isolation layers work on this machine, and why not",
        description="Start a sandbox with a trivial reward and report every isolation layer: active or not, and why.",
    )
    doctor_parser.add_argument("--isolation", choices=("strict", "standard", "minimal"), default="standard", help=ISOLATION_DESC)
    doctor_parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    doctor_parser.set_defaults(run=doctor.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except UsageError as exc:
        parser.exit(2, f"rewardkit {args.command}: error: {exc}\n")
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
