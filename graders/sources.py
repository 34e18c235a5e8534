"""Where a reward comes from: ``RewardSource``, parsed in the caller without executing user code.

``RewardSource.parse`` only classifies the spec and finds files; the zygote
loads the source (``loader.load_reward``).
"""

from __future__ import annotations

import base64
import importlib.machinery
import os
import re
import sys
from typing import Callable, Literal

from pydantic import BaseModel, Field, JsonValue

from .errors import RewardLoadError
from .loader import describe, read_source

SourceKind = Literal["file", "code", "module", "library", "pickle"]
DEFAULT_FUNCTION = "compute_reward"
_MODULE_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<function>[A-Za-z_]\w*)$")
_FILE_SPEC = re.compile(r"^(?P<path>.+\.py)(?::(?P<function>[A-Za-z_]\w*))?$")


class RewardSource(BaseModel):
    """A reward as the sandbox receives it: what kind, where, which function, with what parameters."""

    kind: SourceKind
    target: str
    function: str = DEFAULT_FUNCTION
    params: dict[str, JsonValue] = Field(default_factory=dict)
    folder: str | None = None  # a folder the reward may read (its own), besides the libraries
    code: str | None = None  # a file's text, carried along for machines that do not have the file

    @classmethod
    def parse(cls, spec: str, params: dict[str, JsonValue] | None = None) -> RewardSource:
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
        return self.model_copy(update={"code": read_source(self.target)})

    def describe(self) -> str:
        return describe(self.model_dump())


def _module_folder(module: str) -> str | None:
    """The folder holding a module's top-level package, found without importing anything."""
    spec = importlib.machinery.PathFinder.find_spec(module.split(".")[0], sys.path)
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    origin = os.path.dirname(spec.origin)
    return os.path.dirname(origin) if spec.submodule_search_locations else origin
