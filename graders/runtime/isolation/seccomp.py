"""Syscall filters (seccomp-bpf through libseccomp, via pyseccomp).

Two filters stack: the zygote's, loaded before user code is imported, and the
call filter each call process adds, which forbids new namespaces and, where a
call's processes cannot be bounded, new processes. Exec is allowed: what a
process may run is what Landlock lets it read, and an exec'd program keeps every
layer (namespaces, rlimits, Landlock, these filters, no_new_privs). Denied calls
fail with EPERM (ENOSYS for clone3, so that libc falls back to clone), which user
code sees as an ordinary OSError; a change of a file's mode succeeds without effect.
"""

from __future__ import annotations

import errno
import socket

from .linux import CLONE_NEW_FLAGS, CLONE_THREAD

_DENIED_EVERYWHERE = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "setns", "bpf", "keyctl", "add_key",
    "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "perf_event_open", "userfaultfd", "open_by_handle_at",
    "name_to_handle_at", "swapon", "swapoff", "reboot", "acct", "quotactl",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "fsopen", "fsmount",
    "move_mount", "open_tree", "fanotify_init", "iopl", "ioperm",
    # file metadata: Landlock does not cover these, and a uid-0 call owns root's files (a user's call, the user's)
    "chown", "fchown", "lchown", "fchownat", "utime", "utimes", "utimensat", "futimesat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
)
# A file's mode, for the same reason; it succeeds without effect, so that tools setting the mode of their own
# files go on (multiprocessing's forkserver chmods its socket; linkers add +x, which the code judge gets by
# creating binaries 0755).
_IGNORED_EVERYWHERE = ("chmod", "fchmod", "fchmodat", "fchmodat2")
_DENIED_IN_CALLS = ("unshare",)
_PROCESS_CALLS = ("fork", "vfork")


_SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}  # what pyseccomp looks up, by their usual sonames


def load_library() -> None:
    """Import pyseccomp (it finds and loads libseccomp); raises ImportError or RuntimeError.

    pyseccomp finds libc and libseccomp with ``ctypes.util.find_library``, which runs ``ldconfig -p``
    once per name (~5 ms of the zygote's start, on the path of every grader). While it is imported,
    a name whose usual soname the dynamic loader opens is answered with that soname; anything else
    goes to ``find_library`` as before."""
    import ctypes
    import ctypes.util

    find_library = ctypes.util.find_library

    def known_first(name: str) -> str | None:
        soname = _SONAMES.get(name)
        if soname is not None:
            try:
                ctypes.CDLL(soname)
                return soname
            except OSError:
                pass
        return find_library(name)

    ctypes.util.find_library = known_first
    try:
        import pyseccomp  # noqa: F401
    finally:
        ctypes.util.find_library = find_library


def _new_filter():
    import pyseccomp

    return pyseccomp, pyseccomp.SyscallFilter(pyseccomp.ALLOW)


def _deny(seccomp, flt, name: str, *args, error: int = errno.EPERM) -> None:
    try:
        flt.add_rule(seccomp.ERRNO(error), name, *args)
    except (OSError, ValueError, RuntimeError):
        pass  # syscall unknown on this architecture


def zygote_filter():
    """Deny non-unix sockets, ptrace, mounts and kernel-facing calls; allow fork (calls are cloned into PID namespaces) and exec."""
    seccomp, flt = _new_filter()
    for name in ("socket", "socketpair"):
        _deny(seccomp, flt, name, seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    for name in _DENIED_EVERYWHERE:
        _deny(seccomp, flt, name)
    for name in _IGNORED_EVERYWHERE:
        _deny(seccomp, flt, name, error=0)
    return flt


def call_filter(processes: bool):
    """Added in each call process: no new namespaces; no new processes unless ``processes`` (threads stay allowed).

    ``processes`` only where the zygote bounds what a call may start (``layers.ProcessPolicy``)."""
    seccomp, flt = _new_filter()
    if processes:
        for flag in CLONE_NEW_FLAGS:
            _deny(seccomp, flt, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    else:
        _deny(seccomp, flt, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        for name in _PROCESS_CALLS:
            _deny(seccomp, flt, name)
    flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # its flags live in memory seccomp cannot read: libc falls back to clone
    for name in _DENIED_IN_CALLS:
        _deny(seccomp, flt, name)
    return flt


def compile_bpf(flt) -> bytes:
    """The filter as the raw BPF program the kernel loads (``linux.SeccompProgram`` installs it)."""
    import io
    import os

    fd = os.memfd_create("seccomp-bpf")
    try:
        with io.FileIO(fd, "w", closefd=False) as out:
            flt.export_bpf(out)
        return os.pread(fd, 1 << 20, 0)
    finally:
        os.close(fd)
