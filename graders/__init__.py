"""rewardkit.graders: load user reward code into a sandbox and grade completions with it.

Names are imported lazily: the sandbox's zygote imports modules of this package
and must stay small (every megabyte it holds is copied by each fork).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "Grader": "grader",
    "GradeResult": "results",
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
    "Finding": "lint",
    "lint_reward": "lint",
    "lint_source": "lint",
}
__all__ = [
    "BackendUnavailable", "Finding", "GradeResult", "Grader", "GraderClosed", "IsolationUnavailable", "LAYER_NAMES",
    "LAYER_TITLES", "LayerState", "RewardLoadError", "RewardSource", "RewardkitError", "SandboxFailure", "Status",
    "lint_reward", "lint_source",
]

if TYPE_CHECKING:
    from .errors import BackendUnavailable, GraderClosed, IsolationUnavailable, RewardkitError, RewardLoadError, SandboxFailure
    from .frames import Status
    from .grader import Grader
    from .layers import LAYER_NAMES, LAYER_TITLES, LayerState
    from .lint import Finding, lint_reward, lint_source
    from .results import GradeResult
    from .sources import RewardSource


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rewardkit.graders' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
