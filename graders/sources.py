"""Where a reward comes from, and how the sandbox loads it.

``RewardSource.parse`` runs in the caller and never executes user code: it
only classifies the spec and finds files. ``load_reward`` runs inside the
zygote and turns the source into a callable, raising ``RewardLoadError`` with
file and line for anything that would otherwise score every item 0.0.
"""

from __future__ import annotations

import base64
import importlib
import importlib.machinery
import inspect
import os
import re
import sys
import traceback
import types
from typing import Callable, Literal

from pydantic import BaseModel, Field, JsonValue

from .errors import RewardLoadError

RewardFunction = Callable[[str, str], object]
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

    def describe(self) -> str:
        if self.kind == "file":
            return f"{self.target}:{self.function}"
        if self.kind == "module":
            return f"{self.target}:{self.function}"
        if self.kind == "library":
            return f"library:{self.target}"
        if self.kind == "pickle":
            return f"<function {self.function}>"
        return "<reward source>"


def _module_folder(module: str) -> str | None:
    """The folder holding a module's top-level package, found without importing anything."""
    spec = importlib.machinery.PathFinder.find_spec(module.split(".")[0], sys.path)
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    origin = os.path.dirname(spec.origin)
    return os.path.dirname(origin) if spec.submodule_search_locations else origin


def load_reward(source: RewardSource) -> RewardFunction:
    """Load ``source`` into a callable taking (completion, ground_truth). Runs user code: sandbox only."""
    if source.kind == "library":
        function = _load_library(source)
    elif source.kind == "pickle":
        function = _guarded(lambda: _unpickle(source.target), "<pickled function>", "unpickling the function")
    elif source.kind == "module":
        module = _guarded(lambda: importlib.import_module(source.target), source.target, f"importing {source.target}")
        function = _attribute(module, source.function, source.target)
    else:
        path = source.target if source.kind == "file" else "<reward source>"
        text = _read(path) if source.kind == "file" else source.target
        module = _exec_module(text, path)
        function = _attribute(module, source.function, path)
    _check_signature(function, source)
    return function


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise RewardLoadError(f"cannot read the reward file: {exc}", path=path) from None


def _exec_module(text: str, path: str) -> types.ModuleType:
    try:
        code = compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise RewardLoadError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    module = types.ModuleType("reward_module")
    module.__file__ = path
    sys.modules["reward_module"] = module
    if os.path.isfile(path):
        sys.path.insert(0, os.path.dirname(path))
    _guarded(lambda: exec(code, module.__dict__), path, "running the reward module")
    return module


def _guarded(action: Callable[[], object], path: str, what: str):
    """Run ``action``; any exception (even SystemExit) becomes a RewardLoadError naming the user's line."""
    try:
        return action()
    except BaseException as exc:  # noqa: BLE001 - a load failure of any kind is reported, never raised raw
        line = _user_line(exc, path)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        raise RewardLoadError(f"{what} failed: {detail}", path=path, line=line) from None


def _user_line(exc: BaseException, path: str) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == path:
            line = lineno
    if line is None and isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno
    return line


def _attribute(module: types.ModuleType, name: str, path: str) -> RewardFunction:
    function = getattr(module, name, None)
    if function is None:
        raise RewardLoadError(f"no function {name!r} defined", path=path)
    if not callable(function):
        raise RewardLoadError(f"{name!r} is a {type(function).__name__}, not a function", path=path)
    return function


def _check_signature(function: RewardFunction, source: RewardSource) -> None:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # builtins and some callables have no signature to check
    try:
        signature.bind("completion", "ground_truth")
    except TypeError as exc:
        path = source.target if source.kind == "file" else source.describe()
        line = getattr(getattr(function, "__code__", None), "co_firstlineno", None) if source.kind == "file" else None
        raise RewardLoadError(
            f"{source.function}{signature} cannot be called as {source.function}(completion, ground_truth): {exc}",
            path=path,
            line=line,
        ) from None


def _unpickle(payload: str) -> RewardFunction:
    import dill

    return dill.loads(base64.b64decode(payload))


def _load_library(source: RewardSource) -> RewardFunction:
    try:
        library = importlib.import_module("rewardkit.library")
        build = getattr(library, "build")
    except (ImportError, AttributeError):
        raise RewardLoadError(f"the reward library is not available to load {source.describe()!r}") from None
    return _guarded(lambda: build(source.target, source.params), source.describe(), "building the library reward")
