"""Run the lint rules over a reward's source: ``lint_source`` and ``lint_reward``. Nothing is executed.

Findings are located like ruff's (1-based line, 1-based column in characters)
and can be silenced on their line with ``# noqa`` or ``# noqa: RK120,RK121``.
Code under ``if __name__ == "__main__":`` is not reported: the grader never runs it.
"""

from __future__ import annotations

import ast
import importlib.machinery
import os
import re
import sys
from typing import Iterable

from pydantic import BaseModel, ConfigDict

from ..errors import RewardLoadError
from ..runtime.loader import read_source
from ..runtime.sources import DEFAULT_FUNCTION, RewardSource
from . import rules as _rules  # noqa: F401 - registers every rule
from .model import Module
from .registry import RULES, Rule, Severity

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


class Finding(BaseModel):
    """One problem found in a reward's source, located like a compiler error."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


def select_rules(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Rule]:
    """The rules ``select`` (codes or prefixes; default all) keeps and ``ignore`` drops; an unknown code raises ValueError."""
    chosen = _matching(select) if select is not None else set(RULES)
    chosen -= _matching(ignore or ())
    return [RULES[code] for code in sorted(chosen)]


def _matching(codes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for code in codes:
        prefix = code.strip().upper()
        matches = {c for c in RULES if c.startswith(prefix)} if prefix else set()
        if not matches:
            raise ValueError(f"unknown rule code {code!r} (codes are RK101 to {max(RULES)}, or a prefix such as RK12)")
        found |= matches
    return found


def lint_source(
    source: str,
    path: str = "<string>",
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    function: str = DEFAULT_FUNCTION,
    restricted: bool = False,
    convention: str | None = None,
) -> list[Finding]:
    """Findings for reward source code, sorted by position; a syntax error raises ``RewardLoadError`` with the line.

    ``function`` is the reward's name; ``restricted`` also reports what
    RestrictedPython rejects (RK190); ``convention`` names the harness signature
    it is written in (else read from it).
    """
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise RewardLoadError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    module = Module(tree, source, path, function, convention)
    lines = module.lines
    findings = []
    for rule in select_rules(select, ignore):
        if rule.opt_in and not restricted:
            continue
        for where, message in rule.check(module):
            line, col = where.lineno, _column(lines, where.lineno, where.col_offset)
            if line not in module.script_lines and not _suppressed(lines, line, rule.code):
                findings.append(Finding(code=rule.code, severity=rule.severity, path=path, line=line, col=col, message=message))
    return sorted(set(findings), key=lambda f: (f.line, f.col, f.code, f.message))


def lint_reward(
    reward: str | RewardSource,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    restricted: bool = False,
    convention: str | None = None,
) -> list[Finding]:
    """Lint a reward given as ``Grader`` takes it: a .py path, source code, ``module:function`` or ``library:NAME``.

    Modules are found on ``sys.path`` without importing them. Library rewards are
    rewardbox's own, linted by its test suite: they give no findings. A missing
    file, a module without source or a syntax error raises ``RewardLoadError``.
    """
    source = reward if isinstance(reward, RewardSource) else RewardSource.parse(reward)
    if source.kind == "library":
        return []
    if source.kind == "pickle":
        raise RewardLoadError(f"{source.describe()} was shipped by value and has no source file to lint; lint the file that defines it")
    if source.kind == "code":
        text, path = source.target, "<string>"
    else:
        path = source.target if source.kind == "file" else module_file(source.target)
        text = read_source(path)
        path = _display_path(path)
    return lint_source(text, path, select, ignore, function=source.function, restricted=restricted, convention=convention or source.convention)


def reward_convention(reward: str | RewardSource) -> str | None:
    """The harness convention a reward's signature follows (``conventions.detect``), None when it has no ``def`` to read."""
    from .model import convention_of

    source = reward if isinstance(reward, RewardSource) else RewardSource.parse(reward)
    if source.kind not in ("file", "code", "module"):
        return None
    path = source.target if source.kind == "file" else module_file(source.target) if source.kind == "module" else None
    tree = ast.parse(source.target if path is None else read_source(path))
    found = next((node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == source.function), None)
    return source.convention or (convention_of(found) if found is not None else None)


def module_file(module: str) -> str:
    """The source file of ``module``, found on ``sys.path`` without importing it or its parents."""
    parts = module.split(".")
    spec = importlib.machinery.PathFinder.find_spec(parts[0], sys.path)
    for index in range(1, len(parts)):
        if spec is None or not spec.submodule_search_locations:
            spec = None
            break
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: index + 1]), list(spec.submodule_search_locations))
    if spec is None and parts[0] in sys.builtin_module_names:
        raise RewardLoadError(f"module {module!r} is built into Python and has no Python source file to lint")
    if spec is None:
        raise RewardLoadError(f"no module named {module!r} on the import path")
    if not spec.origin or not spec.origin.endswith(".py"):
        raise RewardLoadError(f"module {module!r} has no Python source file to lint ({spec.origin or 'namespace package'})")
    return spec.origin


def _display_path(path: str) -> str:
    """A path relative to the working directory when it lies inside it, as ruff prints them."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _column(lines: list[str], line: int, offset: int) -> int:
    """1-based character column from ast's UTF-8 byte offset."""
    if not 0 < line <= len(lines):
        return offset + 1
    return len(lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "replace")) + 1


def _suppressed(lines: list[str], line: int, code: str) -> bool:
    if not 0 < line <= len(lines):
        return False
    match = _NOQA.search(lines[line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in {c.strip().upper() for c in codes.split(",")}
