"""Errors rewardbox raises to its caller.

Failures of user reward code during a call are never raised: they are values
(a ``GradeResult`` with a status). What is raised is a programmer's or an
operator's mistake, named at once::

    RewardboxError
    ├── RewardLoadError        the reward cannot be loaded (syntax, missing function, arity, import)
    ├── IsolationUnavailable   isolation="strict" asked for layers this machine cannot give
    ├── GraderClosed           the grader was used after close()
    ├── SandboxFailure         the sandbox itself failed (zygote could not start or died while loading)
    │   └── ClusterLost        backend="ray" lost its cluster's head node mid-run
    ├── BackendUnavailable     backend="ray" cannot start: ray missing, cluster unreachable, actors not placed
    └── RewardFailing          every item of several batches in a row failed the same way (watch.py)
"""

from __future__ import annotations


class RewardboxError(Exception):
    """Base class of every error rewardbox raises."""


class RewardLoadError(RewardboxError):
    """The reward source cannot be loaded; the message names file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.reason = message
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class IsolationUnavailable(RewardboxError):
    """isolation="strict" was asked for and at least one layer is missing."""

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = missing
        reasons = "; ".join(f"{name}: {why}" for name, why in missing.items())
        super().__init__(
            f"isolation='strict' refuses to run: {len(missing)} layer(s) unavailable ({reasons}). "
            "Run `rewardbox doctor` for details, or use isolation='standard' to run with what is available."
        )


class GraderClosed(RewardboxError):
    """The grader was used after close()."""


class SandboxFailure(RewardboxError):
    """The sandbox process could not be started or died outside any call."""


class BackendUnavailable(RewardboxError):
    """backend="ray" cannot start: ray is not installed, the cluster cannot be reached, or it cannot host the actors."""


class ClusterLost(SandboxFailure):
    """backend="ray": the head node of the Ray cluster became unreachable; every waiting call ends with this."""


class RewardFailing(RewardboxError):
    """Every item of ``stop_after`` batches in a row failed with the same status: training on it would learn nothing."""

    def __init__(self, message: str, *, status: str = "exception", batches: int = 1) -> None:
        self.status = status
        self.batches = batches
        super().__init__(message)
