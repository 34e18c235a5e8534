"""What warm mode checks in the zygote and in a warm call process: the state a call leaves for the next one.

``Trace`` is taken when a warm process starts and checked after each call (the process retires on a
trace); ``warm_up_leftovers`` runs the zygote's automatic warm-up calls and says what they left, so that
the caller can start again without them. Stdlib only: the zygote imports this module.
"""

from __future__ import annotations

import builtins
import collections
import inspect
import operator
import os
import sys
import threading
from typing import Callable


def warm_up_leftovers(reward: object, warm_up: Callable[[], None]) -> str | None:
    """Run ``warm_up()`` and say what it left that every call forked afterwards would see (None: nothing):
    a thread, a rebound name, a new package, or a changed top-level list, dict or set (``contents``)."""
    trace = Trace(reward, None)
    before = contents(trace.module)
    warm_up()
    left = trace.left_state()
    if not left and contents(trace.module) != before:
        left = "a changed list, dict or set at the top level of its module"
    return left


def contents(namespace: dict) -> dict[str, list[int]]:
    """The identities of what each top-level list, dict, set or deque holds (once, around the warm-up calls:
    an in-place change there would reach every call, which the per-call trace does not see)."""
    held = {}
    for name, value in list(namespace.items()):
        if isinstance(value, dict):
            held[name] = [id(item) for pair in value.items() for item in pair]
        elif isinstance(value, (list, set, frozenset, collections.deque, bytearray)):
            held[name] = [id(item) for item in value] if not isinstance(value, bytearray) else list(value)
    return held


def has_children() -> bool:
    """Whether this process has a child still running (ended ones are reaped on the way): one system call when none."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


class Trace:
    """What a warm call process checks after each call: a call that left a thread or a process running, a file in
    its directory, changed ``sys.modules``, or rebound a builtin or a top-level name of the reward's
    module leaves state the next call would see, so the process retires. Submodules of packages
    already imported (sympy loading a printer on first use) are not a trace; a new top-level package
    or a removed module is. In-place changes to module-level objects, attributes patched on other
    modules and replaced ``sys.modules`` entries are not seen: warm mode is for trusted code."""

    def __init__(self, reward: object, call_dir: str | None) -> None:
        self.module = getattr(inspect.unwrap(reward), "__globals__", None) or {}
        self.builtins = vars(builtins)
        self.call_dir = call_dir
        self.threads = threading.active_count()
        self.modules = set(sys.modules)
        self.packages = {name.partition(".")[0] for name in self.modules}
        # each namespace with its names and values as they were: compared by identity, in C (map/operator.is_),
        # ~5 us a call for the ~160 builtins where building {name: id} dicts took ~30 us
        self.bindings = [(space, list(space), list(space.values())) for space in (self.module, self.builtins)]

    def _rebound(self) -> bool:
        return any(
            len(space) != len(names) or not all(map(operator.is_, space.values(), values)) or list(space) != names
            for space, names, values in self.bindings
        )

    def left_state(self) -> str | None:
        """What the calls since this trace was made left that the next would see: a thread, a rebound name,
        a removed module or a new top-level package (None: nothing)."""
        if threading.active_count() != self.threads:
            return "a thread left running"
        if has_children():
            return "a process left running"
        if self._rebound():
            return "a rebound top-level name of its module or a builtin"
        if len(sys.modules) != len(self.modules):
            now = set(sys.modules)
            if not self.modules <= now or any(name.partition(".")[0] not in self.packages for name in now - self.modules):
                return "a removed module or a new top-level package"
            self.modules = now  # lazily imported parts of packages the process had: the next call would import them too
        return None

    def changed(self) -> bool:
        if self.left_state():
            return True
        try:
            return bool(os.listdir(self.call_dir))
        except OSError:
            return True
