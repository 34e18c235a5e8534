"""The Python program runner: a fork server that holds the model's program and nothing of the judge.

The judge starts it once per completion, as a fresh interpreter (``python -S -s
pyharness.py CONTROL_FD SOURCE SITE_DIRS``) already confined to the program's own
directory, so nothing the judge knows (the expected outputs, the tests) is in
its memory or within its reach. It compiles the program, imports the modules
the program imports (library code, not the program), then serves one request at
a time over its control socket::

    judge ──{"op": "run", "mode", "limits"} + the test's pipes (SCM_RIGHTS)──▶ server ──fork──▶ test process
      ▲                                                                            │ (stdin, stdout, stderr,
      └─────────────── {"started": pid}, then {"exit": status, "cpu", "maxrss"} ◀──┘  requests, results)

A test process runs the program as ``__main__`` on its stdin (``stdio``),
calls one function with arguments read from its requests pipe and writes the
return value as JSON (``call``), or answers requests for the program's names
from test code the judge runs (``serve``). Values leave as JSON of plain types,
checked by exact type: an object whose ``__eq__`` lies, or a ``str`` subclass,
is not plain data. The judge compares; nothing here knows what is expected.

Stdlib only, and no import of rewardbox: the judge reads this file as a script. It starts
without ``site`` (whose .pth hooks cost tens of milliseconds) and puts the judge's
site-packages folders on ``sys.path`` itself; modules it needs only when a test
fails (traceback) are imported then, in that test's process.
"""

from __future__ import annotations

import binascii
import builtins
import ctypes
import importlib
import io
import json
import os
import resource
import signal
import socket
import sys
import threading
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable

MAX_MESSAGE = 1 << 16
MAX_ITEMS = 100_000  # of an iterable the judge's test code materialises
_EXACT_PLAIN = (bool, int, float, str, type(None))
REQUESTS_FD, RESULTS_FD = 3, 4


class NotPlain(Exception):
    """A value that is not plain JSON data (a class instance, a subclass of str, a set)."""


def plain(value: object, depth: int = 0) -> object:
    """``value`` as JSON-ready data, by exact type (tuples as lists; numpy scalars and arrays through item/tolist)."""
    if depth > 200:
        raise NotPlain("nested too deeply")
    kind = type(value)
    if kind in _EXACT_PLAIN:
        return value
    if kind is list or kind is tuple:
        return [plain(item, depth + 1) for item in value]  # type: ignore[union-attr]
    if kind is dict:
        out = {}
        for key, item in value.items():  # type: ignore[union-attr]
            if type(key) not in _EXACT_PLAIN:
                raise NotPlain(f"a dict key of type {type(key).__name__}")
            out[key if type(key) is str else json.dumps(key)] = plain(item, depth + 1)
        return out
    if kind.__module__ == "numpy" and hasattr(value, "tolist"):
        return plain(value.tolist(), depth + 1)  # type: ignore[union-attr]
    raise NotPlain(f"a {kind.__module__}.{kind.__qualname__}"[:120])


def encode(value: object) -> bytes:
    return json.dumps(value, allow_nan=True, separators=(",", ":")).encode() + b"\n"


def send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# Values between the judge's test code and the program keep their builtin types (a tuple stays a tuple,
# so ``assert f(x) == (1, 2)`` means what it says): tuples, sets, frozensets, bytes and dicts with
# keys other than strings are tagged; anything else of the program's is a handle the judge can only
# call, read attributes of or iterate, by request.
_TAGS = ("__tuple__", "__set__", "__frozenset__", "__bytes__", "__dict__", "__handle__")


def to_wire(value: object, handle: Callable[[object], int] | None = None, depth: int = 0) -> object:
    """A value as JSON with its builtin types tagged; ``handle`` numbers what is not builtin data (else NotPlain)."""
    if depth > 200:
        raise NotPlain("nested too deeply")
    kind = type(value)
    if kind in _EXACT_PLAIN:
        return value
    if kind is list:
        return [to_wire(item, handle, depth + 1) for item in value]  # type: ignore[union-attr]
    if kind is tuple or kind is set or kind is frozenset:
        items = [to_wire(item, handle, depth + 1) for item in value]  # type: ignore[union-attr]
        return {f"__{kind.__name__}__": items}
    if kind is bytes:
        return {"__bytes__": binascii.b2a_base64(value, newline=False).decode()}  # type: ignore[arg-type]
    if kind is dict:
        if all(type(key) is str for key in value) and not (len(value) == 1 and next(iter(value)) in _TAGS):  # type: ignore[union-attr]
            return {key: to_wire(item, handle, depth + 1) for key, item in value.items()}  # type: ignore[union-attr]
        return {"__dict__": [[to_wire(key, handle, depth + 1), to_wire(item, handle, depth + 1)] for key, item in value.items()]}  # type: ignore[union-attr]
    if handle is None:
        raise NotPlain(f"a {kind.__module__}.{kind.__qualname__}"[:120])
    return {"__handle__": handle(value)}


def from_wire(value: object, resolve: Callable[[int], object]) -> object:
    """The value ``to_wire`` made, with builtin types back and each handle given to ``resolve``."""
    if isinstance(value, list):
        return [from_wire(item, resolve) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "__handle__":
            return resolve(inner)
        if tag == "__bytes__":
            return binascii.a2b_base64(inner)
        if tag == "__dict__":
            return {from_wire(key, resolve): from_wire(item, resolve) for key, item in inner}
        if tag in ("__tuple__", "__set__", "__frozenset__"):
            items = [from_wire(item, resolve) for item in inner]
            return tuple(items) if tag == "__tuple__" else set(items) if tag == "__set__" else frozenset(items)
    return {key: from_wire(item, resolve) for key, item in value.items()}


# ---- the test process ------------------------------------------------------------------------------------


class _Quitter:
    """``exit`` and ``quit`` as ``site`` defines them (the runner starts without ``site``): a program may call them."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Use {self.name}() or Ctrl-D (i.e. EOF) to exit"

    def __call__(self, code: object = None) -> None:
        raise SystemExit(code)


builtins.exit, builtins.quit = _Quitter("exit"), _Quitter("quit")  # type: ignore[attr-defined]


def _streams() -> None:
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", errors="replace")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16), encoding="utf-8", errors="replace")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", write_through=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


def _finish(status: int) -> None:
    """End as the interpreter would: wait for non-daemon threads, flush, exit with ``status``."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
    except BaseException:  # noqa: BLE001
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - a closed or broken stream loses what it held, as in a plain run
            pass
    os._exit(status)


def _print_exc() -> None:
    import traceback

    traceback.print_exc()


def _exit_status(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _module(code: object, name: str, path: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(code, module.__dict__)  # noqa: S102 - the program under test, in its own confined process
    return module


def _callable(module: types.ModuleType, name: str) -> object:
    """``name`` at the top level, else a method of ``Solution``, else of any class the program defines."""
    found = getattr(module, name, None)
    if callable(found) and not isinstance(found, type):
        return found
    classes = [value for value in vars(module).values() if isinstance(value, type) and value.__module__ == module.__name__]
    classes.sort(key=lambda cls: cls.__name__ != "Solution")
    for cls in classes:
        if callable(getattr(cls, name, None)):
            return getattr(cls(), name)
    if isinstance(found, type):
        return found
    raise NameError(f"the program defines no function {name!r} (nor a class with that method)")


def run_stdio(code: object, path: str) -> None:
    _streams()
    status = 0
    try:
        exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": builtins})  # noqa: S102
    except SystemExit as exc:
        status = _exit_status(exc)
    except BaseException:  # noqa: BLE001 - an uncaught exception is a runtime error, as in a plain run
        _print_exc()
        status = 1
    _finish(status)


def run_call(code: object, path: str, function: str) -> None:
    _streams()
    with io.FileIO(REQUESTS_FD, "r", closefd=False) as requests:
        args = json.loads(requests.read())
    try:
        target = _callable(_module(code, "solution", path), function)
        answer = {"value": plain(target(*args))}  # type: ignore[operator]
    except NotPlain as exc:
        answer = {"not_plain": str(exc)}
    except SystemExit as exc:
        answer = {"error": f"SystemExit({exc.code!r}) during the call"}
    except BaseException as exc:  # noqa: BLE001
        _print_exc()
        answer = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    send(RESULTS_FD, encode(answer))
    _finish(0)


class _Server:
    """Answers the judge's test code: reads, calls and iteration on the program's objects, by handle."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.objects: list[object] = []

    def handle(self, value: object) -> int:
        self.objects.append(value)
        return len(self.objects) - 1

    def wire(self, value: object) -> object:
        return to_wire(value, self.handle)

    def value(self, data: object) -> object:
        return from_wire(data, self.objects.__getitem__)

    def answer(self, request: dict) -> dict:
        op = request["op"]
        if op == "names":
            return {"value": sorted(name for name in vars(self.module) if not name.startswith("__"))}
        subject = self.module if request.get("of") is None else self.objects[request["of"]]
        if request.get("attr") is not None:
            subject = getattr(subject, request["attr"])
        if op == "get":
            return {"value": self.wire(subject)}
        if op == "call":
            args = [self.value(arg) for arg in request.get("args", [])]
            kwargs = {key: self.value(item) for key, item in request.get("kwargs", {}).items()}
            return {"value": self.wire(subject(*args, **kwargs))}  # type: ignore[operator]
        if op == "items":
            items = []
            for item in subject:  # type: ignore[attr-defined]
                items.append(self.wire(item))
                if len(items) > MAX_ITEMS:
                    raise ValueError(f"more than {MAX_ITEMS} items")
            return {"value": items}
        if op == "len":
            return {"value": len(subject)}  # type: ignore[arg-type]
        if op == "repr":
            return {"value": repr(subject)[:2000]}
        raise ValueError(f"unknown request {op!r}")


def run_serve(code: object, path: str) -> None:
    _streams()
    requests = io.BufferedReader(io.FileIO(REQUESTS_FD, "r", closefd=False))
    try:
        server = _Server(_module(code, "solution", path))
    except BaseException as exc:  # noqa: BLE001
        _print_exc()
        send(RESULTS_FD, encode({"error": f"{type(exc).__name__}: {str(exc)[:500]}"}))
        _finish(1)
    send(RESULTS_FD, encode({"ready": True}))
    for line in requests:
        try:
            answer = server.answer(json.loads(line))
        except SystemExit as exc:
            answer = {"raise": ["SystemExit", repr(exc.code)]}
        except BaseException as exc:  # noqa: BLE001 - the judge's test code sees the exception by name
            answer = {"raise": [type(exc).__name__, str(exc)[:1000]]}
        try:
            data = encode(answer)
        except (TypeError, ValueError) as exc:
            data = encode({"raise": ["TypeError", f"the value cannot be sent: {exc}"]})
        send(RESULTS_FD, data)
    _finish(0)


# ---- the server ------------------------------------------------------------------------------------------


def set_limits(limits: dict) -> None:
    """Per-test limits, set in the test process before the program runs."""
    memory = limits.get("memory_bytes")
    pairs = {
        resource.RLIMIT_CPU: limits.get("cpu_seconds"),
        resource.RLIMIT_AS: memory if limits.get("memory") != "data" else None,
        resource.RLIMIT_DATA: memory if limits.get("memory") == "data" else None,
        resource.RLIMIT_STACK: limits.get("stack_bytes"),
        resource.RLIMIT_FSIZE: limits.get("file_bytes"),
        resource.RLIMIT_CORE: 0,
    }
    for which, value in pairs.items():
        if value is not None:
            soft = value + 1 if which == resource.RLIMIT_CPU else value
            try:
                resource.setrlimit(which, (value, soft) if which == resource.RLIMIT_CPU else (value, value))
            except (OSError, ValueError):
                pass


def _child(message: dict, fds: list[int], code: object, path: str) -> None:
    os.setsid()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    moved = [os.dup(fd) for fd in fds]  # above every number it is given: no descriptor overwrites one not yet placed
    for target, fd in enumerate(moved):
        os.dup2(fd, target)
    os.closerange(len(fds), 1 << 16)
    set_limits(message.get("limits", {}))
    mode = message["mode"]
    if mode == "stdio":
        run_stdio(code, path)
    elif mode == "call":
        run_call(code, path, message["function"])
    else:
        run_serve(code, path)
    os._exit(70)


def children(pid: int | str = "self") -> list[int]:
    """The children of a process as /proc lists them (pids of /proc's namespace)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
    except OSError:
        pass
    return found


def own_pid(proc_pid: int) -> int | None:
    """A process's pid as its own namespace numbers it (``NSpid``'s last field), from its pid in /proc's namespace."""
    try:
        with open(f"/proc/{proc_pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return proc_pid


def kill_children(keep: frozenset[int] = frozenset(), group: int | None = None) -> int:
    """Kill every child of this process not in ``keep`` (pids of our namespace), and the process group ``group``,
    until none is left (a killed process's own children come back here, as this is their subreaper); reap them.
    How many were killed."""
    killed = 0
    for _ in range(1000):
        if group is not None:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                group = None
        found = [pid for pid in map(own_pid, children()) if pid is not None and pid not in keep]
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        if not found and group is None:
            break
    return killed


def _preimport(source: str) -> None:
    """Import, here and once, the modules the program's top level imports (lines that start with ``import`` or
    ``from``): each test process then starts with them loaded, a fork rather than an import of numpy per test.
    Only modules found on the import path are imported; the program's own code runs in the test processes only."""
    for line in source.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("import", "from") and not words[1].startswith("."):
            for name in words[1].split(",") if words[0] == "import" else [words[1]]:
                try:
                    importlib.import_module(name.strip())
                except BaseException:  # noqa: BLE001 - the test process will report it, if the program needs it
                    pass


def serve(control_fd: int, path: str, site_dirs: list[str]) -> None:
    sys.path.extend(folder for folder in site_dirs if folder not in sys.path)
    control = socket.socket(fileno=control_fd)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: what a test process leaves comes back here, to be killed
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: test processes (forks of this one) cannot read each other's memory
    try:
        with open(path, encoding="utf-8", errors="replace") as source_file:
            source = source_file.read()
        code = compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
        detail = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SyntaxError) else f"SyntaxError: {exc.msg} (line {exc.lineno})"
        control.sendall(encode({"compile_error": detail}))
        return
    if hasattr(sys, "set_int_max_str_digits"):  # after compiling: a literal of a million digits takes minutes to parse
        sys.set_int_max_str_digits(0)  # a program may print integers of any size
    _preimport(source)
    sys.stdout.flush()
    control.sendall(encode({"ready": True}))
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 8)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        try:
            pid = os.fork()
        except OSError as exc:  # the call's task budget is spent (what a program left is being killed): report it
            for fd in fds:
                os.close(fd)
            control.sendall(encode({"fork_failed": str(exc)}))
            continue
        if pid == 0:
            try:
                _child(request, fds, code, path)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        control.sendall(encode({"started": pid}))
        _, status, usage = os.wait4(pid, 0)
        leftover = kill_children(group=pid)  # the test process led its own session: its group, then its orphans
        control.sendall(encode({"exit": status, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss, "leftover": leftover}))


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2], sys.argv[3].split(os.pathsep) if len(sys.argv) > 3 else [])
