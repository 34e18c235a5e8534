"""Loading a reward inside the sandbox: source in, callable out, or a ``RewardLoadError``.

Runs user code, so only the zygote calls it. Stdlib only, like everything the
zygote imports. Errors name the file and line, so that a broken reward fails
fast instead of scoring every item 0.0.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import linecache
import os
import sys
import traceback
import types
from typing import Callable

from .binding import Binding
from .conventions import CONVENTIONS
from ..errors import RewardLoadError

RewardFunction = Callable[..., object]


def describe(source: dict) -> str:
    """A short name for a source dict (``RewardSource.as_dict()``)."""
    kind, target, function = source["kind"], source["target"], source.get("function", "compute_reward")
    if kind in ("file", "module"):
        return f"{target}:{function}"
    if kind == "library":
        return f"library:{target}"
    if kind == "pickle":
        return f"<function {function}>"
    return "<reward source>"


def load_reward(source: dict, restricted: bool = False, again: bool = False) -> RewardFunction:
    """Load ``source`` into a callable (``binding`` says how it takes a row). Runs user code: sandbox only.

    ``restricted`` compiles file and code sources with RestrictedPython and runs
    them with its guards (``restricted.py``). ``again`` runs an importable module's
    code again even though this process imported it already.
    """
    if source["kind"] == "library":
        function = _load_library(source)
    elif source["kind"] == "pickle":
        function = _guarded(lambda: _unpickle(source["target"]), "<pickled function>", "unpickling the function")
    elif source["kind"] == "module":
        if again:
            sys.modules.pop(source["target"], None)
        module = _guarded(lambda: importlib.import_module(source["target"]), source["target"], f"importing {source['target']}")
        function = _attribute(module, source["function"], source["target"])
    else:
        path = source["target"] if source["kind"] == "file" else "<reward source>"
        text = source["target"] if source["kind"] == "code" else source.get("code") or read_source(path)
        module = _exec_module(text, path, restricted)
        function = _attribute(module, source["function"], path)
    return function


def read_source(path: str) -> str:
    """The text of a reward file, or a ``RewardLoadError`` naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise RewardLoadError(f"cannot read the reward file: {exc}", path=path) from None


def _exec_module(text: str, path: str, restricted: bool) -> types.ModuleType:
    module = types.ModuleType(_module_name(path))
    if restricted:
        from .restricted import compile_restricted_reward, restricted_globals  # imports RestrictedPython

        code = compile_restricted_reward(text, path)
        vars(module).update(restricted_globals(module.__name__))
    else:
        try:
            code = compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise RewardLoadError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)  # tracebacks show the lines loaded, file or not
    module.__file__ = path
    sys.modules[module.__name__] = module
    if os.path.isfile(path):
        sys.path.insert(0, os.path.dirname(path))
    _guarded(lambda: exec(code, module.__dict__), path, "running the reward module")
    return module


def _module_name(path: str) -> str:
    """A reward file's module name: its stem, as ``import`` would name it (so that a pool's spawned workers can
    import what the reward pickles by name), unless another module already has that name; else ``reward_module``."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if os.path.isfile(path) and stem.isidentifier() and stem not in sys.modules and importlib.util.find_spec(stem) is None:
        return stem
    return "reward_module"


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


def binding(function: RewardFunction, source: dict) -> Binding:
    """How ``function`` takes a row (``binding.Binding``); a ``RewardLoadError`` if some parameter can never be filled."""
    name = source.get("function", "compute_reward") if source["kind"] != "library" else describe(source)
    try:
        return Binding.of(function, name, source.get("convention"))
    except TypeError as exc:
        path = source["target"] if source["kind"] == "file" else describe(source)
        line = getattr(getattr(function, "__code__", None), "co_firstlineno", None) if source["kind"] == "file" else None
        raise RewardLoadError(
            f"{exc}. It fits none of the conventions ({', '.join(CONVENTIONS)}): write it as "
            f"`def {name}(completion: str, ground_truth) -> float` (more parameters receive the row's fields of their name), "
            "or name its harness with --convention (convention= in Python)",
            path=path, line=line,
        ) from None


def _unpickle(payload: str) -> RewardFunction:
    import dill

    return dill.loads(base64.b64decode(payload))


def _load_library(source: dict) -> RewardFunction:
    try:
        library = importlib.import_module("rewardbox.library")
        build = getattr(library, "build")
    except (ImportError, AttributeError):
        raise RewardLoadError(f"the reward library is not available to load {describe(source)!r}") from None
    return _guarded(lambda: build(source["target"], source["params"]), describe(source), "building the library reward")
