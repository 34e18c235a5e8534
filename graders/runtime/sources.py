"""Where a reward comes from: ``RewardSource``, parsed in the caller without executing user code.

``RewardSource.parse`` only classifies the spec and finds files; the zygote
loads the source (``loader.load_reward``).
"""

from __future__ import annotations

import base64
import dataclasses
import importlib.machinery
import json
import os
import re
import sys
from typing import Callable, Literal

from ..errors import RewardLoadError
from .loader import describe, read_source

SourceKind = Literal["file", "code", "module", "library", "pickle"]
_KINDS = ("file", "code", "module", "library", "pickle")
DEFAULT_FUNCTION = "compute_reward"
_MODULE_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<function>[A-Za-z_]\w*)$")
_FILE_SPEC = re.compile(r"^(?P<path>.+\.py)(?::(?P<function>[A-Za-z_]\w*))?$")


@dataclasses.dataclass(frozen=True)
class RewardSource:
    """A reward as the sandbox receives it: what kind, where, which function, with what parameters.

    A dataclass (not a pydantic model) so that grading imports no pydantic; its fields are checked
    when it is made, and it crosses to the zygote and to Ray actors as ``as_dict()``.
    """

    kind: SourceKind
    target: str
    function: str = DEFAULT_FUNCTION
    params: dict[str, object] = dataclasses.field(default_factory=dict)  # JSON values
    folder: str | None = None  # a folder the reward may read (its own), besides the libraries
    code: str | None = None  # a file's text, carried along for machines that do not have the file
    convention: str | None = None  # the harness signature to call it in (conventions.py); None: read from its signature

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"kind={self.kind!r}: expected one of {', '.join(_KINDS)}")
        for name in ("target", "function"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name}={getattr(self, name)!r}: expected a string")
        for name in ("folder", "code", "convention"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise ValueError(f"{name}={getattr(self, name)!r}: expected a string or None")
        if not isinstance(self.params, dict) or not all(isinstance(key, str) for key in self.params):
            raise ValueError(f"params={self.params!r}: expected a dict with string keys")
        try:
            json.dumps(self.params, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params: expected JSON values ({exc})") from None

    def as_dict(self) -> dict[str, object]:
        """The fields as JSON values, as the zygote and Ray actors take them (``from_dict``)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> RewardSource:
        return cls(**values)

    @classmethod
    def parse(cls, spec: str, params: dict[str, object] | None = None) -> RewardSource:
        """Classify ``spec``: ``library:NAME``, source code, ``path.py[:function]`` or ``module:function``."""
        params = dict(params or {})
        if spec.startswith("library:"):
            return cls(kind="library", target=spec.removeprefix("library:"), params=params)
        if "\n" in spec:
            return cls(kind="code", target=spec, params=params)
        file_match = _FILE_SPEC.match(spec)
        if file_match or os.path.isfile(spec):
            path = os.path.abspath(file_match["path"] if file_match else spec)
            if not os.path.isfile(path):
                raise RewardLoadError("no such reward file", path=path)
            function = (file_match and file_match["function"]) or DEFAULT_FUNCTION
            return cls(kind="file", target=path, function=function, params=params, folder=os.path.dirname(path))
        module_match = _MODULE_SPEC.match(spec)
        if module_match:
            return cls(
                kind="module",
                target=module_match["module"],
                function=module_match["function"],
                params=params,
                folder=_module_folder(module_match["module"]),
            )
        raise RewardLoadError(
            f"cannot read reward spec {spec!r}: expected a .py file, 'module:function', 'library:NAME' or source code"
        )

    @classmethod
    def from_function(cls, function: Callable[..., object]) -> RewardSource:
        """Ship a function (a closure or one defined in a notebook) by value, with dill."""
        import dill  # installed with multiprocess

        payload = dill.dumps(function, recurse=True)
        return cls(kind="pickle", target=base64.b64encode(payload).decode(), function=getattr(function, "__name__", "function"))

    def shipped(self) -> RewardSource:
        """This source with a file's text attached, so that another machine loads it without the file.

        The path stays: errors and tracebacks still name the file and its lines.
        """
        if self.kind != "file" or self.code is not None:
            return self
        return dataclasses.replace(self, code=read_source(self.target))

    def describe(self) -> str:
        return describe(self.as_dict())


def _module_folder(module: str) -> str | None:
    """The folder holding a module's top-level package, found without importing anything."""
    spec = importlib.machinery.PathFinder.find_spec(module.split(".")[0], sys.path)
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    origin = os.path.dirname(spec.origin)
    return os.path.dirname(origin) if spec.submodule_search_locations else origin
