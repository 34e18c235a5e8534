"""rewardbox.graders: load user reward code into a sandbox and grade completions with it.

Names are imported lazily: the sandbox's zygote imports modules of this package
and must stay small (every megabyte it holds is copied by each fork).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

_EXPORTS = {
    "Grader": "runtime.grader",
    "GradeResult": "runtime.results",
    "Scores": "runtime.results",
    "Status": "runtime.frames",
    "RewardSource": "runtime.sources",
    "LayerState": "runtime.layers",
    "LAYER_NAMES": "runtime.layers",
    "LAYER_TITLES": "runtime.layers",
    "RewardboxError": "errors",
    "RewardLoadError": "errors",
    "IsolationUnavailable": "errors",
    "GraderClosed": "errors",
    "SandboxFailure": "errors",
    "BackendUnavailable": "errors",
    "ClusterLost": "errors",
    "RewardFailing": "errors",
    "FailureWatch": "runtime.watch",
    "Binding": "runtime.binding",
    "MAX_ROW_BYTES": "runtime.binding",
    "Finding": "lint",
    "lint_reward": "lint",
    "lint_source": "lint",
    # property checks, and what users test their own rewards with (hypothesis is imported only on use)
    "run_checks": "checks.properties",
    "CheckReport": "checks.report",
    "PropertyResult": "checks.report",
    "PROPERTIES": "checks.report",
    "ANSWER_FORMATS": "checks.probes",
    "probe_completions": "checks.probes",
    "correct_formats": "checks.probes",
    "wrong_answers": "checks.probes",
    "unrelated_texts": "checks.probes",
    "robustness_inputs": "checks.probes",
    "answers_in_format": "checks.strategies",
    "completions_around": "checks.strategies",
    "correct_completions": "checks.strategies",
    "distractor_answers": "checks.strategies",
    "ground_truths": "checks.strategies",
    "ground_truths_like": "checks.strategies",
    "hostile_completions": "checks.strategies",
    "reasoning_texts": "checks.strategies",
    "truncations": "checks.strategies",
    "unrelated_completions": "checks.strategies",
    "wrong_completions": "checks.strategies",
    "assert_ok": "pytest_plugin",
    "assert_score": "pytest_plugin",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .runtime.binding import MAX_ROW_BYTES, Binding
    from .errors import BackendUnavailable, ClusterLost, GraderClosed, IsolationUnavailable, RewardFailing, RewardboxError, RewardLoadError, SandboxFailure
    from .runtime.watch import FailureWatch
    from .runtime.frames import Status
    from .runtime.grader import Grader
    from .runtime.layers import LAYER_NAMES, LAYER_TITLES, LayerState
    from .checks.report import PROPERTIES, CheckReport, PropertyResult
    from .checks.properties import run_checks
    from .lint import Finding, lint_reward, lint_source
    from .checks.probes import ANSWER_FORMATS, correct_formats, probe_completions, robustness_inputs, unrelated_texts, wrong_answers
    from .pytest_plugin import assert_ok, assert_score
    from .runtime.results import GradeResult
    from .runtime.sources import RewardSource
    from .checks.strategies import (
        answers_in_format,
        completions_around,
        correct_completions,
        distractor_answers,
        ground_truths,
        ground_truths_like,
        hostile_completions,
        reasoning_texts,
        truncations,
        unrelated_completions,
        wrong_completions,
    )


__getattr__ = lazy_exports(__name__, _EXPORTS)
