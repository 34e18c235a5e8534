"""Plain helpers for the sandbox tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import select
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from rewardbox.graders import Grader

HOSTILE = Path(__file__).parent / "graders" / "runtime" / "hostile"
SECRET = "sk-test-secret"
SECRET_VARIABLES = ("TINKER_API_KEY", "OPENAI_API_KEY", "HF_TOKEN", "AWS_SECRET_ACCESS_KEY")
IS_LINUX_ROOT = sys.platform.startswith("linux") and os.geteuid() == 0


def hostile(name: str) -> str:
    """The path of the hostile reward module ``tests/graders/runtime/hostile/<name>.py``."""
    path = HOSTILE / f"{name}.py"
    assert path.is_file(), path
    return str(path)


def unique_tag() -> str:
    """A process name (``/proc/PID/comm``, at most 15 bytes) no other process on the host uses."""
    return "rk" + uuid.uuid4().hex[:12]


# ---- processes ---------------------------------------------------------------------------


def process_table() -> dict[int, tuple[int, str, str]]:
    """Every process on the host: pid -> (ppid, comm, state), read from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        open_paren, close_paren = data.find(b"("), data.rfind(b")")
        fields = data[close_paren + 2 :].split()
        if open_paren < 0 or close_paren < 0 or len(fields) < 2:
            continue
        comm = data[open_paren + 1 : close_paren].decode("utf-8", "replace")
        table[int(entry)] = (int(fields[1]), comm, fields[0].decode())
    return table


def descendants(root: int | None = None, table: dict[int, tuple[int, str, str]] | None = None) -> set[int]:
    """Live (non-zombie) descendants of ``root`` (default: this test process), in ``table`` (default: read now)."""
    root = os.getpid() if root is None else root
    table = process_table() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return {pid for pid in found if table.get(pid, (0, "", "Z"))[2] != "Z"}


def processes_named(tag: str) -> set[int]:
    """Live processes anywhere on the host whose name is ``tag``."""
    return {pid for pid, (_, comm, state) in process_table().items() if comm == tag and state != "Z"}


def wait_for(predicate: Callable[[], object], timeout: float = 2.0, interval: float = 0.02):
    """Poll ``predicate`` until it returns something truthy or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def zygote_pid(grader: Grader) -> int:
    return grader._manager.sandbox.process.pid


def sandbox_temp_dir(grader: Grader) -> str:
    return grader._manager.sandbox.temp_dir


def kill_quietly(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass



class LoopbackServer:
    """A TCP server (answers HTTP) and a UDP socket on 127.0.0.1 that count what reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp_port = self.udp.getsockname()[1]
        self.connections = 0
        self.datagrams = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="loopback-server", daemon=True)
        self._thread.start()

    @property
    def ports(self) -> dict[str, int]:
        return {"tcp": self.tcp_port, "udp": self.udp_port, "http": self.tcp_port}

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self.tcp, self.udp], [], [], 0.05)
            for sock in readable:
                if sock is self.udp:
                    self.udp.recvfrom(65536)
                    self.datagrams += 1
                    continue
                connection, _ = self.tcp.accept()
                self.connections += 1
                connection.settimeout(0.5)
                try:
                    connection.recv(65536)
                    connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                except OSError:
                    pass
                finally:
                    connection.close()

    def settle(self, seconds: float = 0.3) -> None:
        """Give late packets time to arrive before the counts are read."""
        time.sleep(seconds)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.tcp.close()
        self.udp.close()


def run_bounded(function: Callable[[], object], timeout: float) -> tuple[bool, object]:
    """Run ``function`` in a daemon thread; return (finished in time, its result or exception)."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(function())
        except BaseException as exc:  # noqa: BLE001 - the caller inspects whatever came out
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    return (not thread.is_alive(), outcome[0] if outcome else None)
