"""RK14x: output in the code a call runs (print, logging)."""

from __future__ import annotations

import ast
from typing import Iterator

from ..model import Module
from ..registry import Hit, rule

LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


@rule("RK140", "print-in-call", "info")
def print_in_call(module: Module) -> Iterator[Hit]:
    """`print` in the code a call runs.

    What it finds:
        Calls of `print` and `pprint.pprint` in the reward function and the functions it calls.

    Why it hurts training:
        A reward runs thousands of times per training step. In-process trainers (TRL, verl's reward managers)
        interleave every worker's prints into the training log, which buries real warnings; verl's own GSM8K
        scorer prints one sample in 64 for this reason. rewardbox captures each call's output, bounded by
        `output_mb`: a reward that prints the whole completion can exceed it and turn a graded call into
        `output_limit`.

    Example:
        def compute_reward(completion, ground_truth):
            print("completion:", completion, "gt:", ground_truth)
            ...

    Use instead:
        Return sub-scores with `record_components` and inspect results with `rewardbox grade`, which keeps each
        call's stdout next to its score.

    Not flagged:
        Module-level prints (they run once, at load), and prints in functions the reward does not call.
    """
    for node in module.nodes:
        if isinstance(node, ast.Call) and module.in_call(node) and module.call_name(node) in ("print", "pprint.pprint"):
            yield node, f"`{module.call_name(node)}` runs on every call: output is captured per call (bounded by output_mb) and floods in-process training logs"


@rule("RK141", "logging-in-call", "info")
def logging_in_call(module: Module) -> Iterator[Hit]:
    """Logging calls in the code a call runs.

    What it finds:
        `logging.info(...)` and the other level functions, and the same methods on a module-level logger
        (`logger = logging.getLogger(__name__)`), in the reward function and the functions it calls.

    Why it hurts training:
        As with `print` (RK140): one log line per completion is thousands per step. Failures logged and then
        scored 0.0 are the worse form: OpenRLHF logs a failed reward fetch at INFO and carries on, and
        verifiers' `Rubric` logs every exception and scores it 0.0, so a broken reward looks like a hard task.

    Example:
        logger = logging.getLogger(__name__)

        def compute_reward(completion, ground_truth):
            logger.info("grading %s", completion[:50])
            ...

    Use instead:
        Let failures raise (the grader records status and traceback per call) and keep logging in the caller.

    Not flagged:
        Logger configuration at module level, and logging in functions the reward does not call.
    """
    loggers = {
        target.id
        for statement in module.module_statements
        if isinstance(statement, ast.Assign) and module.call_name(statement.value) == "logging.getLogger"
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS):
            continue
        receiver = node.func.value
        is_log = module.qualified_name(receiver) == "logging" or (isinstance(receiver, ast.Name) and receiver.id in loggers)
        if is_log and module.in_call(node):
            yield node, f"`{module.snippet(node.func)}` logs on every call: thousands of lines per training step"
