"""The grader: a pool of sandboxed calls behind batch, streaming and asyncio faces.

::

    grade / grade_batch / iter_results / agrade ...   (caller threads)
            │  _Job(items) ─▶ queue                 ▲  results (index, GradeResult)
            ▼                                       │
    _Manager thread ── one selector: zygote socket, chunk pipes, wake-up pipe, deadlines
            │  run chunk (+ its pipes) / kill chunk  ▲  exit statuses;  ▲ frames, on the chunk's pipe
            ▼                                       │                   │
    zygote (sandbox.py, zygote.py) ── fork ──▶ call processes ──────────┘

The manager thread owns every piece of pool state; caller threads only put jobs
in and take results out. A call that dies, hangs or misbehaves becomes a
``GradeResult`` for its own item; the other items keep flowing. With
``backend="ray"``, a ``RayManager`` (ray_backend.py) takes the manager's place
and each Ray actor runs one such local grader.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from typing import AsyncIterator, Callable, Iterable, Iterator, Literal, Sequence

from ..errors import GraderClosed
from .layers import Isolation, LayerState, Limits, ProcessPolicy
from .local_manager import _Manager
from .binding import Binding, RowError
from .conventions import CONVENTIONS
from .frames import MAX_TEXT_CHARS
from .manager import Item, ManagerBase, _Job
from .results import GradeResult, Scores
from .sandbox import LoadPerCall, Sandbox, WarmupFailed
from .sources import RewardSource

Progress = Callable[[int, int | None], None]
OutOfRange = Literal["clamp", "invalid"]
Backend = Literal["local", "ray"]
Mode = Literal["fresh", "warm"]
WARM_CALLS = 1024  # calls a warm process serves at most before it is replaced (calls_per_process in warm mode)
# Throw-away examples for ``warmup=``: they fill math-verify/sympy caches on the zygote's first call.
WARMUP_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("The answer is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}"),
    ("#### 42", "42"),
    ("B", "B"),
)
_NOT_FOR_ACTORS = ("self", "reward", "params", "convention", "backend", "address", "ray_actors", "ray_retries")


class Grader:
    """Grade completions with a reward loaded into a sandboxed zygote.

    An item is a row ``{"completion": str, "ground_truth": <any JSON value>, ...fields}``
    or a ``(completion, ground_truth)`` pair; ``binding`` says which fields the reward
    takes (see ``binding.py``). A row that cannot be graded gets status ``invalid_input``.

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
        calls_per_process: int | None = None,
        mode: Mode | None = None,
        isolation: Isolation = "standard",
        failure_score: float = 0.0,
        score_range: tuple[float, float] | None = None,
        out_of_range: OutOfRange = "invalid",
        params: dict | None = None,
        seed: int = 0,
        hash_seed: int = 0,
        load_timeout: float = 120.0,
        output_mb: float = 1.0,
        text_chars: int = MAX_TEXT_CHARS,
        warmup: Sequence[tuple[str, str]] | None = None,
        restricted: bool = False,
        convention: str | None = None,
        backend: Backend = "local",
        address: str | None = None,
        ray_actors: int | None = None,
        ray_retries: int = 2,
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
        self.source = reward if isinstance(reward, RewardSource) else RewardSource.parse(reward, params)
        if convention is not None:
            if convention not in CONVENTIONS:
                raise ValueError(f"convention={convention!r}: expected one of {', '.join(CONVENTIONS)}")
            self.source = dataclasses.replace(self.source, convention=convention)
        self.mode, self.calls_per_process = _mode(mode, calls_per_process, self.source)
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
        if restricted and self.source.kind not in ("file", "code"):
            raise ValueError(
                f"restricted=True applies to .py files and source code, not to {self.source.describe()!r} "
                f"({self.source.kind} rewards are imported or unpickled as they are)"
            )
        self.isolation = isolation
        self.restricted = restricted
        self.text_chars = _positive_int("text_chars", text_chars)
        self._sandbox_options = dict(
            isolation=isolation,
            limits=Limits(memory_mb=_positive_int("memory_mb", memory_mb), cpu_seconds=max(1, math.ceil(self.timeout * 2) + 1)),
            seed=seed,
            hash_seed=_hash_seed(hash_seed),
            output_bytes=int(_positive_number("output_mb", output_mb) * (1 << 20)),
            text_chars=self.text_chars,
            load_timeout=_positive_number("load_timeout", load_timeout),
            warmup=_warmup_pairs(self._warmup(warmup)),
            warmup_timeout=min(self.timeout, 2.0) + 1.0,
            restricted=restricted,
            warm=self.mode == "warm",
            warmup_stateless=warmup is None,  # automatic warm-up calls: kept only if they leave no state (zygote)
        )
        self.warmup_skipped: str | None = None
        started = time.monotonic()
        if backend == "ray":
            from .ray_backend import RayManager

            ray_manager = RayManager(self, keywords, address, ray_actors, ray_retries)
            self.workers = ray_manager.workers()  # call processes on the whole cluster
            self.layers: list[LayerState] = ray_manager.layers
            self.warmup_skipped = ray_manager.warmup_skipped
            self.binding: Binding = ray_manager.binding
            self.processes: ProcessPolicy = ray_manager.processes
            self.reload: str | None = ray_manager.reload
            self._manager: ManagerBase = ray_manager
        else:
            sandbox = self._start_sandbox()
            self.layers = sandbox.layers
            self.binding = sandbox.binding
            self.processes = sandbox.processes
            self.reload = sandbox.reload
            self._manager = _Manager(self, sandbox)
        self.start_seconds = time.monotonic() - started
        self._closed = False

    def _warmup(self, warmup: Sequence[tuple[str, str]] | None) -> Sequence[tuple[str, str]]:
        """The warm-up calls the zygote makes: as given; when not given, ``WARMUP_EXAMPLES`` for a warm
        grader of user code (each warm process would otherwise pay the reward's first-call cost again:
        math-verify's is ~50 ms, 0.7x a serial loop instead of 1.4x), none otherwise (a fresh call sees
        the reward as its import left it; library rewards warm themselves when built). Automatic warm-up
        calls that rebind a top-level name or leave a thread are undone: the zygote starts again without
        them (``warmup_skipped`` says why)."""
        if warmup is not None:
            return warmup
        return WARMUP_EXAMPLES if self.mode == "warm" and self.source.kind != "library" else ()

    def _start_sandbox(self) -> Sandbox:
        """Start a zygote; if the warm-up calls hang or kill it, start one without them and say so; if the reward's
        import makes a pool, start one that loads it in each call process."""
        for _ in range(3):
            try:
                return Sandbox(self.source, **self._sandbox_options)
            except WarmupFailed as exc:
                self.warmup_skipped = str(exc)
                self._sandbox_options["warmup"] = []
            except LoadPerCall as exc:
                self._sandbox_options.update(load_per_call={"reason": exc.reason, "binding": exc.binding}, warmup=[])
        return Sandbox(self.source, **self._sandbox_options)

    @classmethod
    def from_function(cls, function: Callable[[str, str], object], **options) -> Grader:
        """A grader for a Python function (a closure or notebook function is shipped by value with dill)."""
        return cls(RewardSource.from_function(function), **options)

    # ---- faces ----------------------------------------------------------------

    def grade(self, completion: str, ground_truth: object = None, **fields: object) -> GradeResult:
        """Grade one completion; ``ground_truth`` is any JSON value, ``fields`` the row's other fields."""
        return self.grade_batch([{**fields, "completion": completion, "ground_truth": ground_truth}])[0]

    def grade_batch(self, items: Iterable[Item], progress: Progress | None = None) -> list[GradeResult]:
        """Grade every item; results in input order."""
        if progress is not None:
            results = dict(self.iter_results(items, progress))
            return [results[i] for i in range(len(results))]
        job = self._submit(items, collect=True)
        try:
            end = job.results.get()  # the end of the job, or the error that ended it
        finally:
            job.cancelled = True
        if isinstance(end, BaseException):
            raise end
        return [job.collected[i] for i in range(len(job.collected))]

    def scores(self, items: Iterable[Item]) -> Scores:
        """Grade every item; only the scores, statuses and errors, in input order (``Scores``).

        The bulk path: no ``GradeResult`` is built for an ok call, and the results cross from the
        manager thread once, at the end. The per-item results API (``grade_batch``) stays for stdout,
        stderr, durations and components."""
        job = self._submit(items, collect="scores")
        try:
            end = job.results.get()
        finally:
            job.cancelled = True
        if isinstance(end, BaseException):
            raise end
        scored = job.scored
        values = [scored[i] for i in range(len(scored))]
        return Scores(
            scores=[value[0] for value in values],
            statuses=[value[1] for value in values],
            errors={i: value[2] for i, value in enumerate(values) if value[2] is not None},
        )

    def iter_results(self, items: Iterable[Item], progress: Progress | None = None) -> Iterator[tuple[int, GradeResult]]:
        """Yield ``(index, result)`` as calls complete, in completion order."""
        yield from self._results(self._submit(items), progress)

    def _results(self, job: _Job, progress: Progress | None, on_wait: Callable[[], None] | None = None) -> Iterator[tuple[int, GradeResult]]:
        done = 0
        try:
            while True:
                if on_wait is not None and job.results.empty():
                    on_wait()
                entry = job.results.get()
                if entry is _Job.END:
                    return
                if isinstance(entry, BaseException):
                    raise entry
                for result in entry:
                    done += 1
                    if progress is not None:
                        progress(done, job.total)
                    yield result
        finally:
            job.cancelled = True

    def iter_ordered(
        self,
        items: Iterable[Item],
        progress: Progress | None = None,
        window: int | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> Iterator[GradeResult]:
        """Yield results in input order, each as soon as it and all before it are done.

        ``window``: read at most this many items ahead of the last one yielded (back-pressure: memory
        stays flat on an input of any length, however slowly the results are consumed). ``on_wait``:
        called whenever no result is ready and the iterator is about to wait (``rewardbox grade`` flushes
        its output then: once per batch of results, not once per line)."""
        if window is not None:
            _positive_int("window", window)
        job = self._submit(items, window=window)
        waiting: dict[int, GradeResult] = {}
        next_index = 0
        for index, result in self._results(job, progress, on_wait):
            waiting[index] = result
            while next_index in waiting:
                yield waiting.pop(next_index)
                next_index += 1
                job.took()

    async def agrade(self, completion: str, ground_truth: object = None, **fields: object) -> GradeResult:
        """Grade one completion without blocking the event loop."""
        return (await self.agrade_batch([{**fields, "completion": completion, "ground_truth": ground_truth}]))[0]

    async def agrade_batch(self, items: Iterable[Item], progress: Progress | None = None) -> list[GradeResult]:
        """Grade every item without blocking the event loop; results in input order."""
        import asyncio  # here, not at the top: ``rewardbox grade`` does not pay its import

        return await asyncio.to_thread(self.grade_batch, list(items), progress)

    async def aiter_results(self, items: Iterable[Item]) -> AsyncIterator[tuple[int, GradeResult]]:
        """Async version of ``iter_results``."""
        import asyncio

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
                for result in entry:
                    yield result
        finally:
            job.cancelled = True

    # ---- lifecycle ------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        """The isolation this grader runs with, for run summaries."""
        return {
            "reward": self.source.describe(),
            "backend": self.backend,
            "mode": self.mode or f"calls_per_process={self.calls_per_process}",
            "calls_per_process": self.calls_per_process,
            "isolation": self.isolation,
            "restricted": self.restricted,
            "layers": {state.name: state.active for state in self.layers},
            "missing": {state.name: state.detail for state in self.layers if not state.active},
            "warmup_skipped": self.warmup_skipped,
            "convention": self.binding.convention,
            "processes": self.processes.detail,
            "reloaded_per_call": self.reload,
            "signature": self.binding.signature,
            **({"nodes": self._manager.nodes()} if self.backend == "ray" else {}),
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

    def _submit(
        self,
        items: Iterable[Item],
        deliver: Callable[[object], None] | None = None,
        collect: bool | Literal["scores"] = False,
        window: int | None = None,
    ) -> _Job:
        if self._closed:
            raise GraderClosed("this Grader is closed")
        job = _Job(items, deliver, collect, window)
        job.wake = self._manager._wake
        self._manager.submit(job)
        return job


def _warmup_pairs(warmup: Sequence[tuple[str, object]]) -> list[tuple[str, object]]:
    pairs = []
    for index, pair in enumerate(warmup):
        try:
            completion, ground_truth, _, _ = Binding().arguments(pair)
        except RowError as exc:
            raise ValueError(f"warmup[{index}]: {exc}") from None
        pairs.append((completion, ground_truth))
    return pairs


def _mode(mode: str | None, calls_per_process: int | None, source: RewardSource) -> tuple[str | None, int]:
    """The mode and calls per process a grader runs with.

    ``fresh``: a fresh process per call. ``warm``: a process serves up to ``calls_per_process``
    (default ``WARM_CALLS``) calls and retires after any call that did not end ``ok`` or left a
    trace (a thread, a new module, a rebound top-level name). Neither given: library rewards other
    than ``code`` run warm, everything else fresh. ``calls_per_process`` alone keeps its old meaning
    (that many calls a process, no retirement): mode is None then.
    """
    if mode not in (None, "fresh", "warm"):
        raise ValueError(f"mode={mode!r}: expected 'fresh' or 'warm'")
    if calls_per_process is not None:
        calls_per_process = _positive_int("calls_per_process", calls_per_process)
    if mode == "fresh" and calls_per_process not in (None, 1):
        raise ValueError(f"mode='fresh' runs one call per process; calls_per_process={calls_per_process} needs mode='warm' (or no mode)")
    if mode is None and calls_per_process is not None:
        return None, calls_per_process
    if mode is None:
        mode = "warm" if source.kind == "library" and source.target != "code" else "fresh"
    return mode, (calls_per_process or WARM_CALLS) if mode == "warm" else 1


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
