"""Running the model's program apart from the judge: compile once, then one confined process per test.

::

    judge (the sandboxed call) ──fork+exec──▶ compiler          (build dir writable)
          │  ──fork+exec──▶ the binary / java / node, per test   (reads its build dir, writes its run dir)
          └─ start ──▶ Python fork server (pyharness.py) ──fork──▶ a test process per test

Every program process is confined beyond the call it belongs to: its own Landlock
layer (reads only the interpreter's and toolchains' folders and its build
directory, writes only its run directory; signals and abstract sockets scoped, so
it can neither read the judge's files nor signal the judge), its own session,
rlimits per test (CPU, memory, stack, file size, no core), and the call's layers
(no network, seccomp, its PID namespace). The judge holds the tests; a program
gets its input on stdin (or its arguments on a pipe) and nothing else.

One waiting point per test (``_Exchange.run``): the program's stdin is written,
stdout and stderr are read up to the output cap, and its end (a pidfd, or the
fork server's report) or the wall-clock deadline stops the wait; whatever a
test leaves running is killed before the next.
"""

from __future__ import annotations

import dataclasses
import json
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
from typing import Callable, Sequence

from rewardbox.graders.runtime.isolation import landlock, linux
from rewardbox.graders.runtime.layers import readable_paths

from . import pyharness
from .languages import Language, LanguageUnavailable, find_program, java_main_class

HARNESS = os.path.realpath(pyharness.__file__)
_CHUNK = 1 << 16
_STDERR_KEPT = 8192
_MEMORY_WORDS = ("MemoryError", "std::bad_alloc", "OutOfMemoryError", "heap out of memory", "memory allocation of", "out of memory", "Cannot allocate memory")


class ProgramError(RuntimeError):
    """The judge could not run a program at all (a process cannot be started here): not the model's fault."""


@dataclasses.dataclass(frozen=True)
class TestLimits:
    """What one test process may use (``code_tests`` documents each)."""

    time_limit: float  # CPU seconds
    wall_limit: float
    memory_mb: int
    output_bytes: int
    memory: str = "address_space"  # or "data"
    stack: bool = True  # a big main-thread stack (half the memory, 256 MiB at most) for deep recursion
    overhead_mb: int = 0  # the runtime's own, above the program's limit (Language.memory_overhead_mb)

    def as_rlimits(self) -> dict[str, object]:
        memory = (self.memory_mb + self.overhead_mb) << 20
        # A thread's default stack is the stack limit, reserved out of the address space: runtimes that start
        # threads (the JVM, V8, Go, compilers) keep the default; a contest program gets room to recurse.
        big_stack = self.stack and self.memory == "address_space"
        return {
            "cpu_seconds": max(1, int(self.time_limit + 0.999)),
            "memory_bytes": memory,
            "memory": self.memory,
            "stack_bytes": min(memory // 2, 256 << 20) if big_stack else None,
            "file_bytes": self.output_bytes,
        }


@dataclasses.dataclass
class Execution:
    """How one process ran: its exit status, resources, and what it wrote (bounded)."""

    status: int | None = None  # os.wait status; None if it never started
    cpu: float = 0.0
    wall: float = 0.0
    maxrss_kb: int = 0
    stdout: bytes = b""
    stderr: bytes = b""
    result: bytes = b""  # the call's answer (call mode)
    timed_out: bool = False
    output_exceeded: bool = False

    @property
    def exit_code(self) -> int | None:
        return None if self.status is None or os.WIFSIGNALED(self.status) else os.waitstatus_to_exitcode(self.status)

    @property
    def signal(self) -> int | None:
        return os.WTERMSIG(self.status) if self.status is not None and os.WIFSIGNALED(self.status) else None

    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")


# ---- confinement --------------------------------------------------------------------------------------


class Confinement:
    """A Landlock layer for program processes: read the system and ``read_dirs``, write ``write_dir``, nothing else.

    Built once per completion and applied by each process after fork; None where Landlock is
    unavailable (then the call's own layers are all there is)."""

    def __init__(self, read_dirs: Sequence[str], write_dir: str) -> None:
        self.ruleset = landlock.Ruleset([*readable_paths(), HARNESS, *read_dirs], [write_dir, os.devnull]) if landlock.abi_version() >= 1 else None

    def apply(self) -> None:
        if linux.IS_LINUX:
            linux.set_no_new_privs()
        if self.ruleset is not None:
            self.ruleset.apply()

    def close(self) -> None:
        if self.ruleset is not None:
            self.ruleset.close()


def spawn(argv: Sequence[str], env: dict[str, str], cwd: str, fds: Sequence[int], rlimits: dict[str, object], confinement: Confinement) -> int:
    """Fork and exec ``argv`` in a session of its own, ``fds`` as its descriptors 0, 1, 2..., limited and confined."""
    try:
        pid = os.fork()
    except OSError as exc:
        raise ProgramError(f"cannot start a process for the program: {exc.strerror} (the sandbox refuses new processes here?)") from None
    if pid == 0:
        try:
            os.setsid()
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            confinement.apply()  # first: the descriptors below may take the number of its ruleset
            moved = [os.dup(fd) for fd in fds]  # above every number given: none overwrites one not yet placed
            for target, fd in enumerate(moved):
                os.dup2(fd, target)
            os.chdir(cwd)
            pyharness.set_limits(rlimits)
            os.closerange(len(fds), 1 << 16)
            os.execve(argv[0], list(argv), env)
        except BaseException as exc:  # noqa: BLE001 - reported on the program's stderr, then exit 127
            try:
                os.write(2, f"cannot run {argv[0]}: {exc}\n".encode())
            finally:
                os._exit(127)
    return pid


def program_env(language: Language, directory: str, run_dir: str, memory_mb: int = 512) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "PYTHONHASHSEED", "RUSTUP_HOME") if key in os.environ}
    env.update(HOME=run_dir, TMPDIR=run_dir, PYTHONDONTWRITEBYTECODE="1", PYTHONINTMAXSTRDIGITS="0")
    env.update({key: value.format(dir=directory, memory_mb=memory_mb) for key, value in language.env.items()})
    return env


# ---- one test ------------------------------------------------------------------------------------------


class _Exchange:
    """The judge's side of one test: feeds stdin, reads the outputs up to the cap, waits for the end or the deadline."""

    def __init__(self, stdin: bytes, limits: TestLimits, result: bool = False) -> None:
        self.stdin, self.limits = stdin, limits
        self.pipes = {name: os.pipe() for name in ("stdin", "stdout", "stderr")}
        if result:
            self.pipes["requests"], self.pipes["results"] = os.pipe(), os.pipe()

    def child_fds(self) -> list[int]:
        order = [("stdin", 0), ("stdout", 1), ("stderr", 1)] + ([("requests", 0), ("results", 1)] if "requests" in self.pipes else [])
        return [self.pipes[name][end] for name, end in order]

    def close_child_ends(self) -> None:
        for fd in self.child_fds():
            os.close(fd)

    def run(self, end_fd: int, wait_end: Callable[[], tuple[int, float, int]], kill: Callable[[], None], requests: bytes = b"") -> Execution:
        """Wait on everything at once until the program ends (``end_fd`` readable; ``wait_end()`` reads how), the output
        cap is passed, or the wall-clock limit; ``kill()`` ends it early."""
        execution = Execution()
        started = time.monotonic()
        deadline = started + self.limits.wall_limit
        selector = selectors.DefaultSelector()
        writes = {self.pipes["stdin"][1]: memoryview(self.stdin)}
        if "requests" in self.pipes:
            writes[self.pipes["requests"][1]] = memoryview(requests)
        for fd, data in writes.items():
            os.set_blocking(fd, False)
            if data:
                selector.register(fd, selectors.EVENT_WRITE, "write")
            else:
                os.close(fd)
        readers = {self.pipes["stdout"][0]: "stdout", self.pipes["stderr"][0]: "stderr"}
        if "results" in self.pipes:
            readers[self.pipes["results"][0]] = "result"
        chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": [], "result": []}
        sizes = {"stdout": 0, "stderr": 0, "result": 0}
        for fd, name in readers.items():
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ, name)
        selector.register(end_fd, selectors.EVENT_READ, "end")
        status = None
        try:
            while status is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    execution.timed_out = True
                    kill()
                    status = wait_end()
                    break
                for key, _ in selector.select(remaining):
                    if key.data == "end":
                        status = wait_end()
                    elif key.data == "write":
                        data = writes[key.fd]
                        try:
                            written = os.write(key.fd, data[:_CHUNK])
                        except BlockingIOError:
                            continue
                        except (BrokenPipeError, OSError):  # the program stopped reading: the rest is not needed
                            written = len(data)
                        writes[key.fd] = data = data[written:]
                        if not data:
                            selector.unregister(key.fd)
                            os.close(key.fd)
                            del writes[key.fd]
                    elif self._read(key.fd, key.data, chunks, sizes, selector):
                        execution.output_exceeded = True
                        kill()
                        status = wait_end()
                        break
            for fd, name in readers.items():  # what the program wrote before it ended is in the pipes
                if fd in selector.get_map():
                    while not self._read(fd, name, chunks, sizes, selector, drain=True) and fd in selector.get_map():
                        pass
        finally:
            selector.close()
            for fd in list(writes) + list(readers):
                try:
                    os.close(fd)
                except OSError:
                    pass
        execution.wall = time.monotonic() - started
        execution.status, execution.cpu, execution.maxrss_kb = status
        execution.stdout, execution.stderr, execution.result = (b"".join(chunks[name]) for name in ("stdout", "stderr", "result"))
        return execution

    def _read(self, fd: int, name: str, chunks: dict, sizes: dict, selector, drain: bool = False) -> bool:
        """Read what is there; True when the output cap is passed."""
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            if drain:
                selector.unregister(fd)
            return False
        except OSError:
            data = b""
        if not data:
            selector.unregister(fd)
            return False
        cap = self.limits.output_bytes if name != "stderr" else _STDERR_KEPT
        if name == "stderr":
            if sizes[name] < cap:
                chunks[name].append(data[: cap - sizes[name]])
            sizes[name] += len(data)
            return False
        sizes[name] += len(data)
        if sizes[name] > cap:
            return True
        chunks[name].append(data)
        return False


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


# ---- runners -------------------------------------------------------------------------------------------


class Workspace:
    """One completion's directories: ``build`` (its source and binary; read-only to the program) and ``run``
    (its working directory), under a new temporary folder removed by ``close``."""

    def __init__(self, root: str | None = None) -> None:
        self.root = tempfile.mkdtemp(prefix="program-") if root is None else root
        os.makedirs(self.root, exist_ok=True)
        self.build = os.path.join(self.root, "build")
        self.run = os.path.join(self.root, "run")
        os.mkdir(self.build)
        os.mkdir(self.run)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclasses.dataclass(frozen=True)
class Built:
    """A program ready to run, or why it is not (``compile_error``)."""

    argv: tuple[str, ...] = ()
    compile_error: str | None = None


def build(language: Language, name: str, code: str, workspace: Workspace, memory_mb: int, python: str = sys.executable) -> Built:
    """Write the source and compile it (once), as the language's row says; the run command for tests of ``memory_mb``."""
    main = java_main_class(code) if name == "java" else "Main"
    source = os.path.join(workspace.build, language.source.format(main=main))
    binary = os.path.join(workspace.build, "program")
    with open(source, "w", encoding="utf-8") as handle:
        handle.write(code)
    fields = {"source": source, "binary": binary, "dir": workspace.build, "main": main, "python": python, "memory_mb": memory_mb}
    if language.compile:
        argv = _resolve([part.format(**fields) for part in language.compile], name)
        limits = TestLimits(language.compile_seconds, language.compile_seconds, language.compile_memory_mb, 64 << 20, "data", stack=False)
        confinement = Confinement([], workspace.build)
        try:
            execution = run_direct(argv, program_env(language, workspace.build, workspace.build), workspace.build, b"", limits, confinement)
        finally:
            confinement.close()
        if execution.exit_code == 127 and execution.stderr_text().startswith(f"cannot run {argv[0]}: "):  # spawn's exec failed
            raise LanguageUnavailable(f"{name}: the compiler cannot run in the sandbox ({execution.stderr_text().strip()}); install it where the sandbox can read it, or pin another language")
        if execution.timed_out or execution.status is None or execution.exit_code != 0:
            why = "the compiler ran out of time" if execution.timed_out else execution.stderr_text().strip() or execution.stdout.decode("utf-8", "replace").strip() or f"exit status {execution.status}"
            return Built(compile_error=why[:4000])
        if os.path.exists(binary):
            _make_executable(binary)
    return Built(argv=tuple(_resolve([part.format(**fields) for part in language.run], name)))


def _make_executable(path: str) -> None:
    """Give a compiled binary its execute bits by copying it into a file created 0755: in the sandbox chmod
    succeeds without effect, so a linker's own chmod +x does nothing."""
    if os.access(path, os.X_OK):
        return
    fresh = f"{path}.x"
    with open(path, "rb") as source, open(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755), "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    os.replace(fresh, path)


def _resolve(argv: list[str], language: str) -> list[str]:
    program = find_program(argv[0])
    if program is None:
        raise LanguageUnavailable(f"{language}: {argv[0]!r} is not installed here (not found on PATH); install it or pin another language")
    return [program, *argv[1:]]


def run_direct(
    argv: Sequence[str], env: dict[str, str], cwd: str, stdin: bytes, limits: TestLimits, confinement: Confinement, keep: frozenset[int] = frozenset()
) -> Execution:
    """One process from exec to end: stdin in, outputs out, its wait status and rusage. Its session is killed
    after it; in the call's own PID namespace so is every other child of the judge but ``keep``."""
    exchange = _Exchange(stdin, limits)
    pid = spawn(argv, env, cwd, exchange.child_fds(), limits.as_rlimits(), confinement)
    exchange.close_child_ends()
    pidfd = os.pidfd_open(pid)
    reaped: list[tuple[int, float, int]] = []

    def wait_end() -> tuple[int, float, int]:
        if not reaped:
            _, status, usage = os.wait4(pid, 0)
            reaped.append((status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss))
        return reaped[0]

    try:
        return exchange.run(pidfd, wait_end, lambda: _kill_group(pid))
    finally:
        _kill_group(pid)  # what it started in its session
        if not reaped:
            wait_end()
        os.close(pidfd)
        if os.getpid() == 1:  # the judge is its call's init: what left the session (a daemon) came back here
            pyharness.kill_children(keep)


def _site_dirs() -> list[str]:
    """The judge's import path beyond the standard library: what a program may import (numpy, say)."""
    import sysconfig

    stdlib = {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib")}
    return [folder for folder in sys.path if folder and os.path.isdir(folder) and folder not in stdlib and "lib-dynload" not in folder and not folder.endswith(".zip")]


class PythonServer:
    """A per-completion fork server holding the program (``pyharness.py``): a test costs a fork, not an interpreter."""

    def __init__(self, source: str, workspace: Workspace, env: dict[str, str], confinement: Confinement, python: str = sys.executable) -> None:
        self.source, self.workspace, self.env, self.confinement, self.python = source, workspace, env, confinement, python
        self.process: int | None = None
        self.control: socket.socket | None = None
        self.compile_error: str | None = None

    def start(self, timeout: float = 30.0) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        null = os.open(os.devnull, os.O_RDWR)
        try:
            argv = [self.python, "-S", "-s", HARNESS, "3", self.source, os.pathsep.join(_site_dirs())]
            self.process = spawn(argv, self.env, self.workspace.run, [null, null, null, theirs.fileno()], {}, self.confinement)
        finally:
            theirs.close()
            os.close(null)
        self.control = ours
        message = self._receive(timeout)
        if message is None:
            self.close()
            self.compile_error = f"the program did not compile (and import what it imports) within {timeout:g} s"
            return
        self.compile_error = message.get("compile_error")

    def _receive(self, timeout: float) -> dict | None:
        assert self.control is not None
        self.control.settimeout(timeout)
        try:
            data = self.control.recv(1 << 16)
        except (OSError, socket.timeout):
            return None
        return json.loads(data) if data else None

    def run(self, mode: str, stdin: bytes, limits: TestLimits, function: str | None = None, requests: bytes = b"") -> Execution:
        """One test in a fork of the server; restarts the server first if a test killed it."""
        if self.process is None or self.control is None:
            self.start()
        assert self.control is not None
        exchange = _Exchange(stdin, limits, result=mode != "stdio")
        request = {"op": "run", "mode": mode, "function": function, "limits": limits.as_rlimits()}
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], exchange.child_fds())
        except OSError:
            self.close()
            raise ProgramError("the Python program runner is gone") from None
        finally:
            exchange.close_child_ends()
        started = self._receive(30.0)
        if started is None or "started" not in started:
            if started is None or "fork_failed" not in started:
                self.close()
            return Execution(stderr=f"the test process could not be started: {(started or {}).get('fork_failed', 'the runner is gone')}".encode())
        pid = started["started"]
        ended: list[tuple[int, float, int]] = []

        def wait_end() -> tuple[int, float, int]:
            if not ended:
                ended.append(self.ended(30.0))
            return ended[0]

        self.control.setblocking(False)
        try:
            return exchange.run(self.control.fileno(), wait_end, lambda: _kill_group(pid), requests)
        finally:
            if not ended:
                _kill_group(pid)
                wait_end()

    def session(self, limits: TestLimits) -> Session:
        """A test process serving the program's names to test code the judge runs (``serve`` mode)."""
        if self.process is None or self.control is None:
            self.start()
        assert self.control is not None
        requests, results = os.pipe(), os.pipe()
        outputs = [os.memfd_create("stdout"), os.memfd_create("stderr")]
        null = os.open(os.devnull, os.O_RDONLY)
        request = {"op": "run", "mode": "serve", "limits": limits.as_rlimits()}
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], [null, *outputs, requests[0], results[1]])
        except OSError:
            self.close()
            raise ProgramError("the Python program runner is gone") from None
        finally:
            for fd in (null, requests[0], results[1]):
                os.close(fd)
        started = self._receive(30.0)
        if started is None or "started" not in started:
            self.close()
            raise ProgramError("the Python program runner did not start a test")
        return Session(self, started["started"], requests[1], results[0], outputs, time.monotonic() + limits.wall_limit)

    def ended(self, timeout: float) -> tuple[int, float, int]:
        """The report of the test process that just ended: its wait status, CPU seconds and peak memory (KiB)."""
        message = self._receive(timeout)
        if message is None or "exit" not in message:
            self.close()  # the server died with its test (a program that killed it): the next test starts a new one
            return signal.SIGKILL, 0.0, 0
        return message["exit"], float(message["cpu"]), int(message["maxrss_kb"])

    def close(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None:
            _kill_group(self.process)
            try:
                os.waitpid(self.process, 0)
            except ChildProcessError:
                pass
            self.process = None


class SessionEnded(Exception):
    """The serving test process ended (a crash, a limit) or missed its deadline; ``timed_out`` says which."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class Session:
    """The judge's side of a ``serve`` test process: one request out, one answer back, each by the deadline."""

    def __init__(self, server: PythonServer, pid: int, requests: int, results: int, outputs: list[int], deadline: float) -> None:
        self.server, self.pid, self.requests, self.outputs, self.deadline = server, pid, requests, outputs, deadline
        self.results = os.fdopen(results, "rb")
        self.status: tuple[int, float, int] | None = None
        first = self._answer()
        if "error" in first:
            raise SessionEnded(f"the program failed to load: {first['error']}")

    def ask(self, request: dict) -> dict:
        try:
            pyharness.send(self.requests, pyharness.encode(request))
        except OSError:
            raise SessionEnded("the program's process is gone") from None
        return self._answer()

    def _answer(self) -> dict:
        remaining = self.deadline - time.monotonic()
        selector = selectors.DefaultSelector()
        selector.register(self.results, selectors.EVENT_READ)
        try:
            ready = remaining > 0 and selector.select(remaining)
        finally:
            selector.close()
        if not ready:
            _kill_group(self.pid)
            raise SessionEnded("the test took longer than its time limit", timed_out=True)
        line = self.results.readline()
        if not line:
            raise SessionEnded("the program's process ended")
        return json.loads(line)

    def end(self) -> Execution:
        """Stop the process (it ends when its requests close), and say how it ran."""
        os.close(self.requests)
        self.results.close()
        remaining = max(0.1, min(5.0, self.deadline - time.monotonic()))
        status = self.server.ended(remaining) if self.server.control is not None else (signal.SIGKILL, 0.0, 0)
        _kill_group(self.pid)
        execution = Execution(status=status[0], cpu=status[1], maxrss_kb=status[2])
        execution.stdout, execution.stderr = (os.pread(fd, _STDERR_KEPT, 0) for fd in self.outputs)
        for fd in self.outputs:
            os.close(fd)
        return execution
