"""What every adapter shares: a reward source with grader options, graded by a per-process sandbox."""

from __future__ import annotations

import os
import threading
from typing import Callable, Mapping, Sequence

from ..runtime.grader import Grader
from ..runtime.results import GradeResult
from ..runtime.sources import RewardSource
from ..runtime.watch import DEFAULT_STOP_AFTER, FailureWatch

RewardSpec = str | RewardSource | Callable[[str, str], object]


class SandboxedReward:
    """A reward plus ``Grader`` options; its sandbox starts at construction and again in any process it is unpickled in.

    Construction loads the reward at once, so a broken reward fails where it is
    configured (``RewardLoadError`` naming file and line), not mid-training.
    Pickling carries only the source and options; forked or unpickled copies start
    their own sandbox on first use, because a grader's manager thread and zygote
    do not survive a fork.
    """

    def __init__(
        self,
        reward: RewardSpec,
        *,
        name: str | None = None,
        params: dict | None = None,
        stop_after_failed_batches: int | None = DEFAULT_STOP_AFTER,
        **grader_options: object,
    ) -> None:
        if isinstance(reward, RewardSource):
            self.source = reward
        elif isinstance(reward, str):
            self.source = RewardSource.parse(reward, params)
        elif callable(reward):
            self.source = RewardSource.from_function(reward)
        else:
            raise TypeError(f"reward: expected a reward spec string, RewardSource or function, got {type(reward).__name__}")
        self.grader_options = grader_options
        self.__name__ = name or _default_name(self.source)
        self.stop_after_failed_batches = stop_after_failed_batches
        self._watch = FailureWatch(self.__name__, stop_after_failed_batches)
        self._lock = threading.Lock()
        self._grader: Grader | None = None
        self._pid = -1
        self.grader()

    def grader(self) -> Grader:
        """This process's grader, started on first use (and again after a fork)."""
        with self._lock:
            if self._grader is None or self._pid != os.getpid():
                self._grader = Grader(self.source, **self.grader_options)
                self._pid = os.getpid()
            return self._grader

    def grade_rows(self, rows: list[Mapping[str, object]]) -> list[GradeResult]:
        """Grade rows ``{"completion", "ground_truth", ...fields}`` (see ``binding.py``); results in input order.

        A batch whose every row failed the same way is logged at once, and after
        ``stop_after_failed_batches`` of them in a row raises ``RewardFailing``.
        """
        results = self.grader().grade_batch(rows)
        self._watch.observe(results)
        return results

    async def agrade_rows(self, rows: list[Mapping[str, object]]) -> list[GradeResult]:
        """``grade_rows`` without blocking the event loop."""
        results = await self.grader().agrade_batch(rows)
        self._watch.observe(results)
        return results

    async def agrade_row(self, row: Mapping[str, object]) -> GradeResult:
        """One row, for harnesses that grade a sample a call: every ``watch.WINDOW`` calls count as one batch."""
        result = (await self.grader().agrade_batch([row]))[0]
        self._watch.observe_one(result)
        return result

    def grade_row(self, row: Mapping[str, object]) -> GradeResult:
        """``agrade_row`` from synchronous code."""
        result = self.grader().grade_batch([row])[0]
        self._watch.observe_one(result)
        return result

    def close(self) -> None:
        with self._lock:
            if self._grader is not None and self._pid == os.getpid():
                self._grader.close()
            self._grader = None

    def __getstate__(self) -> dict:
        return {"source": self.source, "grader_options": self.grader_options, "__name__": self.__name__, **self._extra_state()}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._grader, self._pid = None, -1
        self._watch = FailureWatch(self.__name__, self.stop_after_failed_batches)

    def _extra_state(self) -> dict:
        """Adapter settings to pickle besides the source and grader options."""
        return {key: value for key, value in vars(self).items() if key not in ("source", "grader_options", "__name__", "_lock", "_grader", "_pid", "_watch")}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source.describe()})"


def completion_text(completion: str | Sequence[Mapping[str, object]]) -> str:
    """The text to grade: a string as is; for chat messages, the content of the last assistant message.

    Content given as a list of parts (``[{"type": "text", "text": ...}]``) is joined;
    a conversation without an assistant message grades as the empty string.
    """
    if isinstance(completion, str):
        return completion
    for message in reversed(list(completion)):
        if message.get("role", "assistant") == "assistant":
            return _content_text(message.get("content"))
    return ""


def _content_text(content: object) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping) and part.get("type", "text") == "text")
    return str(content)


def _default_name(source: RewardSource) -> str:
    if source.kind == "file":
        stem = os.path.splitext(os.path.basename(source.target))[0]
        return stem if source.function == "compute_reward" else f"{stem}.{source.function}"
    if source.kind == "library":
        return source.target
    if source.kind == "module":
        return f"{source.target}.{source.function}"
    return source.function if source.kind == "pickle" else "reward"
