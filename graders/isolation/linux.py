"""prctl, unshare and capabilities through libc (ctypes): the small calls the stdlib lacks."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
CAP_SETGID = 6
CAP_SETUID = 7
CAP_SETPCAP = 8
CAP_SYS_ADMIN = 21

IS_LINUX = sys.platform.startswith("linux")
_libc = ctypes.CDLL(None, use_errno=True) if IS_LINUX else None


def _check(result: int, what: str) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    """prctl(2); raises OSError on failure."""
    if _libc is None:
        raise OSError(38, "prctl: not Linux")
    args = (ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4), ctypes.c_ulong(arg5))
    return _check(_libc.prctl(ctypes.c_int(option), *args), f"prctl({option})")


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies; exit at once if the parent is already gone."""
    parent = os.getppid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def set_no_new_privs() -> None:
    """No exec'd program can gain privileges (setuid bits, file capabilities)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def unshare(flags: int) -> None:
    """unshare(2) for the given CLONE_NEW* flags."""
    if _libc is None:
        raise OSError(38, "unshare: not Linux")
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def enter_user_namespace() -> None:
    """Enter a new user namespace in which this process keeps its own uid and gid."""
    uid, gid = os.getuid(), os.getgid()
    unshare(CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except OSError:
        return 40


def limit_capabilities(keep: frozenset[int] = frozenset(), *, bounding: bool = True) -> None:
    """Drop every capability not in ``keep`` from the effective, permitted and inheritable sets,
    and (``bounding``, which needs CAP_SETPCAP) from the bounding and ambient sets."""
    if _libc is None:
        raise OSError(38, "capset: not Linux")
    for cap in range(last_capability() + 1) if bounding else ():
        if cap not in keep:
            try:
                prctl(PR_CAPBSET_DROP, cap)
            except OSError as exc:
                if exc.errno != 22:  # EINVAL: capability unknown to this kernel
                    raise
    try:
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass
    mask = [0, 0]
    for cap in keep:
        mask[cap // 32] |= 1 << (cap % 32)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(*(_CapData(m, m, 0) for m in mask))
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def effective_capabilities() -> int:
    """The CapEff mask of this process, from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


_SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(os.uname().machine) if IS_LINUX else None
_pythonapi = ctypes.pythonapi
_libc_gil = ctypes.PyDLL(None, use_errno=True) if IS_LINUX else None  # keeps the GIL across the call, as os.fork does


def fork_into_pid_namespace() -> int:
    """Fork a child that is init (pid 1) of a new PID namespace, in one clone(2); returns as os.fork does.

    Killing that child kills every process it started, setsid daemons included.
    Python's fork hooks run exactly as in ``os.fork``.
    """
    if _SYS_CLONE is None or _libc_gil is None:
        raise OSError(38, "clone: unsupported platform")
    _pythonapi.PyOS_BeforeFork()
    pid = _libc_gil.syscall(ctypes.c_long(_SYS_CLONE), ctypes.c_ulong(CLONE_NEWPID | signal.SIGCHLD), None, None, None, None)
    if pid == 0:
        _pythonapi.PyOS_AfterFork_Child()
        return 0
    error = ctypes.get_errno()
    _pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(error, f"clone(CLONE_NEWPID): {os.strerror(error)}")
    return pid
