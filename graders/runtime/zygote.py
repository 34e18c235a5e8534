"""The zygote: the sandbox process that loads a reward once and forks a child per chunk of calls.

Started by the caller with exec and an allow-listed environment (``sandbox.py``)::

    caller ──control socket: run (+ two pipe ends), kill──▶ zygote ──clone (new PID namespace)──▶ call process
       ▲  ▲                                                   │                                    │
       │  └───────────── exit statuses ◀──────────────────────┘                                    │
       └──────── the chunk's pipes: request in, one result line per call out ◀────────────────────┘

The zygote confines itself (``layers.apply_zygote_layers``), imports the user's
reward, then waits on the control socket and SIGCHLD. For each chunk the caller
sends the call process's ends of two pipes (SCM_RIGHTS); the call process
inherits them, reads its calls from one and writes its results to the other. The
zygote never touches a call's data; the caller owns deadlines, parsing and
validation. User code never runs in the caller.
"""

from __future__ import annotations

import _signal
import gc
import inspect
import os
import random
import select
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from time import perf_counter as _clock
from typing import Callable

from .binding import Binding
from . import children
from .capture import Capture
from ..errors import RewardLoadError
from . import frames
from . import conventions
from .frames import MAX_TEXT_CHARS, RETIRED_EXIT, InvalidReturn, Status, bounded, coerce_score, encode_frame, record_components, take_components
from .layers import CallConfinement, SandboxPlan, apply_zygote_layers, process_policy, uses_pid_namespace
from .loader import RewardFunction, binding, load_reward
from .warm import Trace, warm_up_leftovers
from .wire import MessageReader, encode_control, frame, read_request, send_all

_CHILD_FAILED = 70


def main(control_fd: int) -> None:
    """Entry point of the exec'd zygote process; ``control_fd`` is its end of the caller's socket."""
    sock = socket.socket(fileno=control_fd)
    frames._in_sandbox = True
    reader = MessageReader(sock, accept_fds=True)
    message = reader.read_blocking()
    if message is None:
        return
    init = message
    plan = SandboxPlan.from_dict(init["plan"])
    source = init["source"]
    states = apply_zygote_layers(plan)
    layers = [vars(state) for state in states]
    if plan.isolation == "strict" and not all(state.active for state in states):
        sock.sendall(encode_control({"op": "refused", "layers": layers}))
        return
    sys.path[:0] = [path for path in init["sys_path"] if path not in sys.path]
    sys.meta_path.insert(0, _SeedNumpyOnImport(init["seed"]))
    at_fork = children.AtForkRecorder()
    per_call = init.get("load_per_call")
    if per_call:  # a reward whose import makes pools: loaded in each call process, never here
        reward, takes, reload = None, Binding.from_dict(per_call["binding"]), per_call["reason"]
        sock.sendall(encode_control({"op": "loaded", "binding": per_call["binding"]}))
    else:
        before = children.ImportTrace()
        try:
            reward = load_reward(source, restricted=init["restricted"])
            takes = binding(reward, source)
        except RewardLoadError as exc:
            sock.sendall(encode_control({"op": "load_error", "message": exc.reason, "path": exc.path, "line": exc.line}))
            return
        reload = before.fork_unsafe() if source["kind"] in ("file", "code", "module") else None
        if reload:  # the caller starts a zygote that loads it per call; this one's pool dies with its process group
            sock.sendall(encode_control({"op": "load_per_call", "reason": reload, "binding": takes.to_dict()}))
            return
        sock.sendall(encode_control({"op": "loaded", "binding": takes.to_dict()}))
        warm_up = lambda: _warm_up(reward, takes, init["warmup"], init["seed"])  # noqa: E731
        left = None
        if init.get("warmup_stateless") and init["warmup"]:  # automatic warm-up calls: kept only if they leave nothing
            left = warm_up_leftovers(reward, warm_up)
            if children.orphans_of(os.getpid()):
                left = "a process left running"
                children.end_children()  # the warm-up ran in the zygote, without the calls' syscall filter: none of what it started stays
        else:
            warm_up()
        if left:  # automatic warm-up calls must leave the reward as loaded: the caller starts again without them
            sock.sendall(encode_control({"op": "warmup_left_state", "trace": left}))
            return
    policy = process_policy()
    ready = {"op": "ready", "layers": layers, "pid_namespace": uses_pid_namespace(), "processes": vars(policy), "reload": reload}
    sock.sendall(encode_control(ready))
    zygote = Zygote(sock, reader, reward, takes, plan, {s.name: s.active for s in states}, init["seed"], init["output_bytes"], at_fork.only_lock_resets())
    zygote.text_chars = init.get("text_chars", MAX_TEXT_CHARS)
    zygote.warm = bool(init.get("warm"))
    if reload:
        zygote.reload = lambda: load_reward(source, restricted=init["restricted"], again=True)
    zygote.serve()


def _warm_up(reward: RewardFunction, takes: Binding, examples: list[list[str]], seed: int) -> None:
    """Pay one-time costs here, not in every child, and freeze the heap so forks share it.

    The reward is called on a few throw-away examples first: libraries such as
    math-verify/sympy fill parser and expression caches on their first call
    (about 50 ms), which every fresh child would otherwise pay again. Results
    and output are discarded; the caller bounds the time this takes.
    """
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        for completion, ground_truth in examples:
            try:
                takes.call(reward, completion, ground_truth, None)
            except BaseException:  # noqa: BLE001 - a warm-up failure only means nothing was warmed
                pass
    finally:
        for fd, original in zip((1, 2), saved):
            os.dup2(original, fd)
            os.close(original)
        os.close(null)
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)
    gc.collect()
    gc.freeze()


class _SeedNumpyOnImport:
    """Seeds numpy's global RNG as soon as ``numpy.random`` is imported, even inside a call.

    Calls are seeded before they start, but a reward that imports numpy inside
    the call would otherwise draw from fresh OS entropy in every process.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def find_spec(self, name: str, path, target=None):
        if name != "numpy.random":
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None and spec.loader is not None:
                    execute, seed = spec.loader.exec_module, self.seed

                    def exec_module(module, execute=execute):
                        execute(module)
                        module.seed(seed)

                    spec.loader.exec_module = exec_module
                    return spec
        return None


class _Child:
    __slots__ = ("pid", "chunk", "call_dir")

    def __init__(self, pid: int, chunk: int, call_dir: str) -> None:
        self.pid, self.chunk, self.call_dir = pid, chunk, call_dir


class Zygote:
    """The zygote's event loop: run and kill requests in, exit statuses out.

    It touches as little as it can between forks: every page it writes after a
    fork is a page fault, paid once per call.
    """

    def __init__(
        self, sock, reader, reward: RewardFunction | None, takes: Binding, plan: SandboxPlan, states: dict[str, bool], seed: int, output_bytes: int,
        may_skip_fork_hooks: bool = True,
    ) -> None:
        self.sock, self.reader, self.reward, self.plan = sock, reader, reward, plan
        # the fast path calls the reward directly: rewardbox's own signature, a plain (not async) function
        self.takes = takes
        self.simple_call = takes.ground_truth == "positional" and takes.convention == "rewardbox" and not inspect.iscoroutinefunction(reward)
        self.states, self.seed, self.output_bytes = states, seed, output_bytes
        self.pid_namespace = uses_pid_namespace()
        self.confinement = CallConfinement(plan, states, process_policy())
        self.reload: Callable[[], RewardFunction] | None = None  # set when the reward must be loaded in each call process
        self.fork, self.bare_fork = children.choose_fork(self.pid_namespace, may_skip_fork_hooks)
        random.seed(seed)
        self.random_state = random.getstate()
        self.streams = Capture.make_streams()
        self.children: dict[int, _Child] = {}
        self.by_chunk: dict[int, _Child] = {}
        self.free_dirs: list[str] = []  # empty call directories whose calls are over, ready for the next
        self.warm = False  # mode="warm": a call process retires after any call that leaves a trace (_left_a_trace)
        self.text_chars = MAX_TEXT_CHARS  # of each captured stream a result keeps

    def serve(self) -> None:
        gc.freeze()  # what __init__ built, too: a collection in a call process must not walk (and copy) it
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        control = self.sock.fileno()
        poller = select.poll()
        poller.register(control, select.POLLIN)
        poller.register(wake_read, select.POLLIN)
        while True:
            for fd, _ in poller.poll():
                if fd == control:
                    for message in self.reader.read_available():
                        self._handle(message)
                    if self.reader.closed:
                        self._shutdown()
                        return
                else:
                    children.drain(wake_read)
                    self._reap()

    def _handle(self, message: dict) -> None:
        op = message["op"]
        if op == "run":
            fds = self.reader.fds
            if len(fds) >= 2:
                self._spawn(message["chunk"], fds.popleft(), fds.popleft())
            else:  # the caller withdrew it: nothing to run
                while fds:
                    os.close(fds.popleft())
        elif op == "kill":
            child = self.by_chunk.get(message["chunk"])
            if child is not None:
                self._kill(child)
        elif op == "shutdown":
            self._shutdown()
            os._exit(0)

    def _spawn(self, chunk: int, requests: int, results: int) -> None:
        call_dir = self.free_dirs.pop() if self.free_dirs else self._new_dir(chunk)
        pid = self.fork()
        if pid == 0:
            try:
                self._child(requests, results, call_dir)
            finally:
                os._exit(_CHILD_FAILED)
        os.close(requests)
        os.close(results)
        child = _Child(pid, chunk, call_dir)
        self.children[pid] = child
        self.by_chunk[chunk] = child

    def _new_dir(self, chunk: int) -> str:
        # a random name: a call without Landlock could create a predictable one first
        return tempfile.mkdtemp(prefix=f"call{chunk}-", dir=self.plan.temp_dir)

    def _recycle(self, path: str) -> None:
        """Keep an ended call's directory for another call if it is empty, otherwise remove it.

        With a PID namespace every process of the call died with it, so nothing can
        write there any more; an empty directory carries nothing to the next call,
        and reusing it spares a mkdir and an rmdir per call (inode allocation is a
        measurable part of a call on ext4). Without one, a process re-parented here
        after the sweep could still hold it: then the directory always goes.
        """
        if not self.pid_namespace:
            shutil.rmtree(path, ignore_errors=True)
            return
        try:
            with os.scandir(path) as entries:
                empty = next(entries, None) is None
        except OSError:
            return
        if empty:
            self.free_dirs.append(path)
        else:
            shutil.rmtree(path, ignore_errors=True)

    def _reap(self) -> None:
        exits = []
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            child = self.children.pop(pid, None)
            if child is None:
                continue  # an orphan re-parented to this subreaper
            if not self.pid_namespace:
                self._kill_descendants(child)
            del self.by_chunk[child.chunk]
            exits.append((child.chunk, status))
            self._recycle(child.call_dir)
        if exits:  # JSON by hand: json.dumps builds an encoder and closures on every call
            body = '{"op":"exit","exits":[' + ",".join(f"[{chunk},{status}]" for chunk, status in exits) + "]}"
            self.sock.sendall(frame(body.encode()))

    def _kill(self, child: _Child) -> None:
        for kill in (os.kill, os.killpg):
            try:
                kill(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _kill_descendants(self, child: _Child) -> None:
        """Without a PID namespace: kill the call's process group and every orphan we inherited."""
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        known = set(self.children)
        for pid in children.orphans_of(os.getpid()):
            if pid not in known:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def _shutdown(self) -> None:
        """Kill every child and wait for all descendants re-parented here, then clean the temp dir."""
        for child in list(self.children.values()):
            self._kill(child)
        children.end_children()
        shutil.rmtree(self.plan.temp_dir, ignore_errors=True)

    # ---- in the forked child -------------------------------------------------

    def _child(self, requests: int, results: int, call_dir: str) -> None:
        _signal.set_wakeup_fd(-1)  # _signal, not signal: its enum wrappers alone touch ~30 pages
        _signal.signal(_SIGCHLD, _SIG_DFL)
        os.setsid()  # its own session and group: kill(0, ...) reaches nothing outside the call
        try:
            self.confinement.apply(call_dir)
        except OSError as exc:
            send_all(results, encode_frame(0, Status.crashed, 0.0, 0.0, f"isolation layer failed in the call process: {exc}"))
            os._exit(_CHILD_FAILED)
        children.close_all_but(requests, results)  # the zygote's socket and pipe, and anything the reward's import opened
        calls = read_request(requests)
        os.chdir(call_dir)
        os.environ["TMPDIR"] = os.environ["HOME"] = call_dir
        tempfile.tempdir = None
        if self.reload is not None:
            failed = self._reload()
            if failed is not None:
                for call_id in range(len(calls)):
                    send_all(results, encode_frame(call_id, Status.exception, 0.0, 0.0, failed))
                os._exit(0)
        capture = Capture(self.output_bytes, self.streams, self.text_chars)
        if self.takes.batch:  # TRL, OpenRLHF: the chunk is the batch their harness would pass
            for frame in self._call_batch(calls, capture):
                send_all(results, frame)
            os._exit(0)
        watch = Trace(self.reward, call_dir) if self.warm and len(calls) > 1 else None
        for call_id, (completion, ground_truth, fields) in enumerate(calls):
            frame = self._call(call_id, completion, ground_truth, fields, capture)
            send_all(results, frame)
            if watch is not None and call_id + 1 < len(calls) and (not self.last_ok or watch.changed()):
                os._exit(RETIRED_EXIT)  # the manager runs the rest of the chunk in a fresh process
        os._exit(0)

    def _reload(self) -> str | None:
        """Load the reward again in this call process (its import made pipes, processes or threads a fork cannot
        share); the error to report for every call of the chunk if that fails."""
        try:
            self.reward = self.reload()
        except RewardLoadError as exc:  # load_reward turns every failure of the reward's code into one
            return f"loading the reward again in the call process failed: {exc}"
        return None

    def _call(self, call_id: int, completion: str, ground_truth: object, fields: dict | None, capture: Capture) -> bytes:
        if call_id or not self.bare_fork:  # a bare fork's first call starts from the zygote's seeded generators
            random.setstate(self.random_state)  # as random.seed(seed), in half the time
            numpy = sys.modules.get("numpy")
            if numpy is not None:
                numpy.random.seed(self.seed)
        take_components()
        capture.start()
        started = _clock()
        error = None
        score = 0.0
        try:
            if self.simple_call and fields is None:
                score = coerce_score(self.reward(completion, ground_truth))
            else:
                value = self.takes.call(self.reward, completion, ground_truth, fields)
                score = coerce_score(value if self.takes.convention == "rewardbox" else self._harness_value(value))
            status = Status.ok
        except _Abstained:
            status, error = Status.abstained, "the reward returned None: it does not apply to this completion"
        except InvalidReturn as exc:
            status, error = Status.invalid_return, str(exc)
        except MemoryError:
            status, error = Status.memory_limit, f"MemoryError: the call exceeded the {self.plan.limits.memory_mb} MiB address-space limit"
        except BaseException as exc:  # noqa: BLE001 - every failure of user code is a value
            status, error = Status.exception, _describe(exc)
        duration_ms = (_clock() - started) * 1000
        stdout, stderr, overflow = capture.finish()
        components = take_components()
        if overflow:
            status, error = Status.output_limit, f"the call wrote more than {self.output_bytes} bytes to stdout/stderr"
        self.last_ok = status is Status.ok
        if status is not Status.ok:
            return encode_frame(call_id, status, 0.0, duration_ms, error, stdout, stderr, text_chars=self.text_chars)
        return encode_frame(call_id, status, score, duration_ms, error, stdout, stderr, components, self.text_chars)


    def _harness_value(self, value: object, extras: dict | None = None) -> object:
        """A harness reward's result: None means it does not apply; a dict gives its ``score`` and its other numbers
        become components (verl's, OpenRLHF's ``extra_logs``)."""
        if value is None:
            raise _Abstained
        try:
            value, more = conventions.split(value)
        except conventions.ConventionError as exc:
            raise InvalidReturn(str(exc)) from None
        components = {**(extras or {}), **more}
        if components:
            record_components({name: item for name, item in components.items() if isinstance(item, (int, float)) and not isinstance(item, bool)})
        return value

    def _call_batch(self, calls: list, capture: Capture) -> list[bytes]:
        """One call of a batch reward with every row of the chunk; one frame per row (a failure of the call is each row's)."""
        random.setstate(self.random_state)
        take_components()
        capture.start()
        started = _clock()
        outcomes: list[tuple[Status, float, str | None, dict]] = []
        try:
            value = self.takes.call_batch(self.reward, calls)
            for item, extras in conventions.results(self.takes.convention, value, len(calls), self.takes.signature):
                try:
                    score = coerce_score(self._harness_value(item, extras))
                    outcomes.append((Status.ok, score, None, take_components()))
                except _Abstained:
                    outcomes.append((Status.abstained, 0.0, "the reward returned None: it does not apply to this completion", {}))
                except (InvalidReturn, ValueError) as exc:
                    take_components()
                    outcomes.append((Status.invalid_return, 0.0, str(exc), {}))
        except conventions.ConventionError as exc:
            outcomes = [(Status.invalid_return, 0.0, str(exc), {})] * len(calls)
        except MemoryError:
            outcomes = [(Status.memory_limit, 0.0, f"MemoryError: the call exceeded the {self.plan.limits.memory_mb} MiB address-space limit", {})] * len(calls)
        except BaseException as exc:  # noqa: BLE001 - every failure of user code is a value
            outcomes = [(Status.exception, 0.0, _describe(exc), {})] * len(calls)
        duration_ms = (_clock() - started) * 1000 / max(1, len(calls))
        stdout, stderr, overflow = capture.finish()
        if overflow:
            outcomes = [(Status.output_limit, 0.0, f"the call wrote more than {self.output_bytes} bytes to stdout/stderr", {})] * len(calls)
        frames = []
        for call_id, (status, score, error, components) in enumerate(outcomes):
            shown = (stdout, stderr) if call_id == 0 else ("", "")  # the batch's output, once
            frames.append(encode_frame(call_id, status, score, duration_ms, error, *shown, components if status is Status.ok else None, self.text_chars))
        return frames


class _Abstained(Exception):
    """A harness reward returned None for a row: it does not apply there (TRL's convention)."""


_SIGCHLD, _SIG_DFL = int(signal.SIGCHLD), int(signal.SIG_DFL)


def _describe(exc: BaseException) -> str:
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:  # noqa: BLE001 - a hostile __str__ must not lose the result
        text = f"{type(exc).__name__} (its message could not be rendered)"
    return bounded(text)


if __name__ == "__main__":
    main(int(sys.argv[1]))
