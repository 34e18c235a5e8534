"""The local manager: one zygote, a pipe pair per chunk of calls, deadlines and restarts.

For each chunk the caller makes two pipes (``_Channel``) and hands the call
process its ends through the zygote (SCM_RIGHTS); it writes the chunk's request
into one and reads one text frame per call from the other. While a batch has work
left, the next call processes are forked and waiting (spares). The zygote reports
exit statuses; the caller owns deadlines, parsing and validation. Everything here
runs in the manager thread.
"""

from __future__ import annotations

import array
import collections
import errno
import math
import os
import selectors
import signal
import socket
import time
from typing import Iterable

from ..errors import SandboxFailure
from .manager import _KILL_GRACE_SECONDS, BATCH_ROWS, ManagerBase, PoolSettings, _Work
from .frames import RETIRED_EXIT
from .frames import frame_limit
from .results import FrameError, GradeResult, Status, decode_frame, decode_silent, failure
from .sandbox import Sandbox
from .wire import encode_control, encode_request


_MAX_RESTARTS = 3
_CHUNK_CHARS = 8 << 20  # a chunk's request stays around this size, whatever calls_per_process says
_SPARES_PER_WORKER = 1  # call processes kept forked and waiting, per worker, while a batch has work left
_DRAIN_READS = 64  # reads of 64 KiB from an ended call's channel
_EXIT_GRACE_SECONDS = 1.0  # a call process that sent all its results and has not exited by then is killed
_TRANSIENT_SEND_ERRORS = {errno.ETOOMANYREFS, errno.ENOBUFS, errno.ENOMEM}
_SEND_RETRY_SECONDS = 0.01


class _Channel:
    """Two pipes the caller shares with one call process alone: its request in, its results out.

    Pipes, not a socket pair: a unix socket in flight (sent with SCM_RIGHTS and not
    yet received) makes every close of a unix socket run the kernel's garbage
    collector for in-flight sockets, about 50 us a close here.
    """

    __slots__ = ("request", "results", "theirs")

    def __init__(self) -> None:
        request_read, self.request = os.pipe()
        self.results, results_write = os.pipe()
        os.set_blocking(self.request, False)
        os.set_blocking(self.results, False)
        self.theirs = [request_read, results_write]  # sent to the zygote, then closed here

    def close_theirs(self) -> None:
        for fd in self.theirs:
            os.close(fd)
        self.theirs = []

    def close(self) -> None:
        self.close_theirs()
        for fd in (self.request, self.results):
            if fd >= 0:
                os.close(fd)
        self.request = self.results = -1


class _Chunk:
    """Calls run by one call process, and the pipes the caller shares with that process alone."""

    __slots__ = ("id", "works", "position", "deadline", "started", "buffer", "killed", "kill_sent", "channel", "request", "watching")

    def __init__(self, chunk_id: int, works: list[_Work], timeout: float, channel: _Channel) -> None:
        now = time.monotonic()
        self.id, self.works, self.position = chunk_id, works, 0
        self.started, self.deadline = now, now + timeout
        self.buffer = bytearray()
        self.killed: tuple[Status, str] | None = None
        self.kill_sent = 0.0
        self.channel: _Channel | None = channel
        self.request = bytearray(encode_request([(w.completion, w.ground_truth, w.fields) for w in works]))
        self.watching = False  # the selector watches the request pipe for room


class _Manager(ManagerBase):
    """Owns the sandbox, the work queue and the chunks in flight; runs in one thread."""

    def __init__(self, grader: PoolSettings, sandbox: Sandbox) -> None:
        super().__init__(grader)
        self.sandbox = sandbox
        self.chunks: dict[int, _Chunk] = {}
        self.spares: dict[int, _Channel] = {}  # forked call processes waiting for work, oldest first
        self.next_chunk = 0
        self.outbox: collections.deque[list] = collections.deque()  # [bytes, channel whose ends to attach, or None]
        self.send_retry: float | None = None  # when to try the outbox again after a transient send error
        self.broken: str | None = None  # why the control socket failed (a restart follows)
        self.finishing: dict[int, float] = {}  # chunks with every result in, whose process has not exited: kill deadline
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
        self.selector.close()
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
            target = key.data
            if isinstance(target, _Chunk):
                if target.channel is None:
                    continue  # closed earlier in this round of events
                if key.fd == target.channel.request:
                    self._write_request(target)
                else:
                    self._read_channel(target)
            elif target == "wake":
                _drain(self.wake_read)
            else:
                if events & selectors.EVENT_READ:
                    self._receive()
                if events & selectors.EVENT_WRITE:
                    self._flush()
        now = time.monotonic()
        if self.send_retry is not None and now >= self.send_retry:
            self.send_retry = None
            self._flush()
        if self.broken:
            self._restart(self.broken)
        self._expire(now)

    def _in_flight(self) -> Iterable[_Work]:
        return [work for chunk in self.chunks.values() for work in chunk.works]

    def _release(self) -> None:
        for chunk in self.chunks.values():
            self._close_channel(chunk)
        self._drop_spares()
        self._drop_outbox()
        self.sandbox.close()

    def _wait_seconds(self) -> float | None:
        deadlines = [c.kill_sent + _KILL_GRACE_SECONDS if c.killed else c.deadline for c in self.chunks.values()]
        deadlines += self.finishing.values()
        if self.send_retry is not None:
            deadlines.append(self.send_retry)
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _dispatch(self) -> None:
        workers, per_process = self.grader.workers, self.grader.calls_per_process
        batch = self.grader.binding.batch
        free = workers - len(self.chunks)
        if free > 0:
            self._pull(workers * BATCH_ROWS if batch else max(free, workers * per_process if per_process > 1 else free))
        while free > 0 and self.queue:
            if batch:
                works = self._take_groups(BATCH_ROWS)
            else:
                works = self._take(1 if per_process == 1 else self._chunk_size(per_process, workers))
            chunk_id = next(iter(self.spares)) if self.spares else self._fork_spare()
            chunk = _Chunk(chunk_id, works, self.grader.timeout, self.spares.pop(chunk_id))
            self.chunks[chunk.id] = chunk
            self.selector.register(chunk.channel.results, selectors.EVENT_READ, chunk)
            self._write_request(chunk)
            free -= 1
        if self.queue or any(not job.exhausted for job in self.jobs):
            while len(self.spares) < _SPARES_PER_WORKER * workers:  # have the next call processes forked, confined and waiting
                self._fork_spare()
        elif not self.chunks and self.spares:
            self._retire_spares()  # idle: no process is left waiting

    def _chunk_size(self, per_process: int, workers: int) -> int:
        """Calls for the next process: shrinking as the work left shrinks (guided self-scheduling).

        A chunk is at most the work left shared by the workers (and at most ``per_process``), so the last
        chunks shrink and no core sits idle long while another finishes, and a small batch is spread over
        every worker. (Sharing it over twice the workers made more, smaller chunks at the end: a warm
        process's start, fork and copy-on-write faults on a sympy-sized heap, is worth about ten calls of
        math-verify, and those starts cost more than the idle time they saved.) The work left counts the
        items of jobs of known length not yet pulled, not only the queue."""
        left = len(self.queue) + sum(job.total - job.pulled for job in self.jobs if job.total is not None)
        return min(per_process, max(1, math.ceil(left / workers)))

    def _fork_spare(self) -> int:
        """Have the zygote fork a call process that confines itself and waits for its request on a new channel."""
        channel = _Channel()
        chunk_id = self.next_chunk
        self.next_chunk += 1
        self.spares[chunk_id] = channel
        self._send({"op": "run", "chunk": chunk_id}, attach=channel)
        return chunk_id

    def _retire_spares(self) -> None:
        # Only spares exist now, so a queued run whose pipe ends were not sent yet is a spare's: withdraw it
        # (the zygote never hears of that process); the others are killed.
        self.outbox = collections.deque(entry for entry in self.outbox if not (entry[1] and entry[1].theirs))
        for chunk_id, channel in self.spares.items():
            if not channel.theirs:
                self._send({"op": "kill", "chunk": chunk_id})
        self._drop_spares()

    def _drop_spares(self) -> None:
        for channel in self.spares.values():
            channel.close()
        self.spares.clear()

    def _take(self, size: int) -> list[_Work]:
        """Up to ``size`` queued items, and fewer once their text passes _CHUNK_CHARS (at least one)."""
        works = [self.queue.popleft()]
        chars = works[0].size
        while len(works) < size and self.queue and chars < _CHUNK_CHARS:
            works.append(self.queue.popleft())
            chars += works[-1].size
        return works

    def _send(self, message: dict, attach: _Channel | None = None) -> None:
        self.outbox.append([encode_control(message), attach])
        self._flush()

    def _flush(self) -> None:
        sock = self.sandbox.sock
        while self.outbox:
            data, attach = self.outbox[0]
            try:
                if attach is None:
                    sent = sock.send(data)
                else:
                    sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", attach.theirs))])
                    attach.close_theirs()  # the zygote holds them now
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in _TRANSIENT_SEND_ERRORS:
                    self.send_retry = time.monotonic() + _SEND_RETRY_SECONDS  # descriptors in flight, memory: try again
                    break
                self.broken = f"the control socket failed ({exc.strerror or exc})"
                self._drop_outbox()
                break
            if sent < len(data):
                self.outbox[0] = [data[sent:], None]
            else:
                self.outbox.popleft()
        waiting = self.outbox and self.send_retry is None  # after a transient error, a timer retries instead
        self.selector.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if waiting else 0), "sandbox")

    def _drop_outbox(self) -> None:
        for _, attach in self.outbox:
            if attach is not None:
                attach.close_theirs()
        self.outbox.clear()

    def _write_request(self, chunk: _Chunk) -> None:
        """Send what is left of the chunk's request; while some is left, the selector watches for room."""
        try:
            del chunk.request[: os.write(chunk.channel.request, chunk.request)]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            chunk.request.clear()  # the call process is gone; its exit status says why
        if chunk.request and not chunk.watching:
            self.selector.register(chunk.channel.request, selectors.EVENT_WRITE, chunk)
        elif chunk.watching and not chunk.request:
            self.selector.unregister(chunk.channel.request)
        chunk.watching = bool(chunk.request)

    def _read_channel(self, chunk: _Chunk) -> bool:
        """Read what the call process wrote; False when there was nothing to read yet."""
        try:
            data = os.read(chunk.channel.results, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if data:
            self._frames(chunk, data)
        else:
            self._close_channel(chunk)  # ended; its exit status comes from the zygote
        return True

    def _close_channel(self, chunk: _Chunk) -> None:
        if chunk.channel is not None:
            self.selector.unregister(chunk.channel.results)
            if chunk.watching:
                self.selector.unregister(chunk.channel.request)
                chunk.watching = False
            chunk.channel.close()
            chunk.channel = None

    def _receive(self) -> None:
        try:
            for message in self.sandbox.reader.read_available():
                if message.get("op") == "exit":
                    for chunk_id, status in message["exits"]:
                        self._exited(int(chunk_id), int(status))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
            self._restart(f"the sandbox sent a malformed message ({type(exc).__name__})")
            return
        if self.sandbox.reader.closed:
            self._restart("the sandbox process died")

    def _frames(self, chunk: _Chunk, data: bytes) -> None:
        if chunk.killed or chunk.id not in self.chunks:
            return
        buffer = chunk.buffer
        buffer += data
        end = buffer.rfind(b"\n") + 1
        if end == 0:
            if len(buffer) > frame_limit(self.grader.text_chars):
                self._kill(chunk, Status.crashed, "the call wrote an oversized frame on its result channel")
            return
        lines = bytes(buffer[: end - 1]).split(b"\n")
        del buffer[:end]
        now, total, failure_score = time.monotonic(), len(chunk.works), self.grader.failure_score
        in_range = self.grader.score_range is None
        for line in lines:
            if chunk.position == total:
                break  # anything after the last result is not owed and not read
            try:
                silent = decode_silent(line) if in_range else None  # a silent ok call: no result object built
                if silent is None:
                    call_id, result = decode_frame(line, failure_score=failure_score, max_bytes=frame_limit(self.grader.text_chars))
                else:
                    call_id = silent[0]
                if call_id != chunk.position:
                    raise FrameError(f"frame for call {call_id} where call {chunk.position} was expected")
            except Exception as exc:  # noqa: BLE001 - whatever a call writes, it only ever ends that call
                reason = exc if isinstance(exc, FrameError) else f"{type(exc).__name__}"
                self._kill(chunk, Status.crashed, f"the result channel carried a malformed frame ({reason})")
                return
            if silent is None:
                self._complete(chunk, self._apply_range(result), now)
            else:
                work = self._advance(chunk, now)
                work.job.complete_ok(work.index, silent[1], silent[2])
        if chunk.position == total:
            del self.chunks[chunk.id]  # its slot is free now; the process's exit is only bookkeeping
            self._close_channel(chunk)
            self.finishing[chunk.id] = now + _EXIT_GRACE_SECONDS

    def _complete(self, chunk: _Chunk, result: GradeResult, now: float | None = None) -> None:
        work = self._advance(chunk, time.monotonic() if now is None else now)
        work.job.complete(work.index, result)

    def _advance(self, chunk: _Chunk, now: float) -> _Work:
        """The chunk's next call is answered: move past it, and give the one after it its full timeout."""
        work = chunk.works[chunk.position]
        chunk.position += 1
        chunk.started, chunk.deadline = now, now + self.grader.timeout
        return work

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
        for chunk_id, deadline in list(self.finishing.items()):
            if now >= deadline:  # it sent every result but lingers (a sleep after returning, a stuck exit)
                del self.finishing[chunk_id]
                self._send({"op": "kill", "chunk": chunk_id})
        for chunk in list(self.chunks.values()):
            if chunk.killed is None and now >= chunk.deadline:
                self._kill(chunk, Status.timeout, f"the call exceeded the timeout of {self.grader.timeout:g} s and was killed")
            elif chunk.killed is not None and now >= chunk.kill_sent + _KILL_GRACE_SECONDS:
                self._restart("the sandbox did not confirm a kill in time")
                return

    def _exited(self, chunk_id: int, status: int) -> None:
        self.finishing.pop(chunk_id, None)
        spare = self.spares.pop(chunk_id, None)
        if spare is not None:
            spare.close()  # a waiting process died before it had work (killed from outside)
            return
        chunk = self.chunks.get(chunk_id)
        if chunk is None:
            return
        for _ in range(_DRAIN_READS):  # what it wrote before it ended; a surviving descendant gets no more
            if chunk.channel is None or chunk.id not in self.chunks or not self._read_channel(chunk):
                break
        chunk = self.chunks.pop(chunk_id, None)
        if chunk is None:
            return
        self._close_channel(chunk)
        if chunk.position < len(chunk.works) and os.WIFEXITED(status) and os.WEXITSTATUS(status) == RETIRED_EXIT:
            self.queue.extendleft(reversed(chunk.works[chunk.position :]))  # a warm process retired: a fresh one runs the rest
        elif chunk.position < len(chunk.works):
            elapsed_ms = (time.monotonic() - chunk.started) * 1000
            state, error = chunk.killed or _explain_exit(status)
            chunk_result = failure(state, error, failure_score=self.grader.failure_score, duration_ms=elapsed_ms)
            self._complete(chunk, chunk_result)
            self.queue.extendleft(reversed(chunk.works[chunk.position :]))

    def _restart(self, reason: str) -> None:
        """Replace a dead or stuck zygote. Calls in flight were not at fault and run again,
        except one already being killed, which keeps its own outcome (e.g. timeout)."""
        for chunk in list(self.chunks.values()):
            self._close_channel(chunk)
            if chunk.position < len(chunk.works):
                if chunk.killed:
                    elapsed_ms = (time.monotonic() - chunk.started) * 1000
                    status, error = chunk.killed
                    self._complete(chunk, failure(status, error, failure_score=self.grader.failure_score, duration_ms=elapsed_ms))
                self.queue.extendleft(reversed(chunk.works[chunk.position :]))
        self.chunks.clear()
        self.finishing.clear()  # the old zygote takes its processes with it
        self._drop_spares()
        self._drop_outbox()
        self.send_retry = self.broken = None
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
