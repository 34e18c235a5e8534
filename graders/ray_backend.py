"""Grading on a Ray cluster: the manager behind ``Grader(..., backend="ray")``.

::

    grade / grade_batch / iter_results / agrade ...   (caller threads)
            │  _Job(items) ─▶ incoming                  ▲  (index, GradeResult), validated on the driver
            ▼                                           │
    RayManager thread ── one wait: an event queue (submissions, Ray replies) or the nearest deadline
            │  grade(batch of pairs) ─▶                 ▲  [GradeResult as a JSON-able dict, ...]
            ▼                                           │
    Ray actor (num_cpus=workers) ── a local Grader ── zygote ── fork ──▶ sandboxed call processes

Ray is only the transport. Every call still runs in a fresh sandboxed process of a
local ``Grader`` inside an actor, which enforces the per-call timeout; results come
back as plain dicts that the driver validates into ``GradeResult``s. The driver puts a
deadline on each batch, so an actor that dies, hangs or becomes unreachable is killed
(``ray.kill``), replaced, and its batches run again on the others; an item lost with
its actor ``_MAX_LOSSES`` times ends with a failure status instead of waiting forever.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import queue
import threading
import time
from typing import Iterable, Literal

from pydantic import BaseModel, TypeAdapter

from .binding import Binding
from .errors import BackendUnavailable, IsolationUnavailable, RewardkitError, RewardLoadError, SandboxFailure
from .frames import Status
from .grader import Grader
from .manager import _KILL_GRACE_SECONDS, ManagerBase, _Work
from .layers import LayerState
from .results import GradeResult, failure
from .sources import RewardSource

try:
    import ray
except ImportError as exc:
    raise BackendUnavailable("backend='ray' needs Ray: pip install 'rewardkit[ray]'") from exc

_BATCHES_PER_ACTOR = 2  # one batch runs while the next crosses the network
_ITEMS_PER_WORKER = 4  # a batch is workers * max(calls_per_process, this) items at most
_BATCH_SLACK_SECONDS = 30.0  # transport and a zygote restart, on top of the calls' own time limits
_MAX_LOSSES = 3  # an item whose actor is lost this many times fails instead of running again
_MAX_FAILED_STARTS = 3  # replacement actors that fail to start in a row before giving up
_CLOSE_SECONDS = 5.0
_RESULTS = TypeAdapter(list[GradeResult])


class _ActorGrader:
    """One Ray actor: a local sandboxed ``Grader``; takes and returns only JSON-able values."""

    def __init__(self) -> None:
        self.grader: Grader | None = None

    def start(self, source: dict, options: dict) -> dict:
        """Load the reward; reply with the sandbox's layers, or with why it cannot start."""
        try:
            self.grader = Grader(RewardSource.model_validate(source), **options)
        except RewardLoadError as exc:
            return {"error": "load", "message": exc.reason, "path": exc.path, "line": exc.line}
        except IsolationUnavailable as exc:
            return {"error": "isolation", "missing": exc.missing}
        except RewardkitError as exc:
            return {"error": "sandbox", "message": str(exc)}
        return {
            "layers": [dataclasses.asdict(state) for state in self.grader.layers],
            "warmup_skipped": self.grader.warmup_skipped,
            "binding": self.grader.binding.to_dict(),
            "node": ray.util.get_node_ip_address(),
            "pid": os.getpid(),
        }

    def grade(self, rows: list[dict]) -> list[dict]:
        """Grade rows (checked by the driver); results in order, as dicts."""
        return [result.model_dump(mode="json") for result in self.grader.grade_batch(rows)]

    def close(self) -> None:
        if self.grader is not None:
            self.grader.close()


_RemoteActorGrader = ray.remote(_ActorGrader)


class _Started(BaseModel):
    """An actor's reply to ``start``: its sandbox's layers, or why the reward did not load there."""

    error: Literal["load", "isolation", "sandbox"] | None = None
    message: str = ""
    path: str | None = None
    line: int | None = None
    missing: dict[str, str] = {}
    layers: list[LayerState] = []
    warmup_skipped: str | None = None
    binding: dict = {}
    node: str = ""
    pid: int = 0

    def exception(self) -> RewardkitError | None:
        """The error the actor's grader raised, rebuilt as the same class for the caller."""
        if self.error == "load":
            return RewardLoadError(self.message, path=self.path, line=self.line)
        if self.error == "isolation":
            return IsolationUnavailable(self.missing)
        if self.error == "sandbox":
            return SandboxFailure(f"on Ray node {self.node or '?'}: {self.message}")
        return None


@dataclasses.dataclass(eq=False)
class _Actor:
    """One Ray actor as the driver sees it."""

    handle: ray.actor.ActorHandle
    started: ray.ObjectRef
    start_deadline: float
    ready: bool = False
    node: str = ""
    pid: int = 0
    batches: list[_Batch] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class _Batch:
    """Items sent to one actor in one ``grade`` call."""

    actor: _Actor
    works: list[_Work]
    reply: ray.ObjectRef
    deadline: float


class RayManager(ManagerBase):
    """Spreads work over Ray actors that each run a local sandboxed grader; runs in one thread."""

    def __init__(self, grader: Grader, options: dict, address: str | None, actors: int | None) -> None:
        super().__init__(grader)
        if actors is not None and (type(actors) is not int or actors < 1):
            raise ValueError(f"ray_actors={actors!r}: expected a positive integer")
        self.source = grader.source.shipped().model_dump()
        self.events: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self.losses: dict[_Work, int] = {}
        self.failed_starts = 0
        self.load_timeout: float = options["load_timeout"]
        self.owns_connection = _CONNECTION.open(address)
        self.actors: list[_Actor] = []
        try:
            self.workers = options["workers"] or _smallest_node_cpus()
            self.options = {**options, "workers": self.workers}
            self.batch_size = self.workers * max(grader.calls_per_process, _ITEMS_PER_WORKER)
            for _ in range(actors or max(1, int(ray.available_resources().get("CPU", 0)) // self.workers)):
                self._start_actor()
            replies = self._await_starts()
        except BaseException:
            self._release()
            self._disconnect()
            raise
        self.layers: list[LayerState] = functools.reduce(_weaker, (reply.layers for reply in replies))
        self.warmup_skipped = next((reply.warmup_skipped for reply in replies if reply.warmup_skipped), None)
        self.binding = Binding.from_dict(replies[0].binding)
        self.thread.start()

    def stop(self) -> None:
        super().stop()
        self._disconnect()

    def _wake(self) -> None:
        self.events.put(("wake", None))

    def _disconnect(self) -> None:
        if self.owns_connection:
            self.owns_connection = False
            _CONNECTION.close()

    # ---- actors --------------------------------------------------------------------

    def _start_actor(self) -> None:
        handle = _RemoteActorGrader.options(
            num_cpus=self.workers,
            max_concurrency=_BATCHES_PER_ACTOR + 1,  # + close()
            max_restarts=0,
            max_task_retries=0,
            scheduling_strategy="SPREAD",
        ).remote()
        actor = _Actor(handle, handle.start.remote(self.source, self.options), time.monotonic() + self.load_timeout)
        self.actors.append(actor)
        actor.started.future().add_done_callback(lambda _: self.events.put(("started", actor)))

    def _await_starts(self) -> list[_Started]:
        """Wait until every first actor has loaded the reward; raise its error at once if one could not."""
        replies, waiting = [], set(self.actors)
        while waiting:
            deadline = min(actor.start_deadline for actor in waiting)
            try:
                kind, actor = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BackendUnavailable(
                    f"{len(self.actors) - len(waiting)} of {len(self.actors)} Ray actors started within "
                    f"load_timeout={self.load_timeout:g} s; each asks Ray for {self.workers} CPUs "
                    f"(workers), and the cluster has {ray.available_resources().get('CPU', 0):g} free"
                ) from None
            if kind == "started":
                replies.append(self._read_start(actor))
                waiting.discard(actor)
        return replies

    def _read_start(self, actor: _Actor) -> _Started:
        try:
            reply = _Started.model_validate(ray.get(actor.started))
        except Exception as exc:  # noqa: BLE001 - whatever Ray raises, this actor did not start
            raise BackendUnavailable(f"a Ray actor died while starting: {_first_line(exc)}") from None
        error = reply.exception()
        if error is not None:
            raise error
        actor.ready, actor.node, actor.pid = True, reply.node, reply.pid
        return reply

    def _started(self, actor: _Actor) -> None:
        if actor not in self.actors:
            return
        try:
            reply = self._read_start(actor)
        except RewardkitError as exc:
            self._start_failed(actor, str(exc))
            return
        self.failed_starts = 0
        self.layers[:] = _weaker(self.layers, reply.layers)

    def _start_failed(self, actor: _Actor, reason: str) -> None:
        self.failed_starts += 1
        self._lose(actor, reason, Status.crashed)

    def _lose(self, actor: _Actor, reason: str, status: Status) -> None:
        """Kill ``actor``, queue its items again (or fail those lost too often), and start a replacement."""
        self.actors.remove(actor)
        _kill(actor)
        lost = [work for batch in actor.batches for work in batch.works]
        actor.batches.clear()
        again = []
        for work in lost:
            losses = self.losses.pop(work, 0) + 1
            if losses < _MAX_LOSSES:
                self.losses[work] = losses
                again.append(work)
            else:
                error = f"lost with its Ray actor {losses} times; last: {reason}"
                work.job.complete(work.index, failure(status, error, failure_score=self.grader.failure_score))
        self.queue.extendleft(reversed(again))
        if self.failed_starts < _MAX_FAILED_STARTS:
            self._start_actor()
        elif not self.actors:
            raise SandboxFailure(f"no Ray actor is left: {self.failed_starts} replacements failed to start; last: {reason}")

    # ---- the manager thread ------------------------------------------------------

    def _step(self) -> None:
        self._dispatch()
        try:
            event: tuple[str, object] | None = self.events.get(timeout=self._wait_seconds())
        except queue.Empty:
            event = None
        while event is not None:
            kind, subject = event
            if kind == "started":
                self._started(subject)
            elif kind == "graded":
                self._graded(subject)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                event = None
        self._expire(time.monotonic())

    def _in_flight(self) -> Iterable[_Work]:
        return [work for actor in self.actors for batch in actor.batches for work in batch.works]

    def _release(self) -> None:
        """Close every actor's grader (its zygote and temp dir go with it), then kill the actors."""
        closing = [actor.handle.close.remote() for actor in self.actors if actor.ready]
        try:
            ray.wait(closing, num_returns=len(closing), timeout=_CLOSE_SECONDS)
        except Exception:  # noqa: BLE001 - Ray may already be shut down (interpreter exit); the kill below still runs
            pass
        for actor in self.actors:
            _kill(actor)
        self.actors.clear()

    def _wait_seconds(self) -> float | None:
        deadlines = [batch.deadline for actor in self.actors for batch in actor.batches]
        deadlines += [actor.start_deadline for actor in self.actors if not actor.ready]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _dispatch(self) -> None:
        ready = [actor for actor in self.actors if actor.ready]
        free = sum(_BATCHES_PER_ACTOR - len(actor.batches) for actor in ready)
        if free <= 0:
            return
        self._pull(free * self.batch_size)
        while free > 0 and self.queue:
            actor = min(ready, key=lambda a: len(a.batches))
            size = min(self.batch_size, math.ceil(len(self.queue) / free))
            self._send(actor, [self.queue.popleft() for _ in range(size)])
            free -= 1

    def _send(self, actor: _Actor, works: list[_Work]) -> None:
        reply = actor.handle.grade.remote([work.row() for work in works])
        queued = len(works) + sum(len(batch.works) for batch in actor.batches)
        worst_case = math.ceil(queued / self.workers) * (self.grader.timeout + _KILL_GRACE_SECONDS)
        batch = _Batch(actor, works, reply, time.monotonic() + _BATCH_SLACK_SECONDS + worst_case)
        actor.batches.append(batch)
        reply.future().add_done_callback(lambda _: self.events.put(("graded", batch)))

    def _graded(self, batch: _Batch) -> None:
        actor = batch.actor
        if batch not in actor.batches:
            return  # its actor was lost already and its items queued again
        try:
            results = _read_results(ray.get(batch.reply), len(batch.works))
        except Exception as exc:  # noqa: BLE001 - a batch that cannot be read loses its actor, whatever the cause
            self._lose(actor, f"the Ray actor on {actor.node} (pid {actor.pid}) failed: {_first_line(exc)}", Status.crashed)
            return
        actor.batches.remove(batch)
        for work, result in zip(batch.works, results):
            self.losses.pop(work, None)
            work.job.complete(work.index, result)

    def _expire(self, now: float) -> None:
        for actor in list(self.actors):
            if not actor.ready and now >= actor.start_deadline:
                self._start_failed(actor, f"a replacement Ray actor did not start within load_timeout={self.load_timeout:g} s")
            elif any(now >= batch.deadline for batch in actor.batches):
                reason = f"the Ray actor on {actor.node} (pid {actor.pid}) missed its batch deadline (hung or unreachable) and was killed"
                self._lose(actor, reason, Status.timeout)


def _read_results(reply: object, expected: int) -> list[GradeResult]:
    """An actor's reply as validated results: one finite score per item sent."""
    results = _RESULTS.validate_python(reply)
    if len(results) != expected:
        raise ValueError(f"{len(results)} results for {expected} items")
    for result in results:
        if not all(math.isfinite(score) for score in (result.score, *result.components.values())):
            raise ValueError(f"a result with a non-finite score: {result.score!r}")
    return results


def _weaker(ours: list[LayerState], theirs: list[LayerState]) -> list[LayerState]:
    """Each layer as the weaker side has it: active only where both have it."""
    return [mine if not mine.active or other.active else other for mine, other in zip(ours, theirs)]


def _smallest_node_cpus() -> int:
    """The CPU count of the smallest live Ray node that has CPUs: the default ``workers`` of an actor."""
    cpus = [int(node["Resources"].get("CPU", 0)) for node in ray.nodes() if node.get("Alive")]
    return min((count for count in cpus if count > 0), default=1)


def _kill(actor: _Actor) -> None:
    try:
        ray.kill(actor.handle, no_restart=True)
    except Exception:  # noqa: BLE001 - an actor that is already gone needs no kill
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


class _Connection:
    """This process's Ray connection when rewardkit opened it: shared by its graders, shut down by the last."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.address: str | None = None

    def open(self, address: str | None) -> bool:
        """Use Ray as this process has it, or connect (``address=None``: Ray's own search, else a new local
        instance); True when rewardkit opened the connection and must ``close()`` it."""
        with self.lock:
            if ray.is_initialized():
                ours = self.users > 0
                if address is not None and not (ours and address == self.address):
                    raise ValueError(f"address={address!r}: Ray is already initialized in this process; pass address=None to grade on its cluster")
                if not ours:
                    return False
            else:
                try:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
                except Exception as exc:  # noqa: BLE001 - ray.init fails in many ways; each means the same to the caller
                    where = f" at {address}" if address else ""
                    raise BackendUnavailable(f"cannot connect to Ray{where}: {_first_line(exc)}") from exc
                self.address = address
            self.users += 1
            return True

    def close(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0:
                ray.shutdown()


_CONNECTION = _Connection()
