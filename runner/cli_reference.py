"""The reference of each ``rewardbox`` command as Markdown, made from its argparse parser (so it cannot drift).

The documentation site puts it at the end of each command's page (``docs/hooks.py``)::

    python -m rewardbox.runner.cli_reference grade      # the same text, for a terminal or a diff
"""

from __future__ import annotations

import argparse
import sys


def command_reference(name: str) -> str:
    """Usage, description and a table of every option of ``rewardbox NAME`` (and of its sub-commands)."""
    from .cli import build_parser

    commands = _subcommands(build_parser())
    if name not in commands:
        raise KeyError(f"no command {name!r}; the commands are {', '.join(commands)}")
    return _parser_reference(commands[name], level=3)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _parser_reference(parser: argparse.ArgumentParser, level: int) -> str:
    formatter = parser._get_formatter()
    parts = [f"```\n{parser.format_usage().strip()}\n```"]
    if parser.description:
        parts.append(parser.description)
    for group in parser._action_groups:
        rows = [_row(formatter, action) for action in group._group_actions if action.help is not argparse.SUPPRESS]
        rows = [row for row in rows if row]
        if rows:
            title = "positional arguments" if group.title in ("positional arguments", "positionals") else group.title or "options"
            parts.append(f"{'#' * level} {title[0].upper()}{title[1:]}\n\n| argument | meaning |\n|---|---|\n" + "\n".join(rows))
    for sub_name, sub_parser in _subcommands(parser).items():
        parts.append(f"{'#' * level} `{parser.prog.split(' ', 1)[-1]} {sub_name}`\n\n" + _parser_reference(sub_parser, level + 1))
    return "\n\n".join(parts) + "\n"


def _row(formatter: argparse.HelpFormatter, action: argparse.Action) -> str | None:
    if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
        return None
    if action.option_strings:
        metavar = "" if action.nargs == 0 else " " + formatter._format_args(action, action.dest.upper())
        names = ", ".join(f"`{option}{metavar}`" for option in action.option_strings)
    else:
        names = f"`{formatter._format_args(action, action.dest)}`"
    meaning = formatter._expand_help(action) if action.help else ""
    if action.choices and not isinstance(action, argparse._SubParsersAction) and "{" not in names:
        meaning += f" (one of: {', '.join(map(str, action.choices))})"
    return f"| {_cell(names)} | {_cell(' '.join(meaning.split()))} |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(command_reference(sys.argv[1]))
