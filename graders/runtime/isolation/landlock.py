"""Landlock (Linux >= 5.13) through raw syscalls: filesystem, TCP and scope rules.

The PyPI ``landlock`` package covers filesystem rules only; TCP rules (ABI 4)
and signal/abstract-socket scoping (ABI 6) need the raw interface.
"""

from __future__ import annotations

import ctypes
import os

from .linux import _check, _libc

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13
TRUNCATE = 1 << 14
IOCTL_DEV = 1 << 15

NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

READ_ACCESS = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file (not a directory) may carry
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The Landlock ABI the kernel offers, 0 when Landlock is unavailable."""
    if _libc is None:
        return 0
    result = _libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(result, 0)


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI[max(k for k in _FS_BY_ABI if k <= abi)]


def restrict(read_paths: list[str], write_paths: list[str]) -> int:
    """Confine this process: read-only beneath ``read_paths``, full access beneath ``write_paths``.

    On ABI >= 4 TCP bind and connect are denied; on ABI >= 6 signals and abstract
    unix sockets are scoped to the domain. Returns the ABI applied; raises OSError.
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(38, "Landlock is not available in this kernel")
    attr = _RulesetAttr(_fs_rights(abi), NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    return _apply(abi, attr, read_paths, write_paths)


class WriteConfinement:
    """``restrict_writes`` for one new directory per call, with everything but the directory prepared once.

    Built in the zygote: the ruleset attributes and an O_PATH descriptor of each
    fixed path (``/dev/null``); a call process then makes five system calls.
    """

    def __init__(self, fixed_paths: list[str]) -> None:
        self.abi = abi_version()
        if self.abi < 1:
            raise OSError(38, "Landlock is not available in this kernel")
        # signals and abstract unix sockets scoped too (ABI 6): nothing a call starts reaches a process outside it
        self.attr = _RulesetAttr(_fs_rights(self.abi) & ~READ_ACCESS, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if self.abi >= 6 else 0)
        self.attr_ref, self.size = ctypes.byref(self.attr), ctypes.c_size_t(_attr_size(self.abi))
        file_rights = self.attr.handled_access_fs & FILE_RIGHTS
        self.fixed = []
        for path in fixed_paths:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            rights = self.attr.handled_access_fs if os.path.isdir(path) else file_rights
            self.fixed.append((fd, _PathBeneathAttr(rights, fd)))
        self.directory = _PathBeneathAttr(self.attr.handled_access_fs, -1)
        self.args = {name: ctypes.c_int(value) for name, value in (("create", _SYS_CREATE_RULESET), ("add", _SYS_ADD_RULE), ("restrict", _SYS_RESTRICT_SELF), ("beneath", _RULE_PATH_BENEATH))}

    def descriptors(self) -> list[int]:
        """The descriptors this keeps open (a call process must not close them before ``apply``)."""
        return [fd for fd, _ in self.fixed]

    def apply(self, directory: str) -> None:
        """Allow writes beneath ``directory`` (and the fixed paths) only, from now on, in this process."""
        syscall, args, zero = _libc.syscall, self.args, ctypes.c_uint32(0)
        ruleset = _check(syscall(args["create"], self.attr_ref, self.size, zero), "landlock_create_ruleset")
        handle = ctypes.c_int(ruleset)
        try:
            fd = os.open(directory, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
            try:
                self.directory.parent_fd = fd
                for rule in [self.directory] + [rule for _, rule in self.fixed]:
                    _check(syscall(args["add"], handle, args["beneath"], ctypes.byref(rule), zero), "landlock_add_rule")
            finally:
                os.close(fd)
            _check(syscall(args["restrict"], handle, zero), "landlock_restrict_self")
        finally:
            os.close(ruleset)


class Ruleset:
    """A whole Landlock layer built once and applied by each process that needs it (after fork, before exec):
    read-only beneath ``read_paths``, full access beneath ``write_paths``, signals and abstract unix sockets
    scoped to the layer (ABI 6). The program processes of the code judge get one each."""

    def __init__(self, read_paths: list[str], write_paths: list[str]) -> None:
        abi = abi_version()
        if abi < 1:
            raise OSError(38, "Landlock is not available in this kernel")
        attr = _RulesetAttr(_fs_rights(abi), NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
        self.fd = _check(_libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(_attr_size(abi)), ctypes.c_uint32(0)), "landlock_create_ruleset")
        try:
            for paths, rights in ((read_paths, READ_ACCESS), (write_paths, attr.handled_access_fs)):
                for path in paths:
                    _add_path_rule(self.fd, path, rights & attr.handled_access_fs)
        except BaseException:
            os.close(self.fd)
            raise

    def apply(self) -> None:
        """Confine this process (it must have no_new_privs); its children inherit the layer."""
        _check(_libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(self.fd), ctypes.c_uint32(0)), "landlock_restrict_self")

    def close(self) -> None:
        os.close(self.fd)


def _attr_size(abi: int) -> int:
    """sizeof the ruleset attributes the kernel expects: the net field came with ABI 4, scoped with ABI 6."""
    return 24 if abi >= 6 else 16 if abi >= 4 else 8


def _apply(abi: int, attr: _RulesetAttr, read_paths: list[str], write_paths: list[str]) -> int:
    handled_fs = attr.handled_access_fs
    size = ctypes.c_size_t(_attr_size(abi))
    ruleset = _check(_libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), size, ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for paths, rights in ((read_paths, READ_ACCESS), (write_paths, handled_fs)):
            for path in paths:
                _add_path_rule(ruleset, path, rights & handled_fs)
        _check(_libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not os.path.isdir(path):  # files only take file rights
            rights &= FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        args = (ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0))
        _check(_libc.syscall(_SYS_ADD_RULE, *args), f"landlock_add_rule({path})")
    finally:
        os.close(fd)
