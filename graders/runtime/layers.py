"""The isolation layers, in order, and what took effect.

Layers are applied in two places: once in the zygote before any user code is
imported (``apply_zygote_layers``), and again in each call process right after
fork (``CallConfinement``). Every layer reports itself as a ``LayerState``;
``isolation="strict"`` refuses to run unless all of them are active, and
"standard" runs with what the machine offers and says what is missing.

What a call may start is decided here too (``ProcessPolicy``): a call may fork
and exec (a reward's worker pool, a compiler, the program under test) when the
zygote can bound how many tasks it holds at once (the ``pid_max`` of its PID
namespace, or RLIMIT_NPROC for a non-root user); everything it started dies with
its PID namespace. Where nothing can bound them (root on a kernel without
per-namespace ``pid_max``), calls may not fork, and the policy says so.
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
_SYSTEM_READ_PATHS = (
    "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share",
    "/etc/localtime", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
    "/dev/null", "/dev/urandom", "/dev/random", "/dev/zero", "/dev/full", "/proc", "/sys/devices/system/cpu",
)
# what a call may exec besides the interpreter: the usual programs, compilers and their headers
_TOOLCHAIN_READ_PATHS = (
    "/bin", "/usr/bin", "/usr/local/bin", "/usr/libexec", "/usr/include", "/usr/local/include",
    "/etc/alternatives", "/usr/local/go", "/etc/ssl/openssl.cnf",
)
_TOOLCHAIN_READ_GLOBS = ("/etc/java-*",)  # the JVM's security and logging configuration (Debian keeps it in /etc)
PID_MAX_FLOOR = 301  # the least pid_max the kernel accepts for a PID namespace: 300 tasks at once
_SYSTEM_WRITE_PATHS = ("/proc/sys/kernel",)  # a call's own PID namespace's pid_max (capabilities guard every other sysctl)


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
    processes: int = 300  # tasks (processes and threads) a call may hold at once; a PID namespace allows no fewer than 300


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


_PLAN_READ_PATHS: list[list[str]] = []  # inside a zygote: what its Landlock layer lets it read


def readable_paths() -> list[str]:
    """What this process may read: inside the sandbox the paths its layer was built from (globs and listings
    of folders it cannot read would find less), else ``system_read_paths()``."""
    return list(_PLAN_READ_PATHS[0]) if _PLAN_READ_PATHS else system_read_paths()


def toolchain_homes() -> dict[str, str]:
    """Where toolchains installed in a user's home keep their compilers, as the environment variables that name
    them: ``RUSTUP_HOME`` (rustup's toolchains, whose proxies in ~/.cargo/bin the sandbox cannot read)."""
    homes = {}
    rustup = os.environ.get("RUSTUP_HOME") or os.path.expanduser("~/.rustup")
    if os.path.isdir(os.path.join(rustup, "toolchains")):
        homes["RUSTUP_HOME"] = os.path.realpath(rustup)
    return homes


def system_read_paths() -> list[str]:
    """What sandboxed code may read whatever the reward: the interpreter, its libraries and import path,
    rewardbox's own packages, the system's libraries, programs and compilers (``toolchain_homes`` too)."""
    import glob
    import importlib
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(p for p in sysconfig.get_paths().values() if p)
    paths.update(os.path.realpath(p) for p in sys.path if p and os.path.isabs(p) and os.path.exists(p))
    paths.update(_SYSTEM_READ_PATHS, _TOOLCHAIN_READ_PATHS, toolchain_homes().values())
    paths.update(path for pattern in _TOOLCHAIN_READ_GLOBS for path in glob.glob(pattern))
    for name in ("graders", "library", "runner"):  # an editable install maps them outside site-packages
        paths.update(os.path.realpath(path) for path in importlib.import_module(f"rewardbox.{name}").__path__)
    return sorted(p for p in paths if os.path.exists(p))


@dataclass(frozen=True)
class ProcessPolicy:
    """What a call may start: processes or not, how many tasks at once and over what, and a private /dev/shm."""

    allowed: bool
    tasks: int  # 0: not bounded by the sandbox
    scope: str  # "call": each call's own budget; "sandbox": one budget shared by the sandbox's calls; "": none
    private_shm: bool
    detail: str

    @classmethod
    def from_dict(cls, data: dict) -> ProcessPolicy:
        return cls(**data)


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
    """Confine the zygote before it imports user code; return every layer's state in order.

    The process policy it chose is ``process_policy()`` afterwards."""
    report = _Report()
    report.set("environment", "TINKER_API_KEY" not in os.environ, f"{len(os.environ)} allow-listed variables")
    if not linux.IS_LINUX:
        report.set("kill", True, "process group kill (setsid daemons can escape on this OS)")
        _set_rlimits(plan.limits, report)
        report.set("result_channel", True, "one bounded text line per call, parsed by the caller")
        for name in ("privileges", "network", "seccomp", "landlock"):
            report.set(name, False, "needs Linux")
        _POLICY[0] = ProcessPolicy(True, 0, "", False, "calls may start processes, killed by process group (setsid daemons can escape on this OS)")
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
        _POLICY[0] = _nproc_policy(plan.limits, False, "isolation='minimal': calls may start processes, killed with their call by the subreaper sweep")
        return [report.states[name] for name in LAYER_NAMES]

    is_root = os.geteuid() == 0
    seccomp = _import_seccomp()  # before Landlock: finding libseccomp runs ldconfig
    # Even as root the zygote enters a user namespace: capabilities it keeps (for PID namespaces)
    # then hold only inside it, so import-time code cannot read /proc/<caller>/environ with them.
    network = report.attempt("network", _enter_user_and_network_namespace, "private network namespace with no interfaces up (in a user namespace)")
    if not network and is_root:
        network = report.attempt("network", lambda: linux.unshare(linux.CLONE_NEWNET), "private network namespace with no interfaces up")
    private_shm = _private_dev(plan.temp_dir)
    pid_namespace, pid_max = _probe_pid_namespace()
    policy = _process_policy(plan.limits, pid_namespace, pid_max, is_root, private_shm)
    _POLICY[0] = policy
    report.set(
        "kill",
        True,
        "PID namespace per call, killed as a whole"
        if pid_namespace
        else "process group kill and subreaper sweep (no PID namespace available)",
    )
    report.attempt("landlock", lambda: _landlock(plan, policy), f"Landlock ABI {landlock.abi_version()}: writes only in the call's temp dir, reads only libraries, toolchains and the reward's folder")
    report.attempt("privileges", lambda: _drop_zygote_privileges(is_root, pid_namespace), "no_new_privs; every capability dropped in calls")
    if isinstance(seccomp, str):
        report.set("seccomp", False, seccomp)
    else:
        calls = "no new namespaces in calls" if policy.allowed else "no fork or new namespaces in calls"
        report.attempt("seccomp", lambda: _seccomp_zygote(seccomp, policy.allowed), f"no inet/netlink/packet sockets, ptrace, mount; {calls}")
    if not network and not is_root:
        report.states["network"] = LayerState(name="network", active=False, detail="unprivileged user namespaces are not available")
    linux.set_not_dumpable()  # after the uid maps are written: /proc/self files turn root-owned
    _PID_NAMESPACE[0] = pid_namespace
    return [report.states[name] for name in LAYER_NAMES]


_PID_NAMESPACE = [False]
_POLICY: list[ProcessPolicy] = [ProcessPolicy(True, 0, "", False, "not confined")]


def uses_pid_namespace() -> bool:
    return _PID_NAMESPACE[0]


def process_policy() -> ProcessPolicy:
    """What calls may start, as ``apply_zygote_layers`` decided."""
    return _POLICY[0]


def _process_policy(limits: Limits, pid_namespace: bool, pid_max: bool, is_root: bool, private_shm: bool) -> ProcessPolicy:
    shm = "" if private_shm else "; /dev/shm is not writable here, so multiprocessing's locks, queues and pools fail"
    if pid_namespace and pid_max:
        tasks = max(limits.processes, PID_MAX_FLOOR - 1)
        return ProcessPolicy(
            True, tasks, "call", private_shm,
            f"calls may fork and exec what they can read (interpreters, toolchains, their own files): at most {tasks} tasks "
            f"(processes and threads) at once per call (its PID namespace's pid_max), every one killed with the call{shm}",
        )
    if not is_root:
        return _nproc_policy(limits, private_shm, f"calls may fork and exec what they can read{shm}")
    return ProcessPolicy(
        False, 0, "", private_shm,
        "calls may not start processes: nothing bounds them here (a PID namespace's own pid_max needs Linux 6.14 or later, "
        "and RLIMIT_NPROC does not bind uid 0); fork fails with EPERM",
    )


def _nproc_policy(limits: Limits, private_shm: bool, detail: str) -> ProcessPolicy:
    if os.geteuid() == 0:
        return ProcessPolicy(True, 0, "", private_shm, f"{detail}; their number is not bounded (RLIMIT_NPROC does not bind uid 0)")
    return ProcessPolicy(
        True, limits.processes, "sandbox", private_shm,
        f"{detail}; at most {limits.processes} tasks of this user in the sandbox at once (RLIMIT_NPROC, shared by its calls)",
    )


_MS_NOSUID, _MS_NOEXEC, _MS_BIND, _MS_MOVE, _MS_REC, _MS_SLAVE = 2, 8, 4096, 8192, 16384, 1 << 19
_DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_DEVICE_LINKS = (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"))


def _private_dev(temp_dir: str) -> bool:
    """Give the zygote a /dev of its own: the usual devices, and /dev/shm pointing at each process's working directory.

    POSIX semaphores (every multiprocessing lock, queue and pool) are files in /dev/shm. Here
    /dev/shm is a link to ``/proc/self/cwd``: a call's semaphores land in its own call directory,
    which only it may write and which goes with it, and the host's /dev/shm (another process's
    shared memory) is out of sight. Built in a mount namespace of the zygote's own before Landlock
    (which forbids mounts afterwards); False where the zygote may not make one.
    """
    stage = os.path.join(temp_dir, ".dev")
    try:
        linux.unshare(linux.CLONE_NEWNS)
        linux.mount(None, "/", None, _MS_REC | _MS_SLAVE)  # nothing done here reaches the host's mounts
        os.mkdir(stage)
        linux.mount("tmpfs", stage, "tmpfs", _MS_NOSUID | _MS_NOEXEC, "mode=755,size=16k")
        for name in _DEVICES:
            if os.path.exists(f"/dev/{name}"):
                open(os.path.join(stage, name), "w").close()
                linux.mount(f"/dev/{name}", os.path.join(stage, name), None, _MS_BIND)
        for name, target in (*_DEVICE_LINKS, ("shm", "/proc/self/cwd")):
            os.symlink(target, os.path.join(stage, name))
        linux.mount(stage, "/dev", None, _MS_MOVE)
    except OSError:
        return False
    finally:
        try:
            os.rmdir(stage)
        except OSError:
            pass
    return True


def _enter_user_and_network_namespace() -> None:
    linux.enter_user_namespace()
    linux.unshare(linux.CLONE_NEWNET)


def _probe_pid_namespace() -> tuple[bool, bool]:
    """Whether this process may fork into a new PID namespace, and whether that namespace's init may set its own
    ``pid_max`` (Linux 6.14+), tried with a throw-away child."""
    try:
        pid = linux.fork_into_pid_namespace()
    except OSError:
        return False, False
    if pid == 0:
        code = 1
        if os.getpid() == 1:
            try:
                linux.set_pid_max(PID_MAX_FLOOR)
                code = 0
            except OSError:
                code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code in (0, 2), code == 0


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
    detail = f"address space {limits.memory_mb} MiB, CPU {limits.cpu_seconds} s, file size {limits.file_size_mb} MiB, {limits.open_files} open files, no core dumps, per process"
    report.set("rlimits", not failed, detail if not failed else f"could not set {', '.join(failed)}")


def _landlock(plan: SandboxPlan, policy: ProcessPolicy) -> None:
    writes = [plan.temp_dir, os.devnull, *(_SYSTEM_WRITE_PATHS if policy.scope == "call" else ())]
    landlock.restrict(plan.read_paths, writes)
    _PLAN_READ_PATHS.append(list(plan.read_paths))


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


def _seccomp_zygote(seccomp, processes: bool) -> None:
    seccomp.zygote_filter().load()
    _CALL_FILTER[0] = linux.SeccompProgram(seccomp.compile_bpf(seccomp.call_filter(processes)))


_CALL_FILTER: list = [None]


class CallConfinement:
    """The layers each call process adds right after fork, prepared once in the zygote.

    Everything that does not depend on the call (ctypes structures, the compiled
    seccomp program, a descriptor of /dev/null) is built here, so a call process
    only makes the system calls: every object it touches is a page its fork copies.
    """

    def __init__(self, plan: SandboxPlan, states: dict[str, bool], policy: ProcessPolicy) -> None:
        self.cpu = (plan.limits.cpu_seconds, plan.limits.cpu_seconds + 1)
        self.processes = (policy.tasks, policy.tasks) if policy.scope == "sandbox" else None
        self.pid_max = f"{policy.tasks + 1}".encode() if policy.scope == "call" else None
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
        if self.pid_max:  # this call is init of its own PID namespace, still with the zygote's capabilities there
            linux.set_pid_max(self.pid_max)
        # first: a sibling call of the same uid without Landlock must not reach this one's pipes through /proc/<pid>/fd
        linux.set_not_dumpable()
        linux.die_with_parent()
        if self.landlock:
            self.landlock.apply(call_dir)
        if self.capabilities:
            self.capabilities.apply()  # the zygote already emptied the bounding and ambient sets
        if self.seccomp:
            self.seccomp.load()
