"""The pool's core: jobs in from caller threads, work items out, one manager thread.

``Grader``'s faces (grader.py) put ``_Job``s in through ``ManagerBase.submit`` and take
results out; ``local_manager._Manager`` runs the local sandbox, ``ray_backend.RayManager``
the same contract over Ray actors. Everything here runs in the manager thread unless it
says otherwise.
"""

from __future__ import annotations

import abc
import collections
import queue
import threading
from typing import TYPE_CHECKING, Callable, Iterable, Literal, Mapping, Protocol, Sequence, Tuple, Union

from .binding import RowError
from ..errors import GraderClosed, SandboxFailure
from .results import GradeResult, Status

if TYPE_CHECKING:
    from .binding import Binding
    from .sandbox import Sandbox
    from .sources import RewardSource

BATCH_ROWS = 64  # rows a batch reward (TRL, OpenRLHF) gets in one call, whole prompt groups where they fit
Item = Union[Tuple[str, object], Mapping[str, object]]  # (completion, ground_truth), or a row: see binding.py


_KILL_GRACE_SECONDS = 2.0  # a kill the sandbox has not confirmed by then means it is stuck


class _Job:
    """Items submitted together, and where their results go."""

    END = object()

    def __init__(
        self,
        items: Iterable[Item],
        deliver: Callable[[object], None] | None,
        collect: bool | Literal["scores"] = False,
        window: int | None = None,
    ) -> None:
        """``deliver`` gets lists of ``(index, result)``, then ``END``; or the exception that ended the job."""
        self.items = iter(enumerate(items))
        self.total = len(items) if isinstance(items, Sequence) else None
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.deliver = deliver or self.results.put
        # collect: results stay here and only the end is delivered (one thread handoff per batch, not per item);
        # "scores": only each item's score, status and error are kept (``Grader.scores``)
        self.collected: dict[int, GradeResult] | None = {} if collect is True else None
        self.scored: dict[int, tuple[float, Status, str | None]] | None = {} if collect == "scores" else None
        self.exhausted = False
        self.outstanding = 0
        self.cancelled = False
        # window: at most this many items taken from ``items`` and not yet consumed by the caller (``took``)
        self.window, self.pulled, self.taken, self.held = window, 0, 0, False
        self.wake: Callable[[], None] = lambda: None
        # results completed in this round of the manager's loop, handed over together (``hand_over``): one
        # thread switch per round, not per item
        self.outbox: list[tuple[int, GradeResult]] = []
        self.waiting: Callable[[_Job], None] = lambda job: None  # set by the manager: remember a job with an outbox

    def full(self) -> bool:
        """Whether the caller's backlog fills the window (manager thread); ``held`` is set first, so a
        ``took()`` racing with this check either is seen here or wakes the manager."""
        if self.window is None or self.cancelled:
            return False
        self.held = True
        if self.pulled - self.taken >= self.window:
            return True
        self.held = False
        return False

    def took(self, count: int = 1) -> None:
        """The caller consumed ``count`` results (caller thread); wake the manager if the window held it."""
        self.taken += count
        if self.held:
            self.held = False
            self.wake()

    def complete_ok(self, index: int, score: float, duration_ms: float) -> None:
        """An ok call's score (the frame fast path: a scores job builds no ``GradeResult``)."""
        if self.scored is not None:
            self.outstanding -= 1
            self.scored[index] = (score, Status.ok, None)
            self.finish_if_done()
        else:
            self.complete(index, GradeResult(score=score, status=Status.ok, duration_ms=duration_ms))

    def complete(self, index: int, result: GradeResult) -> None:
        self.outstanding -= 1
        if self.scored is not None:
            self.scored[index] = (result.score, result.status, result.error)
        elif self.collected is not None:
            self.collected[index] = result
        else:
            if not self.outbox:
                self.waiting(self)
            self.outbox.append((index, result))
        self.finish_if_done()

    def hand_over(self) -> None:
        """Deliver the results completed since the last hand-over, as one list (manager thread)."""
        if self.outbox:
            batch, self.outbox = self.outbox, []
            self.deliver(batch)

    def finish_if_done(self) -> None:
        if self.exhausted and self.outstanding == 0:
            self.hand_over()
            self.deliver(_Job.END)
            self.outstanding = -1


class _Work:
    """One row on its way to the sandbox: the values the reward takes (``binding.Binding.arguments``)."""

    __slots__ = ("job", "index", "completion", "ground_truth", "fields", "size")

    def __init__(self, job: _Job, index: int, completion: str, ground_truth: object, fields: dict | None, size: int) -> None:
        self.job, self.index, self.completion, self.ground_truth = job, index, completion, ground_truth
        self.fields, self.size = fields, size

    def row(self) -> dict:
        """The row again, as a mapping (what a Ray actor's grader takes)."""
        return {**(self.fields or {}), "completion": self.completion, "ground_truth": self.ground_truth}


class PoolSettings(Protocol):
    """What a manager reads from the grader it runs for. ``Grader`` (grader.py, above the managers) is one;
    the managers never import it: imports in the runtime point one way, down."""

    source: RewardSource
    workers: int
    timeout: float
    calls_per_process: int
    failure_score: float
    score_range: tuple[float, float] | None
    out_of_range: str
    binding: Binding
    text_chars: int  # of each captured stream kept in a result

    def _start_sandbox(self) -> Sandbox:
        """A new zygote with the reward loaded (a restart after the last one failed)."""


class ManagerBase(abc.ABC):
    """What the local and the Ray manager share: jobs in from caller threads, work items out, one thread."""

    def __init__(self, grader: PoolSettings) -> None:
        self.grader = grader
        self.jobs: collections.deque[_Job] = collections.deque()
        self.incoming: collections.deque[_Job] = collections.deque()
        self.queue: collections.deque[_Work] = collections.deque()
        self.handing_over: list[_Job] = []  # jobs with results completed in this round (``_Job.hand_over``)
        self.stopping = False
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="rewardbox-grader", daemon=True)

    # ---- called from caller threads --------------------------------------------

    def submit(self, job: _Job) -> None:
        if self.failure is not None:
            raise self.failure
        job.waiting = self.handing_over.append
        self.incoming.append(job)
        self._wake()
        if self.failure is not None and not self.thread.is_alive():
            job.deliver(self.failure)  # the manager died between the check and the append

    def stop(self) -> None:
        self.stopping = True
        self._wake()
        if threading.current_thread() is not self.thread:
            self.thread.join()

    @abc.abstractmethod
    def _wake(self) -> None:
        """Make the manager thread's one wait return (called from caller threads)."""

    # ---- the manager thread ------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self.stopping:
                self._step()
                self._hand_over()
            self.failure = GraderClosed("the grader was closed before this call finished")
        except BaseException as exc:  # noqa: BLE001 - surface manager failures to every waiting caller
            self.failure = exc if isinstance(exc, SandboxFailure) else SandboxFailure(f"grader manager failed: {exc!r}")
        finally:
            self._fail_all(self.failure)
            self._release()

    @abc.abstractmethod
    def _step(self) -> None:
        """Dispatch queued work, wait once for what comes back or a deadline, and handle it."""

    @abc.abstractmethod
    def _in_flight(self) -> Iterable[_Work]:
        """The work items running now."""

    @abc.abstractmethod
    def _release(self) -> None:
        """Stop and free what the manager started (in the manager thread, once, at the end)."""

    def _pull(self, wanted: int) -> None:
        """Move up to ``wanted`` items from the jobs' iterators into the queue."""
        while self.incoming:
            self.jobs.append(self.incoming.popleft())
        while len(self.queue) < wanted and self.jobs:
            job = self.jobs[0]
            if job.full():
                break
            if job.cancelled:
                job.exhausted = True
            try:
                index, item = next(job.items) if not job.exhausted else (None, None)
            except StopIteration:
                job.exhausted = True
            except BaseException as exc:  # noqa: BLE001 - an item iterator that fails ends its job with the error
                job.exhausted = True
                job.hand_over()
                job.deliver(exc)
            if job.exhausted:
                self.jobs.popleft()
                job.finish_if_done()
                continue
            job.outstanding += 1
            job.pulled += 1
            try:
                self.queue.append(_Work(job, index, *self.grader.binding.arguments(item)))
            except RowError as exc:
                job.complete(index, invalid_input(str(exc), self.grader.failure_score))

    def _take_groups(self, limit: int) -> list[_Work]:
        """A batch reward's next call: queued rows in order, up to ``limit``, ending where a prompt's group ends
        (a group-aware reward sees its whole group; a group longer than ``limit`` is cut)."""
        works = [self.queue.popleft()]
        while self.queue and len(works) < limit:
            works.append(self.queue.popleft())
        prompts = [(work.fields or {}).get("prompt") for work in works]
        cut = len(works)
        if self.queue and prompts[-1] is not None and (self.queue[0].fields or {}).get("prompt") == prompts[-1]:
            while cut > 1 and prompts[cut - 1] == prompts[-1]:
                cut -= 1  # the last group goes on beyond these rows: it goes whole into the next call
            if cut == 1 and prompts[0] == prompts[-1]:
                cut = len(works)  # one group longer than a call takes: cut it
        for work in reversed(works[cut:]):
            self.queue.appendleft(work)
        return works[:cut]

    def _hand_over(self) -> None:
        for job in self.handing_over:
            job.hand_over()
        self.handing_over.clear()  # cleared in place: each job holds this list's append

    def _fail_all(self, exc: BaseException | None) -> None:
        """Answer every job still waiting: nobody blocks on a grader that has stopped."""
        self._hand_over()  # what was completed before the end is delivered first
        if exc is None:
            return
        waiting = list(self.jobs) + list(self.incoming) + [w.job for w in self.queue] + [w.job for w in self._in_flight()]
        for job in dict.fromkeys(waiting):
            if job.outstanding >= 0:
                job.outstanding = -1
                job.deliver(exc)



def invalid_input(reason: str, failure_score: float) -> GradeResult:
    """The result of a row that cannot be graded as it is (never sent to the sandbox)."""
    return GradeResult(score=failure_score, status=Status.invalid_input, error=reason)
