"""What runs inside one Ray actor: a local sandboxed ``Grader``, and its reply to ``start``.

Only JSON-able values cross the wire in either direction: the reward source and
options in, dicts of layers and results out; the driver validates what comes back
(``Started`` here, ``GradeResult`` in ray_backend.py). This module must be importable
on every node, which is why the cluster needs rewardbox installed there.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Literal

import ray
from pydantic import BaseModel

from ..errors import IsolationUnavailable, RewardboxError, RewardLoadError, SandboxFailure
from .layers import LayerState
from .sources import RewardSource


class ActorGrader:
    """One Ray actor: a local sandboxed ``Grader``; takes and returns only JSON-able values."""

    def __init__(self) -> None:
        self.grader = None

    def start(self, source: dict, options: dict, local: Callable[..., Any]) -> dict:
        """Load the reward into ``local(source, **options)``, the driver's ``Grader`` class (passed in, by
        reference: this module sits below grader.py and does not import it); reply with where this actor
        runs and its sandbox's layers, or why it cannot start."""
        where = {"node": ray.util.get_node_ip_address(), "node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid()}
        try:
            self.grader = local(RewardSource.from_dict(source), **options)
        except RewardLoadError as exc:
            return {**where, "error": "load", "message": exc.reason, "path": exc.path, "line": exc.line}
        except IsolationUnavailable as exc:
            return {**where, "error": "isolation", "missing": exc.missing}
        except RewardboxError as exc:
            return {**where, "error": "sandbox", "message": str(exc)}
        return {
            **where,
            "layers": [dataclasses.asdict(state) for state in self.grader.layers],
            "warmup_skipped": self.grader.warmup_skipped,
            "binding": self.grader.binding.to_dict(),
            "processes": dataclasses.asdict(self.grader.processes),
            "reload": self.grader.reload,
        }

    def grade(self, rows: list[dict]) -> list[dict]:
        """Grade rows (checked by the driver against the binding); results in order, as dicts."""
        return [result.to_dict() for result in self.grader.grade_batch(rows)]

    def close(self) -> None:
        if self.grader is not None:
            self.grader.close()


RemoteActorGrader = ray.remote(ActorGrader)


class Started(BaseModel):
    """An actor's reply to ``start``: where it runs and its sandbox's layers, or why the reward did not load there."""

    error: Literal["load", "isolation", "sandbox"] | None = None
    message: str = ""
    path: str | None = None
    line: int | None = None
    missing: dict[str, str] = {}
    layers: list[LayerState] = []
    warmup_skipped: str | None = None
    binding: dict = {}  # Binding.to_dict() of the reward as loaded there
    processes: dict = {}  # the ProcessPolicy of its sandbox, as a dict
    reload: str | None = None  # why the reward is loaded again in each call process there (None: it is not)
    node: str = ""
    node_id: str = ""
    pid: int = 0

    def exception(self) -> RewardboxError | None:
        """The error the actor's grader raised, rebuilt as the same class for the caller."""
        if self.error == "load":
            return RewardLoadError(self.message, path=self.path, line=self.line)
        if self.error == "isolation":
            return IsolationUnavailable(self.missing)
        if self.error == "sandbox":
            return SandboxFailure(f"on Ray node {self.node or '?'}: {self.message}")
        return None
