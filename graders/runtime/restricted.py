"""RestrictedPython for rewards: compile a reward under its policy and run it with guarded globals.

An extra layer for ``Grader(..., restricted=True)``, never counted as an
isolation boundary: RestrictedPython has a history of escapes (CVE-2023-37271
through generator frames, CVE-2023-41039 through format strings, CVE-2025-22153
through ``try/except*``, a guard shadowed by a positional-only parameter fixed
in 8.3), and the guards only cover code written in the reward itself, not the
libraries it calls. The sandbox's process layers are the boundary.

What the layer adds: the reward's source must pass RestrictedPython's compiler
(no names starting with ``_``, no ``exec``/``eval``, no augmented assignment of
items or attributes, ...); attribute access goes through ``safer_getattr_raise``
(no ``_``-attributes such as ``__class__``/``__globals__``, no ``str.format``);
writes go through ``full_write_guard`` (only dicts and lists can be changed in
place); and ``import`` is limited to ``ALLOWED_MODULES``, each handed over as a
copy without its submodules (``fractions.sys`` would otherwise lead to ``os``)
and without known code-evaluating helpers (``HIDDEN``). Iteration and item
access are not policed (``_getiter_`` is ``iter``): rewardbox has no per-object
permissions to enforce, which is also why ``sorted``, ``zip``, ``tuple`` and
friends are back in the builtins.

Imported by the zygote only when ``restricted=True`` (and by ``rewardbox lint --restricted``).
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import operator
import sys
import types
from typing import Callable, NamedTuple, Sequence

from RestrictedPython import CompileResult, PrintCollector, RestrictingNodeTransformer, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr_raise

from ..errors import RewardLoadError

# Modules a reward typically needs for parsing and comparing answers.
ALLOWED_MODULES = (
    "__future__", "re", "math", "cmath", "json", "string", "fractions", "decimal", "numbers", "unicodedata",
    "collections", "itertools", "functools", "statistics", "difflib", "textwrap", "typing",
)
# Public names left out of the allowed modules because they evaluate code or format strings with attribute access.
HIDDEN = {
    "string": frozenset({"Formatter"}),
    "typing": frozenset({"get_type_hints"}),
    "functools": frozenset({"singledispatch", "singledispatchmethod"}),
}
# Builtins RestrictedPython leaves out because they iterate in C past ``_getiter_``, which polices nothing here.
EXTRA_BUILTINS = (
    "all", "any", "dict", "enumerate", "filter", "frozenset", "iter", "list", "map", "max", "min", "next",
    "reversed", "set", "sorted", "sum", "tuple", "zip",
)
_INPLACE: dict[str, Callable[[object, object], object]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor, "@=": operator.imatmul,
}


class Violation(NamedTuple):
    """Something RestrictedPython's compiler rejects, at a 1-based line and 0-based column (like ``ast``)."""

    lineno: int
    col_offset: int
    message: str


class _LocatedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's own policy; only the error records change, to keep the column."""

    def error(self, node: ast.AST, info: str) -> None:
        self.errors.append(Violation(getattr(node, "lineno", 1) or 1, getattr(node, "col_offset", 0) or 0, info))


def violations(source: str, path: str) -> list[Violation]:
    """What RestrictedPython rejects in ``source``, in order; a syntax error raises ``RewardLoadError``."""
    return sorted(_compile(source, path).errors)


def compile_restricted_reward(source: str, path: str) -> types.CodeType:
    """Compile ``source`` under RestrictedPython's policy, or raise ``RewardLoadError`` naming the first rejected line."""
    result = _compile(source, path)
    if result.errors:
        first, *rest = sorted(result.errors)
        more = f" (and {len(rest)} more: `rewardbox lint --restricted` lists them)" if rest else ""
        raise RewardLoadError(f"RestrictedPython rejects this reward: {first.message}{more}", path=path, line=first.lineno)
    return result.code


def _compile(source: str, path: str) -> CompileResult:
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise RewardLoadError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    return compile_restricted_exec(tree, filename=path, policy=_LocatedPolicy)


def restricted_globals(module_name: str) -> dict[str, object]:
    """Globals for restricted code: safe builtins, the guards its compiled form calls, and a limited ``__import__``."""
    allowed_builtins = dict(safe_builtins)
    allowed_builtins.update({name: getattr(builtins, name) for name in EXTRA_BUILTINS})
    allowed_builtins["__import__"] = _guarded_import
    return {
        "__builtins__": allowed_builtins,
        "__name__": module_name,
        "__metaclass__": type,
        "_getattr_": safer_getattr_raise,
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplace,
        "_apply_": _apply,
        "_print_": _StdoutPrint,
    }


def _guarded_import(
    name: str, globals: dict | None = None, locals: dict | None = None, fromlist: Sequence[str] | None = (), level: int = 0
) -> types.ModuleType:
    """``__import__`` for restricted code: an allowed module's copy, or ImportError naming what is allowed."""
    if level != 0 or name not in ALLOWED_MODULES:
        raise ImportError(f"import of {name!r} is not allowed with restricted=True (allowed: {', '.join(ALLOWED_MODULES[1:])})")
    return _module_copy(name)


@functools.lru_cache(maxsize=None)
def _module_copy(name: str) -> types.ModuleType:
    """The public, non-module attributes of an allowed module, minus ``HIDDEN`` ones."""
    real = importlib.import_module(name)
    copy = types.ModuleType(name, real.__doc__)
    hidden = HIDDEN.get(name, frozenset())
    for attribute, value in vars(real).items():
        if not (attribute.startswith("_") or attribute in hidden or isinstance(value, types.ModuleType)):
            setattr(copy, attribute, value)
    return copy


def _inplace(op: str, target: object, value: object) -> object:
    return _INPLACE[op](target, value)


def _apply(function: Callable[..., object], *args: object, **kwargs: object) -> object:
    return function(*args, **kwargs)


class _StdoutPrint(PrintCollector):
    """``print`` in restricted code: written to the call's stdout as in normal mode (RestrictedPython only collects it)."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)
        super().write(text)
