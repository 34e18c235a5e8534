"""The MCP server behind ``rewardbox mcp``: rewardbox's tools for an agent, over stdio.

::

    agent ──MCP over stdin/stdout──▶ MCPServer ──a worker thread per call──▶ Tools (tools.py)
          ◀── summary, or a tool error ──┘                                    Training (training.py)
                                                  full outputs ──▶ OUTPUT_DIR/0001-lint/, 0002-grade/, runs/...

The server is the official SDK's ``MCPServer`` (mcp 2; FastMCP in mcp 1), imported
only by ``rewardbox mcp`` (``commands/mcp.py``). Each tool is a method of ``Tools`` or ``Training``; this module
registers them and turns every error into a tool error the agent can read
(``reward.py:3: SyntaxError ...``, ``input_path x.jsonl: No such file or directory``):
a tool call never ends the server. While serving, the SDK points file descriptors
0 and 1 at /dev/null and stderr, so nothing a reward or a library prints reaches
the protocol stream.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rewardbox.graders.errors import RewardboxError


if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from .tools import Outputs, Tools
    from .training import Training

INSTRUCTIONS = """\
rewardbox checks and runs reward functions for RL post-training (GRPO) in a sandbox.
A reward is a .py file defining compute_reward(completion, ground_truth) -> float, 'module:function' or 'library:NAME'.
Before training on a reward: lint_reward (static), check_reward (property tests), preflight (everything, one verdict).
On data: grade (a JSONL of completions), hygiene_report (sampled groups: is there a learning signal?).
{training}
Pass large inputs as file paths (absolute, or relative to {cwd}). Results are short summaries; \
the full outputs are files under {outputs}, named in each result."""
TRAINING = (
    "Training: train_open(config_path) opens a GRPO session; then train_grpo_step, sample, save, load; train_close ends it."
)
REWARD_TOOLS = ("lint_reward", "check_reward", "grade", "hygiene_report", "preflight")
TRAINING_TOOLS = ("train_open", "train_grpo_step", "sample", "save", "load", "train_close")
logger = logging.getLogger("rewardbox.mcp")


def build_server(tools: Tools, training: Training | None, outputs: Outputs, training_note: str) -> MCPServer:
    """An ``MCPServer`` offering the reward tools (and the training tools), errors turned into tool errors.

    Every call is logged to ``server.log`` in the output directory.
    """
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "rewardbox",
        version=importlib.metadata.version("rewardbox"),
        instructions=INSTRUCTIONS.format(training=training_note, cwd=os.getcwd(), outputs=outputs.root),
    )
    log_path = outputs.root / "server.log"
    _log_to(log_path)
    for owner, names in ((tools, REWARD_TOOLS), (training, TRAINING_TOOLS if training is not None else ())):
        for name in names:
            server.add_tool(as_tool(getattr(owner, name), log_path))
    return server


def as_tool(function: Callable[..., Any], log_path: Path) -> Callable[..., Any]:
    """``function`` with every exception turned into the SDK's ``ToolError``, whose message the agent reads.

    rewardbox's own errors and ``ValueError`` already say what is wrong and where (a reward's
    file:line, an argument, a file's line); anything else is unexpected and keeps its type.
    Every call is logged, with the traceback of an unexpected error, which the message says is in ``log_path``.
    """
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(function)
    def tool(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            result = function(*args, **kwargs)
        except (RewardboxError, ValueError) as exc:
            logger.info("%s failed after %.1f s: %s", function.__name__, time.monotonic() - started, exc)
            raise ToolError(str(exc)) from exc
        except OSError as exc:
            logger.info("%s failed after %.1f s: %s", function.__name__, time.monotonic() - started, exc)
            raise ToolError(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)) from exc
        except Exception as exc:
            logger.exception("%s raised an unexpected error", function.__name__)
            raise ToolError(f"unexpected {type(exc).__name__}: {exc} (the traceback is in {log_path})") from exc
        finally:
            sys.stdout.flush()  # while fd 1 still points at stderr: stray prints never reach the protocol stream
        logger.info("%s done in %.1f s", function.__name__, time.monotonic() - started)
        return result

    return tool


def _log_to(path: Path) -> None:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
