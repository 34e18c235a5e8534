"""Test code the judge runs against a program in another process: the program's names, as proxies.

HumanEval's ``check(candidate)``, MBPP's and AceCoder's asserts and KodCode's pytest functions hold the
expected values, so they run here, in the judge; the program runs in a test process of its own
(``programs.Session``) and answers requests: call this, read that attribute, iterate that. Builtin
values cross both ways with their types (``pyharness.to_wire``); anything else of the program's stays
there and is reached through a ``Remote`` handle. An exception the program raises is raised here under
its builtin class (``pytest.raises(ValueError)`` works), else as ``ProgramRaised``.
"""

from __future__ import annotations

import builtins
from typing import Any

from . import pyharness
from .programs import Session


class ProgramRaised(Exception):
    """The program raised an exception of a class of its own (named in the message)."""


class Remote:
    """One of the program's objects: call it, read its attributes, iterate it, take its length."""

    __slots__ = ("_session", "_handle")

    def __init__(self, session: RemoteSession, handle: int) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        wire = self._session.wire
        return self._session.ask({"op": "call", "of": self._handle, "args": [wire(a) for a in args], "kwargs": {k: wire(v) for k, v in kwargs.items()}})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.ask({"op": "get", "of": self._handle, "attr": name})

    def __iter__(self):
        return iter(self._session.ask({"op": "items", "of": self._handle}))

    def __len__(self) -> int:
        return self._session.ask({"op": "len", "of": self._handle})

    def __repr__(self) -> str:
        return self._session.ask({"op": "repr", "of": self._handle})


class RemoteSession:
    """Requests to the program's serving process, answers turned back into values or ``Remote`` handles."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.handles: dict[int, Remote] = {}

    def names(self) -> dict[str, Any]:
        """The program's top-level names, each as its value (builtin data) or a ``Remote``."""
        return {name: self.ask({"op": "get", "of": None, "attr": name}) for name in self.ask({"op": "names"})}

    def wire(self, value: Any) -> Any:
        return pyharness.to_wire(value, self._handle_of)

    def _handle_of(self, value: Any) -> int:
        if isinstance(value, Remote):
            return value._handle
        raise pyharness.NotPlain(f"a {type(value).__name__} of the test cannot be sent to the program")

    def _remote(self, handle: int) -> Remote:
        return self.handles.setdefault(handle, Remote(self, handle))

    def ask(self, request: dict) -> Any:
        answer = self.session.ask(request)
        if "raise" in answer:
            name, message = answer["raise"]
            cls = getattr(builtins, name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in (SystemExit, KeyboardInterrupt, GeneratorExit):
                raise cls(message)
            raise ProgramRaised(f"{name}: {message}")
        return pyharness.from_wire(answer["value"], self._remote)
