"""The ``rewardkit`` command line.

Each command lives in its own module with ``add_parser(commands)`` and ``run(args)``;
this file only lists them. Shared option help texts live in ``options.py``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from rich.console import Console

from rewardkit.graders import RewardLoadError
from rewardkit.graders.errors import BackendUnavailable, IsolationUnavailable

from . import advise, check, data, doctor, export, grade, lint, mcp_server, preflight, report, train
from .errors import UsageError

COMMANDS = (preflight, grade, lint, check, report, data, advise, train, mcp_server, doctor, export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rewardkit",
        description="Reward functions for RL post-training: sandboxed grading, diagnostics and training.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
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
    except (RewardLoadError, IsolationUnavailable, BackendUnavailable) as exc:
        failed = "cannot start the grading backend" if isinstance(exc, BackendUnavailable) else "cannot load the reward"
        Console(stderr=True).print(f"[bold red]rewardkit {args.command}: {failed}[/]: {exc}", highlight=False, soft_wrap=True)
        return 2
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
