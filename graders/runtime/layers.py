"""The isolation layers, in order, and what took effect.

Layers are applied in two places: once in the zygote before any user code is
imported (``apply_zygote_layers``), and again in each call process right after
fork (``CallConfinement``). Every layer reports itself as a ``LayerState``;
``isolation="strict"`` refuses to run unless all of them are active, and
"standard" runs with what the machine offers and says what is missing.
"""

from __future__ import annotations

import os
import resource
import sys
from dataclasses import dataclass, field
from typing import Literal

from .isolation import landlock, linux

Isolation = Literal["strict", "standard", "minimal"]
LAYER_NAMES = (
    "environment",
    "kill",
    "rlimits",
    "result_channel",
    "privileges",
    "network",
    "seccomp",
    "landlock",
)
LAYER_TITLES = {
    "environment": "allow-listed environment, exec'd zygote",
    "kill": "wall-clock timeout with SIGKILL of the whole call tree",
    "rlimits": "resource limits (memory, CPU, file size, open files, no core dumps)",
    "result_channel": "validated one-line text result channel (no pickle)",
    "privileges": "dropped privileges and no_new_privs",
    "network": "no network (network namespace)",
    "seccomp": "syscall filter (seccomp)",
    "landlock": "filesystem confinement (Landlock)",
}
_MINIMAL = frozenset({"environment", "kill", "rlimits", "result_channel"})


# Dataclasses, not pydantic models: the zygote imports this module, and every
# megabyte it imports is copied by each fork (pydantic adds ~12 MB and ~0.5 ms a call).


@dataclass(frozen=True)
class LayerState:
    """One isolation layer as applied on this machine: active or not, and why."""

    name: str
    active: bool
    detail: str


@dataclass(frozen=True)
class Limits:
    """Resource limits of one call process."""

    memory_mb: int = 2048
    cpu_seconds: int = 60
    file_size_mb: int = 16
    open_files: int = 256
    processes: int = 64


@dataclass(frozen=True)
class SandboxPlan:
    """Everything the zygote needs to build its sandbox, sent by the caller before user code runs."""

    isolation: Isolation
    temp_dir: str
    read_paths: list[str]
    limits: Limits = field(default_factory=Limits)
    parent_pid: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> SandboxPlan:
        return cls(**{**data, "limits": Limits(**data["limits"])})


class _Report:
    def __init__(self) -> None:
        self.states: dict[str, LayerState] = {}

    def set(self, name: str, active: bool, detail: str) -> None:
        self.states[name] = LayerState(name=name, active=active, detail=detail)

    def attempt(self, name: str, action, detail: str) -> bool:
        try:
            action()
        except OSError as exc:
            self.set(name, False, f"{exc.strerror or exc}")
            return False
        self.set(name, True, detail)
        return True


def apply_zygote_layers(plan: SandboxPlan) -> list[LayerState]:
    """Confine the zygote before it imports user code; return every layer's state in order."""
    report = _Report()
    report.set("environment", "TINKER_API_KEY" not in os.environ, f"{len(os.environ)} allow-listed variables")
    if not linux.IS_LINUX:
        report.set("kill", True, "process group kill (setsid daemons can escape on this OS)")
        _set_rlimits(plan.limits, report)
        report.set("result_channel", True, "one bounded text line per call, parsed by the caller")
        for name in ("privileges", "network", "seccomp", "landlock"):
            report.set(name, False, "needs Linux")
        return [report.states[name] for name in LAYER_NAMES]

    if os.getppid() != plan.parent_pid:
        os._exit(1)
    linux.die_with_parent()
    linux.become_subreaper()
    _set_rlimits(plan.limits, report)
    report.set("result_channel", True, "one bounded text line per call, parsed by the caller")
    if plan.isolation == "minimal":
        linux.set_not_dumpable()
        report.set("kill", True, "process group kill and subreaper sweep")
        for name in ("privileges", "network", "seccomp", "landlock"):
            report.set(name, False, "not requested (isolation='minimal')")
        return [report.states[name] for name in LAYER_NAMES]

    is_root = os.geteuid() == 0
    seccomp = _import_seccomp()  # before Landlock: finding libseccomp runs ldconfig
    # Even as root the zygote enters a user namespace: capabilities it keeps (for PID namespaces)
    # then hold only inside it, so import-time code cannot read /proc/<caller>/environ with them.
    network = report.attempt("network", _enter_user_and_network_namespace, "private network namespace with no interfaces up (in a user namespace)")
    if not network and is_root:
        network = report.attempt("network", lambda: linux.unshare(linux.CLONE_NEWNET), "private network namespace with no interfaces up")
    pid_namespace = _probe_pid_namespace()
    report.set(
        "kill",
        True,
        "PID namespace per call, killed as a whole"
        if pid_namespace
        else "process group kill and subreaper sweep (no PID namespace available)",
    )
    report.attempt("landlock", lambda: _landlock(plan), f"Landlock ABI {landlock.abi_version()}: writes only in the call's temp dir, reads only libraries and the reward's folder")
    report.attempt("privileges", lambda: _drop_zygote_privileges(is_root, pid_namespace), "no_new_privs; every capability dropped in calls")
    if isinstance(seccomp, str):
        report.set("seccomp", False, seccomp)
    else:
        report.attempt("seccomp", lambda: _seccomp_zygote(seccomp), "no exec, inet/netlink/packet sockets, ptrace, mount; no fork or unshare in calls")
    if not network and not is_root:
        report.states["network"] = LayerState(name="network", active=False, detail="unprivileged user namespaces are not available")
    linux.set_not_dumpable()  # after the uid maps are written: /proc/self files turn root-owned
    _PID_NAMESPACE[0] = pid_namespace
    return [report.states[name] for name in LAYER_NAMES]


_PID_NAMESPACE = [False]


def uses_pid_namespace() -> bool:
    return _PID_NAMESPACE[0]


def _enter_user_and_network_namespace() -> None:
    linux.enter_user_namespace()
    linux.unshare(linux.CLONE_NEWNET)


def _probe_pid_namespace() -> bool:
    """Whether this process may fork into a new PID namespace (tried with a throw-away child)."""
    try:
        pid = linux.fork_into_pid_namespace()
    except OSError:
        return False
    if pid == 0:
        os._exit(0 if os.getpid() == 1 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _set_rlimits(limits: Limits, report: _Report) -> None:
    settings = {
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_FSIZE: limits.file_size_mb << 20,
    }
    if hasattr(resource, "RLIMIT_AS") and sys.platform != "darwin":
        settings[resource.RLIMIT_AS] = limits.memory_mb << 20
    failed = []
    for which, value in settings.items():
        try:
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError):
            failed.append(str(which))
    detail = f"address space {limits.memory_mb} MiB, CPU {limits.cpu_seconds} s, file size {limits.file_size_mb} MiB, {limits.open_files} open files, no core dumps"
    if os.geteuid() == 0:
        detail += "; process count by seccomp (RLIMIT_NPROC does not bind uid 0)"
    report.set("rlimits", not failed, detail if not failed else f"could not set {', '.join(failed)}")


def _landlock(plan: SandboxPlan) -> None:
    landlock.restrict(plan.read_paths, [plan.temp_dir, os.devnull])


def _drop_zygote_privileges(is_root: bool, pid_namespace: bool) -> None:
    linux.set_no_new_privs()
    keep = frozenset({linux.CAP_SYS_ADMIN}) if pid_namespace else frozenset()
    if is_root or linux.effective_capabilities():
        linux.limit_capabilities(keep)


def _import_seccomp():
    """The seccomp module, or the reason it cannot be used here."""
    try:
        from .isolation import seccomp

        seccomp.load_library()
    except (ImportError, RuntimeError, OSError) as exc:
        return f"libseccomp unavailable ({exc}); install libseccomp2"
    return seccomp


def _seccomp_zygote(seccomp) -> None:
    seccomp.zygote_filter().load()
    _CALL_FILTER[0] = linux.SeccompProgram(seccomp.compile_bpf(seccomp.call_filter()))


_CALL_FILTER: list = [None]


class CallConfinement:
    """The layers each call process adds right after fork, prepared once in the zygote.

    Everything that does not depend on the call (ctypes structures, the compiled
    seccomp program, a descriptor of /dev/null) is built here, so a call process
    only makes the system calls: every object it touches is a page its fork copies.
    """

    def __init__(self, plan: SandboxPlan, states: dict[str, bool]) -> None:
        self.cpu = (plan.limits.cpu_seconds, plan.limits.cpu_seconds + 1)
        self.processes = (plan.limits.processes, plan.limits.processes) if os.geteuid() != 0 else None
        self.linux = linux.IS_LINUX
        self.landlock = landlock.WriteConfinement([os.devnull]) if self.linux and states.get("landlock") else None
        self.capabilities = linux.CapabilitySet() if self.linux and states.get("privileges") else None
        self.seccomp = _CALL_FILTER[0] if self.linux and states.get("seccomp") else None

    def descriptors(self) -> list[int]:
        """Descriptors ``apply`` needs; the call process keeps them open until then."""
        return self.landlock.descriptors() if self.landlock else []

    def apply(self, call_dir: str) -> None:
        """Confine this freshly forked call process; raises OSError if a layer the zygote had fails here."""
        resource.setrlimit(resource.RLIMIT_CPU, self.cpu)
        if self.processes:
            resource.setrlimit(resource.RLIMIT_NPROC, self.processes)
        if not self.linux:
            return
        # first: a sibling call of the same uid without Landlock must not reach this one's pipes through /proc/<pid>/fd
        linux.set_not_dumpable()
        linux.die_with_parent()
        if self.landlock:
            self.landlock.apply(call_dir)
        if self.capabilities:
            self.capabilities.apply()  # the zygote already emptied the bounding and ambient sets
        if self.seccomp:
            self.seccomp.load()
