"""The zygote's children: how it forks a call process, what a reward's import left that a fork cannot share,
and ending and reaping what calls started. Stdlib only: the zygote imports this module."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time

from .isolation import linux


class AtForkRecorder:
    """Which modules register at-fork callbacks while the reward loads and warms up.

    A fork may skip the callbacks only if they are the standard library's lock and
    state resets, which have nothing to repair in a process with one thread; a
    library's own (torch, grpc, asyncio's loop reset, ...) must run.
    """

    LOCK_RESETS = frozenset({"threading", "random", "logging", "concurrent.futures.thread"})

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self.register = os.register_at_fork
        os.register_at_fork = self._record

    def _record(self, **callbacks) -> None:
        self.modules.add(sys._getframe(1).f_globals.get("__name__", "?"))
        self.register(**callbacks)

    def only_lock_resets(self) -> bool:
        os.register_at_fork = self.register
        return self.modules <= self.LOCK_RESETS


class ImportTrace:
    """What importing the reward left that a forked call cannot share: pipes or sockets (a process pool's
    queues) and processes (its workers). A call process forked after such an import would send work down
    the same pipes as every other call, or wait on workers that are not its own; such a reward is loaded
    again in each call process instead (``Zygote.reload``). Threads alone are not such a trace: a fork
    keeps only the calling thread, as Python's own ``os.fork`` does."""

    def __init__(self) -> None:
        self.fds = set(open_fds())

    def fork_unsafe(self) -> str | None:
        made = []
        channels = [fd for fd in open_fds() if fd not in self.fds and is_channel(fd)]
        if channels:
            made.append(f"{len(channels)} pipes or sockets")
        if orphans_of(os.getpid()):
            made.append("processes")
        return f"its import made {' and '.join(made)}, which forked calls cannot share" if made else None


def open_fds() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return []


def is_channel(fd: int) -> bool:
    """A pipe, a socket or an anonymous inode (eventfd, epoll): what processes talk over."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_IFMT(mode) == 0


def choose_fork(pid_namespace: bool, may_skip_hooks: bool):
    """How the zygote forks a call process, and whether that skips Python's at-fork callbacks.

    With one thread it skips them (``linux.Forker``); a reward module that leaves a
    thread running after import gets ``os.fork``'s full treatment (threading marks
    the lost threads as stopped in the child), and so does one whose libraries
    registered callbacks of their own (``AtForkRecorder``). A fork of our own that fixes glibc's
    cached thread id is checked once; where that check fails, the hooks and libc's
    fork are used without a PID namespace, as before.
    """
    if not linux.IS_LINUX:
        return os.fork, False
    bare = may_skip_hooks and linux.bare_fork_supported() and linux.thread_count() == 1
    if pid_namespace or bare:
        forker = linux.Forker(pid_namespace, hooks=not bare)
        try:
            checked = forker.settid and forker.child_can_signal_its_main_thread()
        except OSError:
            checked = False
        if checked:
            return forker.fork, bare
        if pid_namespace:  # the namespace matters more than a stale thread id (signals from the call's own threads)
            return linux.Forker(True, hooks=True, settid=False).fork, False
    return os.fork, False


def close_all_but(*keep: int) -> None:
    """Close every descriptor from 3 up, except ``keep``."""
    low = 3
    for fd in sorted(keep):
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, 1 << 16)


def end_children(seconds: float = 2.0) -> None:
    """Kill and reap every process under the zygote (it is their subreaper), until none is left or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = orphans_of(os.getpid())
        if not children:
            return
        for pid in children:
            for kill in (os.kill, os.killpg):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return
        time.sleep(0.002)


def orphans_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
