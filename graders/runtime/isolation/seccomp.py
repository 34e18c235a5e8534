"""Syscall filters (seccomp-bpf through libseccomp, via pyseccomp).

Two filters stack: the zygote's, loaded before user code is imported, and the
call filter each call process adds, which also forbids creating processes and
namespaces. Denied calls fail with EPERM (ENOSYS for clone3, so that libc falls
back to clone for threads), which user code sees as an ordinary OSError.
"""

from __future__ import annotations

import errno
import socket

from .linux import CLONE_THREAD

_DENIED_EVERYWHERE = (
    "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "setns", "bpf", "keyctl", "add_key",
    "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "perf_event_open", "userfaultfd", "open_by_handle_at",
    "name_to_handle_at", "swapon", "swapoff", "reboot", "acct", "quotactl",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "fsopen", "fsmount",
    "move_mount", "open_tree", "fanotify_init", "iopl", "ioperm",
    # metadata: Landlock does not cover these, and a uid-0 call owns root's files
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "utimensat", "futimesat", "setxattr", "lsetxattr", "fsetxattr",
    "removexattr", "lremovexattr", "fremovexattr",
)
_DENIED_IN_CALLS = ("fork", "vfork", "unshare")


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


def _deny(seccomp, flt, name: str, *args) -> None:
    try:
        flt.add_rule(seccomp.ERRNO(errno.EPERM), name, *args)
    except (OSError, ValueError, RuntimeError):
        pass  # syscall unknown on this architecture


def zygote_filter():
    """Deny exec, non-unix sockets, ptrace, mounts and kernel-facing calls; allow fork for the zygote."""
    seccomp, flt = _new_filter()
    for name in ("socket", "socketpair"):
        _deny(seccomp, flt, name, seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    for name in _DENIED_EVERYWHERE:
        _deny(seccomp, flt, name)
    return flt


def call_filter():
    """Added in each call process: no new processes (threads stay allowed) and no new namespaces."""
    seccomp, flt = _new_filter()
    _deny(seccomp, flt, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
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
