"""rewardkit.graders: load user reward code into a sandbox and grade completions with it."""

from .errors import GraderClosed, IsolationUnavailable, RewardkitError, RewardLoadError, SandboxFailure
from .grader import Grader
from .layers import LAYER_NAMES, LAYER_TITLES, LayerState
from .results import GradeResult, Status
from .sources import RewardSource

__all__ = [
    "Grader",
    "GradeResult",
    "Status",
    "RewardSource",
    "LayerState",
    "LAYER_NAMES",
    "LAYER_TITLES",
    "RewardkitError",
    "RewardLoadError",
    "IsolationUnavailable",
    "GraderClosed",
    "SandboxFailure",
]
