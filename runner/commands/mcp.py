"""``rewardbox mcp``: serve rewardbox's tools to an agent with the Model Context Protocol over stdio (``mcp/server.py``)."""

from __future__ import annotations

import argparse
import tempfile

from rich.console import Console

from ..errors import UsageError
from ..mcp.server import TRAINING, build_server
from ..options import add_sandbox_options, sandbox_options

OUTPUT_DIR_DESC = (
    "where every tool call writes its full output, a new numbered folder per call (training runs go to DIR/runs); "
    "default: a new folder in the temporary directory, printed at start and named in every result"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "mcp",
        help="serve rewardbox's tools to an agent over MCP (stdio)",
        description="Serve lint_reward, check_reward, grade, hygiene_report, preflight and the GRPO small-step tools "
        "(train_open, train_grpo_step, sample, save, load, train_close) with the Model Context Protocol over stdin and "
        "stdout, for an MCP client to start. Tools take file paths and return short summaries; full outputs go to "
        "--output-dir. The sandbox options below apply to every grader the tools start (the agent cannot change them). "
        "Needs the mcp extra: pip install 'rewardbox[mcp]'.",
    )
    parser.add_argument("--output-dir", metavar="DIR", help=OUTPUT_DIR_DESC)
    add_sandbox_options(parser.add_argument_group("sandbox (every grader the tools start)"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until the client closes stdin; exit 0, or 2 when the SDK or an option is missing."""
    try:
        from mcp.server.mcpserver import MCPServer  # noqa: F401 - only to fail early with the install hint
    except ImportError as exc:
        raise UsageError(f"{exc}: rewardbox mcp needs the MCP SDK: pip install 'rewardbox[mcp]'") from None
    from ..mcp.tools import Outputs, Tools

    options = sandbox_options(args)
    outputs = Outputs(args.output_dir or tempfile.mkdtemp(prefix="rewardbox-mcp-"))
    try:
        from ..mcp.training import Training
    except ImportError as exc:  # Python 3.10, or no train extra
        training, training_note = None, f"Training tools are unavailable here ({exc}): they need Python 3.11+ and rewardbox[train]."
    else:
        training, training_note = Training(outputs), TRAINING
    server = build_server(Tools(outputs, options), training, outputs, training_note)
    Console(stderr=True).print(f"rewardbox mcp: serving over stdio; outputs in {outputs.root}", highlight=False, soft_wrap=True)
    try:
        server.run("stdio")
    except KeyboardInterrupt:
        return 130
    finally:
        if training is not None:
            training.close()
    return 0
