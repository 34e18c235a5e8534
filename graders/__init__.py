"""rewardkit.graders: load user reward code into a sandbox and grade completions with it.

Names are imported lazily: the sandbox's zygote imports modules of this package
and must stay small (every megabyte it holds is copied by each fork).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

_EXPORTS = {
    "Grader": "grader",
    "GradeResult": "results",
    "Scores": "results",
    "Status": "frames",
    "RewardSource": "sources",
    "LayerState": "layers",
    "LAYER_NAMES": "layers",
    "LAYER_TITLES": "layers",
    "RewardkitError": "errors",
    "RewardLoadError": "errors",
    "IsolationUnavailable": "errors",
    "GraderClosed": "errors",
    "SandboxFailure": "errors",
    "BackendUnavailable": "errors",
    "ClusterLost": "errors",
    "RewardFailing": "errors",
    "FailureWatch": "watch",
    "Binding": "binding",
    "MAX_ROW_BYTES": "binding",
    "Finding": "lint",
    "lint_reward": "lint",
    "lint_source": "lint",
    # property checks, and what users test their own rewards with (hypothesis is imported only on use)
    "run_checks": "checks",
    "CheckReport": "check_report",
    "PropertyResult": "check_report",
    "PROPERTIES": "check_report",
    "ANSWER_FORMATS": "probes",
    "probe_completions": "probes",
    "correct_formats": "probes",
    "wrong_answers": "probes",
    "unrelated_texts": "probes",
    "robustness_inputs": "probes",
    "answers_in_format": "strategies",
    "completions_around": "strategies",
    "correct_completions": "strategies",
    "distractor_answers": "strategies",
    "ground_truths": "strategies",
    "ground_truths_like": "strategies",
    "hostile_completions": "strategies",
    "reasoning_texts": "strategies",
    "truncations": "strategies",
    "unrelated_completions": "strategies",
    "wrong_completions": "strategies",
    "assert_ok": "pytest_plugin",
    "assert_score": "pytest_plugin",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .binding import MAX_ROW_BYTES, Binding
    from .errors import BackendUnavailable, ClusterLost, GraderClosed, IsolationUnavailable, RewardFailing, RewardkitError, RewardLoadError, SandboxFailure
    from .watch import FailureWatch
    from .frames import Status
    from .grader import Grader
    from .layers import LAYER_NAMES, LAYER_TITLES, LayerState
    from .check_report import PROPERTIES, CheckReport, PropertyResult
    from .checks import run_checks
    from .lint import Finding, lint_reward, lint_source
    from .probes import ANSWER_FORMATS, correct_formats, probe_completions, robustness_inputs, unrelated_texts, wrong_answers
    from .pytest_plugin import assert_ok, assert_score
    from .results import GradeResult
    from .sources import RewardSource
    from .strategies import (
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
