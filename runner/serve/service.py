"""What the HTTP service does, apart from HTTP: its graders, admission of rows, and the figures it exports.

::

    request ──▶ admit(reward, rows)? ── no ──▶ 429 + Retry-After (nothing queued: the client retries later)
                   │ yes
                   ▼
               grade(reward, rows) ── a thread of the service's pool ──▶ Grader.grade_batch ──▶ sandboxed calls
                   │                                                       (one grader per reward, made at start)
                   ▼
               results in input order ──▶ release(rows) ──▶ the response

A reward holds at most ``queue_rows`` rows queued or in flight; a request that would pass it is
refused whole, never half-queued, so the backlog is bounded however many clients call. Graders are
made when the service starts (a reward that cannot load stops it with the reason) and closed when
it stops; a crashed zygote restarts inside its grader and costs only the calls it held.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from rewardbox.graders import Grader, GradeResult, Status

from .config import ServeConfig

RUN_CODE = "run_code"  # the internal grader behind /run_code (library:run)
_GRADING_THREADS = 256  # requests waiting on their results at once (each waits in a thread, idle)
_WATCH_ROWS = 256  # the recent rows a reward's failure rate is read over
_WARN_EVERY = 60.0  # seconds between two warnings of one kind for one reward

_FINE = (Status.ok, Status.abstained)  # a row that did not fail

log = logging.getLogger("rewardbox.serve")


class Busy(Exception):
    """A reward's queue is full: the request is refused, with when to try again."""

    def __init__(self, reward: str, queued: int, limit: int, retry_after: int) -> None:
        super().__init__(f"reward {reward!r} holds {queued} rows (queue_rows = {limit}); retry in {retry_after} s")
        self.retry_after = retry_after


class UnknownReward(LookupError):
    """A request names a reward the service does not serve."""


@dataclass
class _Served:
    grader: Grader
    queued: int = 0  # rows admitted and not yet answered
    seconds_per_row: float = 0.01  # a moving estimate, for Retry-After
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=_WATCH_ROWS))  # (ok, error) of recent rows
    warned: dict = field(default_factory=dict)  # kind -> when it was last logged

    def warn(self, kind: str, message: str, *args: object) -> None:
        """Log a warning, at most once a minute per kind: a client may not retry, and its trainer sees only scores."""
        now = time.monotonic()
        if now - self.warned.get(kind, -_WARN_EVERY) >= _WARN_EVERY:
            self.warned[kind] = now
            log.warning(message, *args)


class Metrics:
    """The Prometheus figures: requests, latency, results by status, queue depth, sandbox restarts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rewardbox_requests", "HTTP requests answered, by endpoint and status code", ["endpoint", "code"], registry=self.registry)
        self.latency = Histogram("rewardbox_request_seconds", "time to answer a request, by endpoint", ["endpoint"], registry=self.registry)
        self.results = Counter("rewardbox_results", "rows graded, by reward and result status", ["reward", "status"], registry=self.registry)
        self.queued = Gauge("rewardbox_queued_rows", "rows queued or in flight, by reward", ["reward"], registry=self.registry)
        self.restarts = Gauge("rewardbox_sandbox_restarts", "zygote restarts since the service started, by reward", ["reward"], registry=self.registry)
        self.refused = Counter("rewardbox_refused_rows", "rows refused because a reward's queue was full", ["reward"], registry=self.registry)


class Service:
    """The graders of a served config, admission of their rows, and metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        self.served: dict[str, _Served] = {}
        self.lock = threading.Lock()
        self.pool = concurrent.futures.ThreadPoolExecutor(_GRADING_THREADS, thread_name_prefix="rewardbox-serve")
        self.ready = False

    def start(self) -> None:
        """Make every grader (a reward that cannot load raises, naming it); then the service is ready."""
        try:
            for name, reward in self.config.rewards.items():
                self.served[name] = _Served(Grader(reward.reward, **reward.grader_options()))
            if self.config.run_code:
                self.served[RUN_CODE] = _Served(Grader("library:run", params={"max_seconds": 170.0}, workers=self.config.run_code_workers, timeout=180.0, text_chars=4 << 20))
        except BaseException:
            self.close()
            raise
        self.ready = True

    def close(self) -> None:
        self.ready = False
        for served in self.served.values():
            served.grader.close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def names(self) -> list[str]:
        return [name for name in self.served if name != RUN_CODE]

    def reward(self, name: str | None) -> str:
        """The served reward ``name`` names (the default one for None); ``UnknownReward`` otherwise."""
        chosen = name or self.config.default_reward
        if chosen is None:
            raise UnknownReward(f"name a reward: this service serves {', '.join(self.names())} (no default is set)")
        if chosen not in self.served or (chosen == RUN_CODE and name != RUN_CODE):
            raise UnknownReward(f"no reward {chosen!r} is served here; the rewards: {', '.join(self.names()) or 'none'}")
        return chosen

    async def grade(self, name: str, rows: list, timeout: float) -> list[GradeResult]:
        """Grade ``rows`` with reward ``name``, in order; ``Busy`` when its queue would overflow,
        ``TimeoutError`` after ``timeout`` (the rows' calls still finish, and count until they do)."""
        served = self._admit(name, len(rows))
        started = time.monotonic()
        future = self.pool.submit(served.grader.grade_batch, rows)
        future.add_done_callback(lambda done: self._release(name, len(rows), time.monotonic() - started, done))
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)

    def _admit(self, name: str, count: int) -> _Served:
        served = self.served[name]
        with self.lock:
            if served.queued and served.queued + count > self.config.queue_rows:
                self.metrics.refused.labels(name).inc(count)
                retry = max(1, round(served.queued * served.seconds_per_row / max(1, served.grader.workers)))
                served.warn("busy", "reward %r refused %d rows: its queue holds %d (queue_rows = %d). Clients that do not retry "
                            "(verl's sandbox_fusion, tinker-cookbook) score such rows 0: raise queue_rows or add workers",
                            name, count, served.queued, self.config.queue_rows)
                raise Busy(name, served.queued, self.config.queue_rows, retry)
            served.queued += count
            self.metrics.queued.labels(name).set(served.queued)
        return served

    @staticmethod
    def _watch(name: str, served: _Served) -> None:
        """Warn when most recent rows failed: a trainer over HTTP sees a reward of 0, not why."""
        with_errors = [error for ok, error in served.recent if not ok]
        if len(served.recent) >= 64 and len(with_errors) >= len(served.recent) / 2:
            common = collections.Counter(error.splitlines()[-1][:200] if error else "no message" for error in with_errors).most_common(1)[0][0]
            served.warn("failing", "reward %r: %d of the last %d rows failed (most often: %s)", name, len(with_errors), len(served.recent), common)

    def _release(self, name: str, count: int, seconds: float, done: concurrent.futures.Future) -> None:
        served = self.served[name]
        with self.lock:
            served.queued -= count
            self.metrics.queued.labels(name).set(served.queued)
            if count:
                served.seconds_per_row = 0.8 * served.seconds_per_row + 0.2 * seconds / count
        if not done.cancelled() and done.exception() is None:
            results = done.result()
            for status, count in collections.Counter(result.status for result in results).items():
                self.metrics.results.labels(name, status.value).inc(count)
            served.recent.extend((result.status in _FINE, result.error) for result in results[-_WATCH_ROWS:])
            self._watch(name, served)
        self.metrics.restarts.labels(name).set(getattr(served.grader._manager, "restarts", 0))
