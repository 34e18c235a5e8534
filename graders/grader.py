"""The grader: a pool of sandboxed calls behind batch, streaming and asyncio faces.

::

    grade / grade_batch / iter_results / agrade ...   (caller threads)
            │  _Job(items) ─▶ queue                 ▲  results (index, GradeResult)
            ▼                                       │
    _Manager thread ── one selector: zygote socket, wake-up pipe, deadlines
            │  run chunk / kill chunk               ▲  frames, exit statuses
            ▼                                       │
    zygote (sandbox.py, zygote.py) ── fork ──▶ call processes

The manager thread owns every piece of pool state; caller threads only put jobs
in and take results out. A call that dies, hangs or misbehaves becomes a
``GradeResult`` for its own item; the other items keep flowing. With
``backend="ray"``, a ``RayManager`` (ray_backend.py) takes the manager's place
and each Ray actor runs one such local grader.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import math
import os
import queue
import selectors
import signal
import threading
import time
from typing import AsyncIterator, Callable, Iterable, Iterator, Literal, Mapping, Sequence, Tuple, Union

from .errors import GraderClosed, SandboxFailure
from .layers import Isolation, LayerState, Limits
from .results import MAX_FRAME_BYTES, FrameError, GradeResult, Status, decode_frame, failure
from .sandbox import Sandbox, WarmupFailed
from .sources import RewardSource
from .wire import CONTROL, encode_control

Item = Union[Tuple[str, str], Mapping[str, object]]
Progress = Callable[[int, int | None], None]
OutOfRange = Literal["clamp", "invalid"]
Backend = Literal["local", "ray"]
_KILL_GRACE_SECONDS = 2.0
# Throw-away examples for ``warmup=``: they fill math-verify/sympy caches on the zygote's first call.
WARMUP_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("The answer is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}"),
    ("#### 42", "42"),
    ("B", "B"),
)
_MAX_RESTARTS = 3
_NOT_FOR_ACTORS = ("self", "reward", "params", "backend", "address", "ray_actors")


class Grader:
    """Grade completions with a reward loaded into a sandboxed zygote.

    >>> with Grader("examples/gsm8k/reward.py") as grader:
    ...     grader.grade("... #### 42", "42").score
    1.0
    """

    def __init__(
        self,
        reward: str | RewardSource,
        *,
        workers: int | None = None,
        timeout: float = 10.0,
        memory_mb: int = 2048,
        calls_per_process: int = 1,
        isolation: Isolation = "standard",
        failure_score: float = 0.0,
        score_range: tuple[float, float] | None = None,
        out_of_range: OutOfRange = "invalid",
        params: dict | None = None,
        seed: int = 0,
        hash_seed: int = 0,
        load_timeout: float = 120.0,
        output_mb: float = 1.0,
        warmup: Sequence[tuple[str, str]] = (),
        restricted: bool = False,
        backend: Backend = "local",
        address: str | None = None,
        ray_actors: int | None = None,
    ) -> None:
        # The keywords as given: each Ray actor builds its local grader from the same ones.
        keywords = {name: value for name, value in locals().items() if name not in _NOT_FOR_ACTORS}
        if backend not in ("local", "ray"):
            raise ValueError(f"backend={backend!r}: expected 'local' or 'ray'")
        if backend == "local" and (address is not None or ray_actors is not None):
            raise ValueError(f"address={address!r}, ray_actors={ray_actors!r}: these need backend='ray'")
        self.backend = backend
        self.workers = _positive_int("workers", workers if workers is not None else (os.cpu_count() or 1))
        self.timeout = _positive_number("timeout", timeout)
        self.calls_per_process = _positive_int("calls_per_process", calls_per_process)
        if isolation not in ("strict", "standard", "minimal"):
            raise ValueError(f"isolation={isolation!r}: expected 'strict', 'standard' or 'minimal'")
        if out_of_range not in ("clamp", "invalid"):
            raise ValueError(f"out_of_range={out_of_range!r}: expected 'clamp' or 'invalid'")
        if score_range is not None and not (math.isfinite(score_range[0]) and score_range[0] < score_range[1]):
            raise ValueError(f"score_range={score_range!r}: expected (low, high) with low < high")
        if not math.isfinite(failure_score):
            raise ValueError(f"failure_score={failure_score!r}: expected a finite number")
        self.failure_score = float(failure_score)
        self.score_range = score_range
        self.out_of_range = out_of_range
        self.source = reward if isinstance(reward, RewardSource) else RewardSource.parse(reward, params)
        if restricted and self.source.kind not in ("file", "code"):
            raise ValueError(
                f"restricted=True applies to .py files and source code, not to {self.source.describe()!r} "
                f"({self.source.kind} rewards are imported or unpickled as they are)"
            )
        self.isolation = isolation
        self.restricted = restricted
        self._sandbox_options = dict(
            isolation=isolation,
            limits=Limits(memory_mb=_positive_int("memory_mb", memory_mb), cpu_seconds=max(1, math.ceil(self.timeout * 2) + 1)),
            seed=seed,
            hash_seed=_hash_seed(hash_seed),
            output_bytes=int(_positive_number("output_mb", output_mb) * (1 << 20)),
            load_timeout=_positive_number("load_timeout", load_timeout),
            warmup=[_as_pair(i, pair) for i, pair in enumerate(warmup)],
            warmup_timeout=min(self.timeout, 2.0) + 1.0,
            restricted=restricted,
        )
        self.warmup_skipped: str | None = None
        started = time.monotonic()
        if backend == "ray":
            from .ray_backend import RayManager

            ray_manager = RayManager(self, keywords, address, ray_actors)
            self.workers = ray_manager.workers  # per actor
            self.layers: list[LayerState] = ray_manager.layers
            self.warmup_skipped = ray_manager.warmup_skipped
            self._manager: ManagerBase = ray_manager
        else:
            sandbox = self._start_sandbox()
            self.layers = sandbox.layers
            self._manager = _Manager(self, sandbox)
        self.start_seconds = time.monotonic() - started
        self._closed = False

    def _start_sandbox(self) -> Sandbox:
        """Start a zygote; if the warm-up calls hang or kill it, start one without them and say so."""
        try:
            return Sandbox(self.source, **self._sandbox_options)
        except WarmupFailed as exc:
            self.warmup_skipped = str(exc)
            self._sandbox_options["warmup"] = []
            return Sandbox(self.source, **self._sandbox_options)

    @classmethod
    def from_function(cls, function: Callable[[str, str], object], **options) -> Grader:
        """A grader for a Python function (a closure or notebook function is shipped by value with dill)."""
        return cls(RewardSource.from_function(function), **options)

    # ---- faces ----------------------------------------------------------------

    def grade(self, completion: str, ground_truth: str) -> GradeResult:
        """Grade one completion."""
        return self.grade_batch([(completion, ground_truth)])[0]

    def grade_batch(self, items: Iterable[Item], progress: Progress | None = None) -> list[GradeResult]:
        """Grade every item; results in input order."""
        results: dict[int, GradeResult] = {}
        for index, result in self.iter_results(items, progress):
            results[index] = result
        return [results[i] for i in range(len(results))]

    def iter_results(self, items: Iterable[Item], progress: Progress | None = None) -> Iterator[tuple[int, GradeResult]]:
        """Yield ``(index, result)`` as calls complete, in completion order."""
        job = self._submit(items)
        done = 0
        try:
            while True:
                entry = job.results.get()
                if entry is _Job.END:
                    return
                if isinstance(entry, BaseException):
                    raise entry
                done += 1
                if progress is not None:
                    progress(done, job.total)
                yield entry
        finally:
            job.cancelled = True

    def iter_ordered(self, items: Iterable[Item], progress: Progress | None = None) -> Iterator[GradeResult]:
        """Yield results in input order, each as soon as it and all before it are done."""
        waiting: dict[int, GradeResult] = {}
        next_index = 0
        for index, result in self.iter_results(items, progress):
            waiting[index] = result
            while next_index in waiting:
                yield waiting.pop(next_index)
                next_index += 1

    async def agrade(self, completion: str, ground_truth: str) -> GradeResult:
        """Grade one completion without blocking the event loop."""
        return (await self.agrade_batch([(completion, ground_truth)]))[0]

    async def agrade_batch(self, items: Iterable[Item], progress: Progress | None = None) -> list[GradeResult]:
        """Grade every item without blocking the event loop; results in input order."""
        return await asyncio.to_thread(self.grade_batch, list(items), progress)

    async def aiter_results(self, items: Iterable[Item]) -> AsyncIterator[tuple[int, GradeResult]]:
        """Async version of ``iter_results``."""
        loop = asyncio.get_running_loop()
        results: asyncio.Queue = asyncio.Queue()
        job = self._submit(items, deliver=lambda entry: loop.call_soon_threadsafe(results.put_nowait, entry))
        try:
            while True:
                entry = await results.get()
                if entry is _Job.END:
                    return
                if isinstance(entry, BaseException):
                    raise entry
                yield entry
        finally:
            job.cancelled = True

    # ---- lifecycle ------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        """The isolation this grader runs with, for run summaries."""
        return {
            "reward": self.source.describe(),
            "backend": self.backend,
            "isolation": self.isolation,
            "restricted": self.restricted,
            "layers": {state.name: state.active for state in self.layers},
            "missing": {state.name: state.detail for state in self.layers if not state.active},
            "warmup_skipped": self.warmup_skipped,
        }

    def close(self) -> None:
        """Stop every call and the zygote; no process is left behind."""
        if not self._closed:
            self._closed = True
            self._manager.stop()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()

    def _submit(self, items: Iterable[Item], deliver: Callable[[object], None] | None = None) -> _Job:
        if self._closed:
            raise GraderClosed("this Grader is closed")
        job = _Job(items, deliver)
        self._manager.submit(job)
        return job


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}={value!r}: expected a positive integer")
    return value


def _hash_seed(value: object) -> int:
    if type(value) is not int or not 0 <= value <= 4294967295:
        raise ValueError(f"hash_seed={value!r}: expected an int in [0, 4294967295] (PYTHONHASHSEED)")
    return value


def _positive_number(name: str, value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not (0 < value < math.inf):
        raise ValueError(f"{name}={value!r}: expected a positive number")
    return float(value)


def _as_pair(index: int, item: Item) -> tuple[str, str]:
    if isinstance(item, Mapping):
        completion, ground_truth = item.get("completion"), item.get("ground_truth")
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        completion, ground_truth = item
    else:
        raise TypeError(f"item {index}: expected (completion, ground_truth) or a mapping with those keys, got {type(item).__name__}")
    if not isinstance(completion, str) or not isinstance(ground_truth, str):
        raise TypeError(
            f"item {index}: completion and ground_truth must be str, got {type(completion).__name__} and {type(ground_truth).__name__}"
        )
    return completion, ground_truth


class _Job:
    """Items submitted together, and where their results go."""

    END = object()

    def __init__(self, items: Iterable[Item], deliver: Callable[[object], None] | None) -> None:
        self.items = iter(enumerate(items))
        self.total = len(items) if isinstance(items, Sequence) else None
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.deliver = deliver or self.results.put
        self.exhausted = False
        self.outstanding = 0
        self.cancelled = False

    def complete(self, index: int, result: GradeResult) -> None:
        self.outstanding -= 1
        self.deliver((index, result))
        self.finish_if_done()

    def finish_if_done(self) -> None:
        if self.exhausted and self.outstanding == 0:
            self.deliver(_Job.END)
            self.outstanding = -1


class _Work:
    __slots__ = ("job", "index", "completion", "ground_truth")

    def __init__(self, job: _Job, index: int, completion: str, ground_truth: str) -> None:
        self.job, self.index, self.completion, self.ground_truth = job, index, completion, ground_truth


class _Chunk:
    __slots__ = ("id", "works", "position", "deadline", "started", "buffer", "killed", "kill_sent")

    def __init__(self, chunk_id: int, works: list[_Work], timeout: float) -> None:
        now = time.monotonic()
        self.id, self.works, self.position = chunk_id, works, 0
        self.started, self.deadline = now, now + timeout
        self.buffer = bytearray()
        self.killed: tuple[Status, str] | None = None
        self.kill_sent = 0.0


class ManagerBase(abc.ABC):
    """What the local and the Ray manager share: jobs in from caller threads, work items out, one thread."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader
        self.jobs: collections.deque[_Job] = collections.deque()
        self.incoming: collections.deque[_Job] = collections.deque()
        self.queue: collections.deque[_Work] = collections.deque()
        self.stopping = False
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="rewardkit-grader", daemon=True)

    # ---- called from caller threads --------------------------------------------

    def submit(self, job: _Job) -> None:
        if self.failure is not None:
            raise self.failure
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
            if job.cancelled:
                job.exhausted = True
            try:
                index, item = next(job.items) if not job.exhausted else (None, None)
            except StopIteration:
                job.exhausted = True
            except BaseException as exc:  # noqa: BLE001 - an item iterator that fails ends its job with the error
                job.exhausted = True
                job.deliver(exc)
            if job.exhausted:
                self.jobs.popleft()
                job.finish_if_done()
                continue
            try:
                completion, ground_truth = _as_pair(index, item)
            except TypeError as exc:
                job.exhausted = True
                job.deliver(exc)
                continue
            job.outstanding += 1
            self.queue.append(_Work(job, index, completion, ground_truth))

    def _fail_all(self, exc: BaseException | None) -> None:
        """Answer every job still waiting: nobody blocks on a grader that has stopped."""
        if exc is None:
            return
        waiting = list(self.jobs) + list(self.incoming) + [w.job for w in self.queue] + [w.job for w in self._in_flight()]
        for job in dict.fromkeys(waiting):
            if job.outstanding >= 0:
                job.outstanding = -1
                job.deliver(exc)


class _Manager(ManagerBase):
    """Owns the sandbox, the work queue and the chunks in flight; runs in one thread."""

    def __init__(self, grader: Grader, sandbox: Sandbox) -> None:
        super().__init__(grader)
        self.sandbox = sandbox
        self.chunks: dict[int, _Chunk] = {}
        self.next_chunk = 0
        self.outbox = bytearray()
        self.restarts = 0
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        self.selector.register(sandbox.sock, selectors.EVENT_READ, "sandbox")
        self.thread.start()

    def stop(self) -> None:
        super().stop()
        os.close(self.wake_read)
        os.close(self.wake_write)

    def _wake(self) -> None:
        try:
            os.write(self.wake_write, b"x")
        except (BlockingIOError, OSError):
            pass

    # ---- the manager thread ------------------------------------------------------

    def _step(self) -> None:
        self._dispatch()
        for key, events in self.selector.select(self._wait_seconds()):
            if key.data == "wake":
                _drain(self.wake_read)
            elif events & selectors.EVENT_READ:
                self._receive()
            if events & selectors.EVENT_WRITE:
                self._flush()
        self._expire(time.monotonic())

    def _in_flight(self) -> Iterable[_Work]:
        return [work for chunk in self.chunks.values() for work in chunk.works]

    def _release(self) -> None:
        self.sandbox.close()

    def _wait_seconds(self) -> float | None:
        if not self.chunks:
            return None
        nearest = min(c.kill_sent + _KILL_GRACE_SECONDS if c.killed else c.deadline for c in self.chunks.values())
        return max(0.0, nearest - time.monotonic())

    def _dispatch(self) -> None:
        workers, per_process = self.grader.workers, self.grader.calls_per_process
        free = workers - len(self.chunks)
        if free <= 0:
            return
        self._pull(max(free, workers * per_process if per_process > 1 else free))
        while free > 0 and self.queue:
            size = 1 if per_process == 1 else min(per_process, max(1, math.ceil(len(self.queue) / workers)))
            works = [self.queue.popleft() for _ in range(min(size, len(self.queue)))]
            chunk = _Chunk(self.next_chunk, works, self.grader.timeout)
            self.next_chunk += 1
            self.chunks[chunk.id] = chunk
            calls = [[i, w.completion, w.ground_truth] for i, w in enumerate(works)]
            self._send({"op": "run", "chunk": chunk.id, "calls": calls})
            free -= 1

    def _send(self, message: dict) -> None:
        self.outbox += encode_control(message)
        self._flush()

    def _flush(self) -> None:
        while self.outbox:
            try:
                sent = self.sandbox.sock.send(self.outbox)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.outbox.clear()
                break
            del self.outbox[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.outbox else 0)
        self.selector.modify(self.sandbox.sock, events, "sandbox")

    def _receive(self) -> None:
        try:
            messages = self.sandbox.reader.read_available()
            for kind, message in messages:
                if kind == CONTROL:
                    if message.get("op") == "exit":
                        self._exited(int(message["chunk"]), int(message["status"]))
                else:
                    chunk_id, data = message
                    self._frames(chunk_id, data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._restart(f"the sandbox sent a malformed message ({type(exc).__name__})")
            return
        if self.sandbox.reader.closed:
            self._restart("the sandbox process died")

    def _frames(self, chunk_id: int, data: bytes) -> None:
        chunk = self.chunks.get(chunk_id)
        if chunk is None or chunk.killed:
            return
        chunk.buffer += data
        while chunk.position < len(chunk.works):
            newline = chunk.buffer.find(b"\n")
            if newline < 0:
                if len(chunk.buffer) > MAX_FRAME_BYTES:
                    self._kill(chunk, Status.crashed, "the call wrote an oversized frame on its result channel")
                return
            line = bytes(chunk.buffer[: newline + 1])
            del chunk.buffer[: newline + 1]
            try:
                call_id, result = decode_frame(line, failure_score=self.grader.failure_score)
                if call_id != chunk.position:
                    raise FrameError(f"frame for call {call_id} where call {chunk.position} was expected")
            except FrameError as exc:
                self._kill(chunk, Status.crashed, f"the result channel carried a malformed frame ({exc})")
                return
            self._complete(chunk, self._apply_range(result))
        if chunk.position == len(chunk.works):
            del self.chunks[chunk.id]  # its slot is free now; the process's exit is only bookkeeping

    def _complete(self, chunk: _Chunk, result: GradeResult) -> None:
        work = chunk.works[chunk.position]
        chunk.position += 1
        now = time.monotonic()
        chunk.started, chunk.deadline = now, now + self.grader.timeout
        work.job.complete(work.index, result)

    def _apply_range(self, result: GradeResult) -> GradeResult:
        score_range = self.grader.score_range
        if score_range is None or result.status is not Status.ok:
            return result
        low, high = score_range
        if low <= result.score <= high:
            return result
        if self.grader.out_of_range == "clamp":
            return result.model_copy(update={"score": min(max(result.score, low), high)})
        return result.model_copy(
            update={
                "score": self.grader.failure_score,
                "status": Status.invalid_return,
                "error": f"score {result.score!r} is outside the declared range [{low:g}, {high:g}]",
            }
        )

    def _kill(self, chunk: _Chunk, status: Status, error: str) -> None:
        if chunk.killed is None:
            chunk.killed = (status, error)
            chunk.kill_sent = time.monotonic()
            self._send({"op": "kill", "chunk": chunk.id})

    def _expire(self, now: float) -> None:
        for chunk in list(self.chunks.values()):
            if chunk.killed is None and now >= chunk.deadline:
                self._kill(chunk, Status.timeout, f"the call exceeded the timeout of {self.grader.timeout:g} s and was killed")
            elif chunk.killed is not None and now >= chunk.kill_sent + _KILL_GRACE_SECONDS:
                self._restart("the sandbox did not confirm a kill in time")
                return

    def _exited(self, chunk_id: int, status: int) -> None:
        chunk = self.chunks.pop(chunk_id, None)
        if chunk is None:
            return
        if chunk.position < len(chunk.works):
            elapsed_ms = (time.monotonic() - chunk.started) * 1000
            state, error = chunk.killed or _explain_exit(status)
            chunk_result = failure(state, error, failure_score=self.grader.failure_score, duration_ms=elapsed_ms)
            self._complete(chunk, chunk_result)
            self.queue.extendleft(reversed(chunk.works[chunk.position :]))

    def _restart(self, reason: str) -> None:
        """Replace a dead or stuck zygote. Calls in flight were not at fault and run again,
        except one already being killed, which keeps its own outcome (e.g. timeout)."""
        for chunk in list(self.chunks.values()):
            if chunk.position < len(chunk.works):
                if chunk.killed:
                    elapsed_ms = (time.monotonic() - chunk.started) * 1000
                    status, error = chunk.killed
                    self._complete(chunk, failure(status, error, failure_score=self.grader.failure_score, duration_ms=elapsed_ms))
                self.queue.extendleft(reversed(chunk.works[chunk.position :]))
        self.chunks.clear()
        self.outbox.clear()
        self.selector.unregister(self.sandbox.sock)
        self.sandbox.close()
        self.restarts += 1
        if self.restarts > _MAX_RESTARTS:
            raise SandboxFailure(f"the sandbox failed {self.restarts} times; last: {reason}")
        self.sandbox = self.grader._start_sandbox()
        self.selector.register(self.sandbox.sock, selectors.EVENT_READ, "sandbox")


def _explain_exit(status: int) -> tuple[Status, str]:
    """Why a call process ended without returning a result, from its wait status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = _signal_name(number)
        if number == signal.SIGXCPU:
            return Status.timeout, f"the call exceeded its CPU time limit ({name})"
        if number == signal.SIGSYS:
            return Status.crashed, f"killed by {name}: a forbidden system call"
        if number == signal.SIGKILL:
            return Status.crashed, f"killed by {name} from outside the call (out of memory, or an operator)"
        if number == signal.SIGSEGV:
            return Status.crashed, f"killed by {name}: segmentation fault (stack overflow or a crash in C code)"
        return Status.crashed, f"killed by {name}"
    code = os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else status
    return Status.crashed, f"the call process exited with code {code} before returning a result (os._exit?)"


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name}({-number})"
    except ValueError:
        return f"signal {number}"


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except (BlockingIOError, OSError):
        pass
