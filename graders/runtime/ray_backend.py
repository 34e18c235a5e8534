"""Grading on a Ray cluster: the manager behind ``Grader(..., backend="ray")``.

::

    grade / grade_batch / iter_results / agrade ...   (caller threads)
            │  _Job(items) ─▶ incoming                  ▲  (index, GradeResult), validated on the driver
            ▼                                           │
    RayManager thread ── one wait: an event queue (submissions, Ray replies, head lost) or the nearest deadline
            │  grade(batch of rows) ─▶                  ▲  [GradeResult as a JSON-able dict, ...]
            ▼                                           │
    Ray actors, one per node, each with ``workers`` call processes (capped at its node's CPUs) (ray_actor.py)
            └── a local Grader ── zygote ── fork ──▶ sandboxed call processes

Ray is only the transport. Every call still runs in a fresh sandboxed process of a
local ``Grader`` inside an actor, which enforces the per-call timeout; results come
back as plain dicts that the driver validates into ``GradeResult``s. The driver puts a
deadline on each batch, so an actor that dies (its node with it), hangs or becomes
unreachable is killed (``ray.kill``), replaced where the cluster has room, and its
batches run again on the others; an item lost with its actor more than ``ray_retries``
times ends as ``crashed`` (``timeout`` for a missed deadline) with the reason, instead
of waiting forever. In-flight work is bounded: at most ``_BATCHES_PER_ACTOR`` batches
per actor, pulled from the caller's items only when an actor has room. A lost head
node (ray_connection.py) ends every waiting call with ``ClusterLost``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import queue
import time
from typing import Iterable


from .binding import Binding
from ..errors import BackendUnavailable, ClusterLost, RewardboxError, SandboxFailure
from .frames import Status
from .layers import LayerState, ProcessPolicy
from .manager import _KILL_GRACE_SECONDS, BATCH_ROWS, ManagerBase, PoolSettings, _Work
from .results import GradeResult, failure

try:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
except ImportError as exc:
    raise BackendUnavailable("backend='ray' needs Ray: pip install 'rewardbox[ray]'") from exc

from .ray_actor import RemoteActorGrader, Started
from .ray_connection import Connection, HeadWatch, first_line, head_endpoint

_BATCHES_PER_ACTOR = 2  # one batch runs while the next crosses the network
_ITEMS_PER_WORKER = 4  # a batch is workers * max(calls_per_process, this) items at most
_BATCH_SLACK_SECONDS = 30.0  # transport and a zygote restart, on top of the calls' own time limits
_MAX_FAILED_STARTS = 3  # replacement actors that fail to start in a row before giving up
_CLOSE_SECONDS = 5.0
_CLOSE_WITHOUT_HEAD_SECONDS = 1.0  # Ray ends a driver whose head is gone soon: close what answers at once
_MISSING_REWARDBOX = "No module named 'rewardbox"


@dataclasses.dataclass(eq=False)
class _Actor:
    """One Ray actor as the driver sees it."""

    handle: ray.actor.ActorHandle
    started: ray.ObjectRef
    start_deadline: float
    workers: int
    ready: bool = False
    node: str = ""
    node_id: str = ""
    pid: int = 0
    layers: list[LayerState] = dataclasses.field(default_factory=list)
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

    def __init__(self, grader: PoolSettings, options: dict, address: str | None, actors: int | None, retries: int) -> None:
        super().__init__(grader)
        if actors is not None and (type(actors) is not int or actors < 1):
            raise ValueError(f"ray_actors={actors!r}: expected a positive integer")
        if type(retries) is not int or retries < 0:
            raise ValueError(f"ray_retries={retries!r}: expected a non-negative integer")
        self.source = grader.source.shipped().as_dict()
        self.events: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self.losses: dict[_Work, int] = {}
        self.retries = retries
        self.failed_starts = 0
        self.load_timeout: float = options["load_timeout"]
        self.head_lost: str | None = None
        self.watch: HeadWatch | None = None
        self.released: dict[str, dict[str, object]] | None = None  # nodes() as it was when the actors were released
        self.owns_connection = _CONNECTION.open(address)
        self.actors: list[_Actor] = []
        try:
            self.requested_workers: int | None = options["workers"]
            self.options = options
            self.node_cpus = _node_cpus()  # read once: the manager thread never blocks on the GCS (a lost head)
            for node_id, workers in _placement(self.node_cpus, actors, self.requested_workers):
                self._start_actor(workers, node_id)
            replies = self._await_starts()
            endpoint = head_endpoint(address)
            if endpoint is not None:
                self.watch = HeadWatch(endpoint, lambda reason: self.events.put(("head_lost", reason)))
        except BaseException:
            self._release()
            self._disconnect()
            raise
        self.layers: list[LayerState] = functools.reduce(_weaker, (reply.layers for reply in replies))
        self.warmup_skipped = next((reply.warmup_skipped for reply in replies if reply.warmup_skipped), None)
        self.binding = Binding.from_dict(replies[0].binding)
        self.processes = ProcessPolicy.from_dict(replies[0].processes)
        self.reload = replies[0].reload
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

    def workers(self) -> int:
        """Call processes on the cluster: the sum over the actors started so far."""
        return sum(actor.workers for actor in self.actors)

    def nodes(self) -> dict[str, dict[str, object]]:
        """Per Ray node (by node id): its address, actors, sandboxed workers and layers (the weakest of its actors).

        Called from caller threads: it reads one snapshot of the actor list (after close, the last one)."""
        if self.released is not None:
            return self.released
        by_node: dict[str, dict[str, object]] = {}
        for actor in [actor for actor in list(self.actors) if actor.ready]:
            entry = by_node.setdefault(actor.node_id, {"address": actor.node, "actors": 0, "workers": 0, "layers": actor.layers})
            entry["actors"] += 1
            entry["workers"] += actor.workers
            entry["layers"] = _weaker(entry["layers"], actor.layers)
        for entry in by_node.values():
            layers = entry.pop("layers")
            entry["layers"] = {state.name: state.active for state in layers}
            entry["missing"] = {state.name: state.detail for state in layers if not state.active}
        return by_node

    def _start_actor(self, workers: int, node_id: str | None = None) -> None:
        """Start one actor of ``workers`` call processes (as many CPUs): on ``node_id`` if it has room (soft
        affinity), else wherever Ray spreads it."""
        placement = NodeAffinitySchedulingStrategy(node_id, soft=True) if node_id else "SPREAD"
        handle = RemoteActorGrader.options(
            num_cpus=workers,
            max_concurrency=_BATCHES_PER_ACTOR + 1,  # + close()
            max_restarts=0,
            max_task_retries=0,
            scheduling_strategy=placement,
        ).remote()
        started = handle.start.remote(self.source, {**self.options, "workers": workers}, type(self.grader))
        actor = _Actor(handle, started, time.monotonic() + self.load_timeout, workers)
        self.actors.append(actor)
        actor.started.future().add_done_callback(lambda _: self.events.put(("started", actor)))

    def _await_starts(self) -> list[Started]:
        """Wait until every first actor has loaded the reward; raise its error at once if one could not."""
        replies, waiting = [], set(self.actors)
        while waiting:
            deadline = min(actor.start_deadline for actor in waiting)
            try:
                kind, actor = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                asks = ", ".join(sorted({str(actor.workers) for actor in waiting}))
                raise BackendUnavailable(
                    f"{len(self.actors) - len(waiting)} of {len(self.actors)} Ray actors started within "
                    f"load_timeout={self.load_timeout:g} s; those waiting ask Ray for {asks} CPUs each (their workers), "
                    f"and the cluster has {ray.available_resources().get('CPU', 0):g} of {sum(self.node_cpus.values())} free: "
                    "other Ray work holds the rest"
                ) from None
            if kind == "started":
                replies.append(self._read_start(actor))
                waiting.discard(actor)
        return replies

    def _read_start(self, actor: _Actor) -> Started:
        try:
            reply = Started.model_validate(ray.get(actor.started))
        except Exception as exc:  # noqa: BLE001 - whatever Ray raises, this actor did not start
            missing = next((line.strip() for line in str(exc).splitlines() if _MISSING_REWARDBOX in line), None)
            if missing is not None:
                raise BackendUnavailable(
                    "a Ray node cannot import rewardbox: install rewardbox with its ray extra (the version this driver runs) "
                    f"in the Python environment of every node, e.g. in the cluster's image; Ray said: {missing}"
                ) from None
            raise BackendUnavailable(f"a Ray actor died while starting: {first_line(exc)}") from None
        error = reply.exception()
        if error is not None:
            raise error
        actor.ready, actor.node, actor.node_id, actor.pid, actor.layers = True, reply.node, reply.node_id, reply.pid, reply.layers
        return reply

    def _started(self, actor: _Actor) -> None:
        if actor not in self.actors:
            return
        try:
            reply = self._read_start(actor)
        except RewardboxError as exc:
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
            if losses <= self.retries:
                self.losses[work] = losses
                again.append(work)
            else:
                error = f"lost with its Ray actor {losses} times (ray_retries={self.retries}); last: {reason}"
                work.job.complete(work.index, failure(status, error, failure_score=self.grader.failure_score))
        self.queue.extendleft(reversed(again))
        if self.failed_starts < _MAX_FAILED_STARTS:
            self._start_actor(min(actor.workers, max(self.node_cpus.values())))  # a replacement fits the largest node
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
            elif kind == "head_lost":
                self.head_lost = str(subject)
                raise ClusterLost(f"{subject}; the {sum(1 for _ in self._in_flight())} calls in flight are lost")
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                event = None
        self._expire(time.monotonic())

    def _in_flight(self) -> Iterable[_Work]:
        return [work for actor in self.actors for batch in actor.batches for work in batch.works]

    def _release(self) -> None:
        """Close every actor's grader (its zygote and temp dir go with it), then kill the actors.

        Without a head, ``close()`` still reaches the actors (the driver talks to them directly),
        but ``ray.kill`` would wait for the GCS: the actors end with their nodes' raylets then."""
        if self.watch is not None:
            self.watch.stop()
        self.released = self.nodes()
        closing = [actor.handle.close.remote() for actor in self.actors if actor.ready]
        try:
            ray.wait(closing, num_returns=len(closing), timeout=_CLOSE_SECONDS if self.head_lost is None else _CLOSE_WITHOUT_HEAD_SECONDS)
        except Exception:  # noqa: BLE001 - Ray may already be shut down (interpreter exit); the kill below still runs
            pass
        if self.head_lost is None:
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
        batch = self.binding.batch  # the manager's own: this thread may run before the grader holds it
        self._pull(free * (BATCH_ROWS if batch else max(self._batch_size(actor) for actor in ready)))
        while free > 0 and self.queue:
            actor = min(ready, key=lambda a: len(a.batches))
            if batch:  # a batch reward's groups stay whole: the actor's grader calls it once per group of rows
                self._send(actor, self._take_groups(BATCH_ROWS))
            else:
                size = min(self._batch_size(actor), math.ceil(len(self.queue) / free))
                self._send(actor, [self.queue.popleft() for _ in range(size)])
            free -= 1

    def _batch_size(self, actor: _Actor) -> int:
        return actor.workers * max(self.grader.calls_per_process, _ITEMS_PER_WORKER)

    def _send(self, actor: _Actor, works: list[_Work]) -> None:
        reply = actor.handle.grade.remote([work.row() for work in works])
        queued = len(works) + sum(len(batch.works) for batch in actor.batches)
        worst_case = math.ceil(queued / actor.workers) * (self.grader.timeout + _KILL_GRACE_SECONDS)
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
            self._lose(actor, f"{_where(actor)} failed: {first_line(exc)}", Status.crashed)
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
                reason = f"{_where(actor)} missed its batch deadline (hung or unreachable) and was killed"
                self._lose(actor, reason, Status.timeout)


def _read_results(reply: object, expected: int) -> list[GradeResult]:
    """An actor's reply as validated results: one finite score per item sent."""
    if not isinstance(reply, list):
        raise ValueError(f"expected a list of results, got {type(reply).__name__}")
    if len(reply) != expected:
        raise ValueError(f"{len(reply)} results for {expected} items")
    return [GradeResult.from_dict(values) for values in reply]


def _weaker(ours: list[LayerState], theirs: list[LayerState]) -> list[LayerState]:
    """Each layer as the weaker side has it: active only where both have it."""
    return [mine if not mine.active or other.active else other for mine, other in zip(ours, theirs)]


def _node_cpus() -> dict[str, int]:
    """The CPU count of every live Ray node that has CPUs, by node id."""
    cpus = {node["NodeID"]: int(node["Resources"].get("CPU", 0)) for node in ray.nodes() if node.get("Alive")}
    return {node_id: count for node_id, count in cpus.items() if count > 0}


def _placement(cpus: dict[str, int], actors: int | None, workers: int | None) -> list[tuple[str | None, int]]:
    """Each first actor's node (id) and call processes.

    One actor per live node with CPUs, running ``workers`` call processes capped at that node's CPUs
    (all of them when ``workers`` is None); or ``actors`` spread by Ray when the caller chose how
    many, each capped at the smallest node. Raises ``BackendUnavailable`` at once when no node has a CPU.
    """
    if not cpus:
        raise BackendUnavailable(
            f"no live Ray node has a CPU to run call processes on (nodes: {len(ray.nodes())}, "
            f"resources: {ray.cluster_resources()}); start nodes with --num-cpus 1 or more"
        )
    if actors is not None:
        smallest = min(cpus.values())
        return [(None, min(workers or smallest, smallest))] * actors
    return [(node_id, min(workers or count, count)) for node_id, count in cpus.items()]


def _where(actor: _Actor) -> str:
    return f"the Ray actor on node {actor.node} ({actor.node_id[:8]}, pid {actor.pid})"


def _kill(actor: _Actor) -> None:
    try:
        ray.kill(actor.handle, no_restart=True)
    except Exception:  # noqa: BLE001 - an actor that is already gone needs no kill
        pass


_CONNECTION = Connection()
