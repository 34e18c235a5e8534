"""The caller's handle on one zygote process: start it, talk to it, end it.

The zygote is started by exec (never forked from the caller, whose memory and
``/proc/<pid>/environ`` hold secrets) with an allow-listed environment and a
private temp directory, and is sent its plan and the reward source over a unix
socket. Nothing received from it is unpickled.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future

from .binding import Binding
from .environment import sandbox_environment
from ..errors import IsolationUnavailable, RewardLoadError, SandboxFailure
from .layers import Isolation, LayerState, Limits, ProcessPolicy, SandboxPlan, system_read_paths, toolchain_homes
from .sources import RewardSource
from .wire import MessageReader, encode_control

_BOOTSTRAP = "import sys; del sys.path[0]; from rewardbox.graders.runtime.zygote import main; main(int(sys.argv[1]))"
class WarmupFailed(SandboxFailure):
    """The reward loaded, but its warm-up calls hung or ended the zygote; start again without them."""


class LoadPerCall(SandboxFailure):
    """The reward's import made pipes or processes (a pool) that forked calls cannot share: start a zygote
    that loads it in each call process instead (``load_per_call``), with the signature found here."""

    def __init__(self, reason: str, binding: dict) -> None:
        super().__init__(reason)
        self.reason, self.binding = reason, binding


class _Spawner:
    """Starts every zygote from one long-lived thread.

    The zygote asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG), and the kernel
    means the parent *thread*: a zygote started from a thread that then ends (a worker thread, an
    ``asyncio.to_thread``, ``rewardbox grade`` starting its grader while it sets up) was SIGKILLed with
    it and silently restarted by the manager. This thread lives as long as the process (daemon; started
    again in a forked child, where it does not exist)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.pid = -1

    def popen(self, *args: object, **kwargs: object) -> subprocess.Popen:
        with self.lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.requests = queue.SimpleQueue()
                threading.Thread(target=self._serve, args=(self.requests,), name="rewardbox-spawner", daemon=True).start()
        future: Future = Future()
        self.requests.put((future, args, kwargs))
        return future.result()

    @staticmethod
    def _serve(requests: queue.SimpleQueue) -> None:
        while True:
            future, args, kwargs = requests.get()
            try:
                future.set_result(subprocess.Popen(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - the caller's thread raises it
                future.set_exception(exc)


_SPAWNER = _Spawner()


class Sandbox:
    """One running zygote with the reward loaded, ready to fork calls."""

    def __init__(
        self,
        source: RewardSource,
        *,
        isolation: Isolation,
        limits: Limits,
        seed: int,
        hash_seed: int,
        output_bytes: int,
        load_timeout: float,
        warmup: list[tuple[str, str]],
        warmup_timeout: float,
        restricted: bool = False,
        warm: bool = False,
        warmup_stateless: bool = False,
        load_per_call: dict | None = None,
        text_chars: int = 4096,
    ) -> None:
        self.temp_dir = tempfile.mkdtemp(prefix="rewardbox-")
        self._log = tempfile.TemporaryFile()
        ours, theirs = socket.socketpair()
        plan = SandboxPlan(
            isolation=isolation,
            temp_dir=self.temp_dir,
            read_paths=read_paths(source),
            limits=limits,
            parent_pid=os.getpid(),
        )
        try:
            self.process = _SPAWNER.popen(
                [sys.executable, "-s", "-c", _BOOTSTRAP, str(theirs.fileno())],
                env={**sandbox_environment(self.temp_dir, hash_seed=hash_seed), **toolchain_homes()},
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                cwd=self.temp_dir,
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.sock = ours
        self.reader = MessageReader(ours)
        init = {
            "plan": dataclasses.asdict(plan),
            "source": source.as_dict(),
            "sys_path": [p for p in sys.path if p and os.path.isabs(p)],
            "seed": seed,
            "output_bytes": output_bytes,
            "warmup": [list(pair) for pair in warmup],
            "restricted": restricted,
            "warm": warm,
            "warmup_stateless": warmup_stateless,
            "load_per_call": load_per_call,
            "text_chars": text_chars,
        }
        self.sock.sendall(encode_control(init))
        try:
            ready = self._await_ready(source, load_timeout, warmup_timeout)
        except BaseException:
            self.close()
            raise
        self.layers = [LayerState(**state) for state in ready["layers"]]
        self.pid_namespace = bool(ready.get("pid_namespace"))
        self.processes = ProcessPolicy.from_dict(ready["processes"])
        self.reload: str | None = ready.get("reload")
        self.sock.setblocking(False)

    def _await_ready(self, source: RewardSource, load_timeout: float, warmup_timeout: float) -> dict:
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ)
        deadline = time.monotonic() + load_timeout
        loaded = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if loaded:
                    raise WarmupFailed(f"the warm-up calls took longer than {warmup_timeout:g} s")
                raise RewardLoadError(f"loading {source.describe()} took longer than {load_timeout:g} s (load_timeout)")
            if not selector.select(remaining):
                continue
            for message in self.reader.read_available():
                op = message["op"]
                if op == "loaded":
                    loaded = True
                    try:
                        self.binding = Binding.from_dict(message.get("binding"))
                    except ValueError as exc:
                        raise SandboxFailure(f"the sandbox reported a malformed reward signature: {exc}") from None
                    deadline = time.monotonic() + warmup_timeout
                elif op == "ready":
                    return message
                if op == "load_error":
                    raise RewardLoadError(message["message"], path=message.get("path"), line=message.get("line"))
                if op == "load_per_call":
                    raise LoadPerCall(message["reason"], message["binding"])
                if op == "warmup_left_state":
                    raise WarmupFailed(f"the warm-up calls changed the reward's state ({message['trace']}); every call must see it as loaded")
                if op == "refused":
                    missing = {s["name"]: s["detail"] for s in message["layers"] if not s["active"]}
                    raise IsolationUnavailable(missing)
            if self.reader.closed:
                if loaded:
                    raise WarmupFailed(f"the sandbox process died during the warm-up calls: {self.log_tail()}")
                raise SandboxFailure(f"the sandbox process exited while loading {source.describe()}: {self.log_tail()}")

    def fileno(self) -> int:
        return self.sock.fileno()

    def log_tail(self, limit: int = 2000) -> str:
        """The end of what the zygote itself wrote to stdout/stderr (not the calls' output)."""
        size = os.fstat(self._log.fileno()).st_size
        text = os.pread(self._log.fileno(), limit, max(0, size - limit)).decode("utf-8", "replace").strip()
        return text or f"exit status {self.process.poll()}"

    def close(self) -> None:
        """End the zygote and everything it started; remove the temp directory."""
        if self.process.poll() is None:
            try:
                self.sock.setblocking(True)
                self.sock.settimeout(0.5)
                self.sock.sendall(encode_control({"op": "shutdown"}))
                self.process.wait(timeout=3.0)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        try:  # what the reward's import started in the zygote (a pool's workers) shares its process group
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.sock.close()
        self._log.close()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def read_paths(source: RewardSource) -> list[str]:
    """What the sandbox may read: the interpreter, its libraries, the import path, toolchains and the reward's folder.

    The working directory and the home directory are not on the list unless the
    reward lives there.
    """
    paths = set(system_read_paths())
    if source.folder:
        paths.add(source.folder)
    return sorted(paths)
