"""prctl, unshare and capabilities through libc (ctypes): the small calls the stdlib lacks."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

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
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWTIME = 0x00000080
CLONE_THREAD = 0x00010000
CLONE_NEW_FLAGS = (CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME)
CLONE_CHILD_SETTID = 0x01000000

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
CAP_SETGID = 6
CAP_SETUID = 7
CAP_SETPCAP = 8
CAP_SYS_ADMIN = 21

IS_LINUX = sys.platform.startswith("linux")
_libc = ctypes.CDLL(None, use_errno=True) if IS_LINUX else None
# built once: the call processes run die_with_parent on every fork, and each object they make is a copied page
_NOT_DUMPABLE_ARGS = (ctypes.c_int(PR_SET_DUMPABLE), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
_PDEATHSIG_ARGS = (ctypes.c_int(PR_SET_PDEATHSIG), ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


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
    _check(_libc.prctl(*_PDEATHSIG_ARGS), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def set_not_dumpable() -> None:
    """Other processes of the same uid can no longer open this one's /proc/<pid>/fd, mem or environ, nor ptrace it."""
    _check(_libc.prctl(*_NOT_DUMPABLE_ARGS), "prctl(PR_SET_DUMPABLE)")


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


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2); raises OSError naming the target."""
    if _libc is None:
        raise OSError(38, "mount: not Linux")
    encoded = [value.encode() if value is not None else None for value in (source, target, fstype, data)]
    result = _libc.mount(encoded[0], encoded[1], encoded[2], ctypes.c_ulong(flags), encoded[3])
    _check(result, f"mount({target})")


def set_pid_max(tasks: int | bytes) -> None:
    """Bound the PID numbers, hence the tasks, of this process's PID namespace (Linux 6.14+: each namespace has its
    own ``pid_max``; the least it takes is 301). Needs CAP_SYS_ADMIN over the namespace."""
    fd = os.open("/proc/sys/kernel/pid_max", os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, tasks if isinstance(tasks, bytes) else str(tasks).encode())
    finally:
        os.close(fd)


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
    CapabilitySet(keep).apply()


def effective_capabilities() -> int:
    """The CapEff mask of this process, from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


_MACHINE = os.uname().machine
_SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(_MACHINE) if IS_LINUX else None
_pythonapi = ctypes.pythonapi
_libc_gil = ctypes.PyDLL(None, use_errno=True) if IS_LINUX else None  # keeps the GIL across the call, as os.fork does


def bare_fork_supported() -> bool:
    """Whether a fork may skip Python's at-fork callbacks here: CPython with a GIL, a known clone(2) ABI,
    and a glibc (2.25 or later) that does not cache the pid, which a raw clone would leave stale."""
    import platform
    import sysconfig

    if _SYS_CLONE is None or sys.implementation.name != "cpython" or sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    library, version = platform.libc_ver()
    try:
        return library == "glibc" and tuple(int(part) for part in version.split(".")[:2]) >= (2, 25)
    except ValueError:
        return False


def thread_count() -> int:
    """How many threads this process has, from /proc/self/task."""
    return len(os.listdir("/proc/self/task"))


def cached_tid_address() -> int | None:
    """Where glibc keeps the calling thread's id (``struct pthread``'s tid), found by value; None if not one match.

    A raw clone(2) leaves the child's copy holding the parent's tid, and glibc uses it
    when another thread signals this one (pthread_kill). ``Forker`` has the kernel
    write the child's own tid there (CLONE_CHILD_SETTID), as glibc's fork does.
    """
    if _libc is None:
        return None
    pthread_self = _libc.pthread_self
    pthread_self.restype = ctypes.c_void_p
    base = pthread_self()
    if not base:
        return None
    tid = threading.get_native_id()
    words = (ctypes.c_int32 * 256).from_address(base)  # the first KiB of struct pthread (its tid is at 720 on x86_64)
    found = [index for index, value in enumerate(words) if value == tid]
    return base + 4 * found[0] if len(found) == 1 else None


class Forker:
    """clone(2) for call processes, its arguments built once.

    ``new_pid_namespace``: the child is init (pid 1) of a new PID namespace; killing
    it kills everything it started, setsid daemons included. ``hooks``: run Python's
    fork hooks as ``os.fork`` does. Without them (a process with exactly one thread
    only) the at-fork callbacks are skipped: threading, random and logging re-create
    locks and state in the child, writing to a few hundred pages of the parent's
    heap that the child must then copy (about 0.5 ms per fork here), and with one
    thread there is nothing for them to repair. ``settid``: the kernel writes the
    child's tid into glibc's cached copy (see ``cached_tid_address``).
    """

    def __init__(self, new_pid_namespace: bool, hooks: bool = True, settid: bool = True) -> None:
        if _SYS_CLONE is None or _libc_gil is None:
            raise OSError(38, "clone: unsupported platform")
        flags = signal.SIGCHLD | (CLONE_NEWPID if new_pid_namespace else 0)
        tid_address = cached_tid_address() if settid else None
        child_tid = None
        if tid_address is not None:
            flags |= CLONE_CHILD_SETTID
            child_tid = ctypes.c_void_p(tid_address)
        # clone(flags, stack, parent_tid, child_tid, tls) on x86_64; (flags, stack, parent_tid, tls, child_tid) elsewhere
        tail = (child_tid, None) if _MACHINE == "x86_64" else (None, child_tid)
        self.args = (ctypes.c_long(_SYS_CLONE), ctypes.c_ulong(flags), None, None, *tail)
        self.hooks, self.settid = hooks, tid_address is not None

    def fork(self) -> int:
        """Returns as ``os.fork`` does: 0 in the child, the child's pid in the parent."""
        if self.hooks:
            _pythonapi.PyOS_BeforeFork()
        pid = _libc_gil.syscall(*self.args)
        error = ctypes.get_errno() if pid < 0 else 0
        if self.hooks:
            (_pythonapi.PyOS_AfterFork_Child if pid == 0 else _pythonapi.PyOS_AfterFork_Parent)()
        if pid < 0:
            raise OSError(error, f"clone: {os.strerror(error)}")
        return pid

    def child_can_signal_its_main_thread(self) -> bool:
        """Fork once and check, from a second thread of the child, that pthread_kill reaches the main thread."""
        pid = self.fork()
        if pid == 0:
            code = 1
            try:
                main, failed = threading.main_thread().ident, []

                def poke() -> None:
                    try:
                        signal.pthread_kill(main, 0)
                    except OSError:
                        failed.append(True)

                thread = threading.Thread(target=poke)
                thread.start()
                thread.join()
                code = 1 if failed else 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0


def fork_into_pid_namespace() -> int:
    """Fork a child that is init (pid 1) of a new PID namespace; Python's fork hooks run as in ``os.fork``."""
    return Forker(True).fork()


class CapabilitySet:
    """capset(2) to ``keep`` (effective and permitted, nothing inheritable), its structures built once:
    the zygote builds the empty set and every call process applies it."""

    def __init__(self, keep: frozenset[int] = frozenset()) -> None:
        mask = [0, 0]
        for cap in keep:
            mask[cap // 32] |= 1 << (cap % 32)
        self.header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
        self.data = (_CapData * 2)(*(_CapData(m, m, 0) for m in mask))
        self.header_ref = ctypes.byref(self.header)

    def apply(self) -> None:
        _check(_libc.capset(self.header_ref, self.data), "capset")


PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class SeccompProgram:
    """A compiled seccomp-bpf program, loaded with one prctl(2) per call process.

    libseccomp's ``seccomp_load`` compiles its rule database again on every load
    (about 0.2 ms); the zygote compiles once (``seccomp_export_bpf``) and each call
    only installs the bytes. The caller must already have no_new_privs set.
    """

    def __init__(self, bpf: bytes) -> None:
        count, rest = divmod(len(bpf), ctypes.sizeof(_SockFilter))
        if rest or not 0 < count <= 0xFFFF:
            raise ValueError(f"a BPF program of {len(bpf)} bytes is not a whole number of instructions")
        self.instructions = (_SockFilter * count).from_buffer_copy(bpf)
        self.program = _SockFprog(count, self.instructions)
        self.args = (ctypes.c_int(PR_SET_SECCOMP), ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(self.program), ctypes.c_ulong(0), ctypes.c_ulong(0))

    def load(self) -> None:
        _check(_libc.prctl(*self.args), "prctl(PR_SET_SECCOMP)")
