"""The ``rewardbox`` command line.

Each command lives in its own module of ``commands/`` with ``add_parser(commands)`` and ``run(args)``;
this file only lists them. Shared option help texts live in ``options.py``. A
command's module is imported only when that command runs (``rewardbox grade`` does
not pay for hypothesis, the MCP SDK or the trainer); ``rewardbox --help`` imports all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from rewardbox.graders.errors import BackendUnavailable, IsolationUnavailable, RewardLoadError

from .errors import UsageError

# command name -> the module of runner/commands/ that defines it, in the order --help lists them
COMMANDS = {
    "preflight": "preflight", "grade": "grade", "lint": "lint", "check": "check", "report": "report", "data": "data",
    "advise": "advise", "train": "train", "serve": "serve", "mcp": "mcp", "doctor": "doctor", "export-openai": "export_openai",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of the command ``only`` alone (what ``main`` runs)."""
    parser = argparse.ArgumentParser(
        prog="rewardbox",
        description="Reward functions for RL post-training: sandboxed grading, diagnostics and training.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f".commands.{module}", __package__).add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except UsageError as exc:
        parser.exit(2, f"rewardbox {args.command}: error: {exc}\n")
    except (RewardLoadError, IsolationUnavailable, BackendUnavailable) as exc:
        from rich.console import Console

        failed = "cannot start the grading backend" if isinstance(exc, BackendUnavailable) else "cannot load the reward"
        Console(stderr=True).print(f"[bold red]rewardbox {args.command}: {failed}[/]: {exc}", highlight=False, soft_wrap=True)
        return 2
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
