"""A parsed reward module as the lint rules see it.

``Module`` answers the questions rules ask of source code, never by running it:
what a name refers to after imports (``qualified_name``), which function is the
reward and which code runs during a call (``in_call``), what a string or regex
literal is (``string_value``, ``regex_uses``), and whether an expression comes
from the completion or from the ground truth (``role``).
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Iterator, Literal, Union

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Scope = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
Role = Literal["completion", "truth"]
NO_ROLE: frozenset[Role] = frozenset()
Taint = dict[str, Union[frozenset[Role], None]]
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_LITERAL_NODES = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.unaryop, ast.expr_context)

# Names that say which side of the comparison a value is on (documented with RK120).
TRUTH_WORDS = frozenset(
    "gt gts gold golden truth truths ground label labels reference references ref refs target targets "
    "expected solution solutions sol sols".split()
)
COMPLETION_WORDS = frozenset(
    "completion completions response responses output outputs pred preds prediction predictions predicted "
    "generation generations generated candidate candidates hypothesis hyp model content contents extracted".split()
)
WEAK_COMPLETION_WORDS = frozenset({"answer", "answers", "ans"})  # the gold in some datasets (gsm8k's "answer" column)
_EXACT_ROLES: dict[str, Role] = {"solution_str": "completion", "solution_strs": "completion"}  # verl's names

REGEX_FUNCTIONS = frozenset({"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split", "compile"})
_TARGET_INDEX = {"sub": 2, "subn": 2}  # re.sub(pattern, repl, string); the rest take (pattern, string)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INLINE_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")
_INLINE_FLAG_VALUES = {"i": re.I, "m": re.M, "s": re.S, "x": re.X, "a": re.A, "u": re.U, "L": 0}


@dataclass(frozen=True)
class RegexUse:
    """A call that runs a regular expression: ``re.search(p, s)``, or ``P.search(s)`` for ``P = re.compile(p)``."""

    call: ast.Call
    method: str
    pattern: str | None  # None when the pattern is not a literal rewardbox can read
    pattern_node: ast.expr | None
    target: ast.expr | None  # the string searched (None for re.compile)
    flags: int


class Module:
    """A reward's source, parsed once, with the lookups every rule shares."""

    def __init__(self, tree: ast.Module, source: str, path: str, function: str, convention: str | None = None) -> None:
        self.tree, self.source, self.path, self.function_name = tree, source, path, function
        self.forced_convention = convention
        self.nodes: list[ast.AST] = list(ast.walk(tree))  # every node once, breadth first; rules iterate this
        self.parents: dict[ast.AST, ast.AST] = {child: node for node in self.nodes for child in ast.iter_child_nodes(node)}
        self.imports = _imports(self.nodes)
        self.functions: list[Function] = [n for n in self.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.module_statements = list(_module_statements(tree.body))
        self.reward = next(
            (s for s in self.module_statements if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == function),
            None,
        )
        self._locals: dict[Scope, frozenset[str]] = {}
        self._taints: dict[Scope, Taint] = {}
        self._assignments: dict[Scope, dict[str, list[ast.Assign]]] = {}
        self.lines = _LINE_BREAK.split(source)  # as the parser counts lines (not str.splitlines, which splits on \f too)
        self.script_lines = frozenset(  # under `if __name__ == "__main__":`, which the grader never runs
            line
            for statement in tree.body
            if isinstance(statement, ast.If) and _is_main_guard(statement.test)
            for line in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        )
        self.constants: dict[str, str] = {}
        for statement in self.module_statements:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                value = self.string_value(statement.value)
                if value is not None:
                    self.constants[statement.targets[0].id] = value

    @property
    def convention(self) -> str:
        """The harness convention the reward follows (``conventions.detect`` on its signature, or the one forced)."""
        return self.forced_convention or (convention_of(self.reward) if self.reward is not None else "rewardbox")

    def harness_functions(self) -> list[tuple[Function, str]]:
        """Module-level functions written in another harness's signature (TRL, verl, ...), with their convention."""
        found = []
        for statement in self.module_statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not statement.name.startswith("_"):
                convention = convention_of(statement)
                if convention != "rewardbox":
                    found.append((statement, convention))
        return found

    # ---- names --------------------------------------------------------------------------

    def qualified_name(self, expr: ast.AST) -> str | None:
        """``np.random.rand`` -> ``numpy.random.rand`` after ``import numpy as np``; bare names stay as they are."""
        if isinstance(expr, ast.Name):
            return self.imports.get(expr.id, expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.qualified_name(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def call_name(self, node: ast.AST) -> str | None:
        """The qualified name of what ``node`` calls, or None when it is not a call of a name."""
        return self.qualified_name(node.func) if isinstance(node, ast.Call) else None

    @functools.cached_property
    def module_bindings(self) -> frozenset[str]:
        """Names bound at module level (defs, classes, assignments, imports)."""
        names: set[str] = set()
        for statement in self.module_statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(statement.name)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
            else:
                for node in ast.walk(statement):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        names.add(node.id)
        return frozenset(names)

    def has_star_import(self) -> bool:
        return any(isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names) for s in self.module_statements)

    # ---- where code runs ------------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> Scope | None:
        """The innermost function or lambda around ``node``; None at module or class level."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, _SCOPES):
            parent = self.parents.get(parent)
        return parent

    @functools.cached_property
    def call_scopes(self) -> frozenset[Scope]:
        """Functions a call of the reward may run: the reward, what it refers to, and their nested functions.

        Name-based and generous: a referenced name pulls in every function of that
        name, and a referenced class all its methods. Without a reward function
        every function counts.
        """
        scopes = [n for n in self.nodes if isinstance(n, _SCOPES)]
        if self.reward is None:
            return frozenset(scopes)
        by_name: dict[str, list[Scope]] = {}
        for node in self.functions:
            by_name.setdefault(node.name, []).append(node)
        for node in self.nodes:
            if isinstance(node, ast.ClassDef):
                by_name.setdefault(node.name, []).extend(
                    n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
        seen: set[Scope] = set()
        todo: list[Scope] = [self.reward]
        while todo:
            scope = todo.pop()
            if scope in seen:
                continue
            seen.add(scope)
            for node in ast.walk(scope):
                if node is not scope and isinstance(node, _SCOPES):
                    todo.append(node)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    todo.extend(by_name.get(node.id, ()))
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    todo.extend(by_name.get(node.attr, ()))
        return frozenset(seen)

    def in_call(self, node: ast.AST) -> bool:
        """Whether ``node`` runs during a call of the reward (not once, when the module loads)."""
        scope = self.scope_of(node)
        return scope is not None and scope in self.call_scopes

    # ---- literals -------------------------------------------------------------------------

    def string_value(self, expr: ast.AST | None) -> str | None:
        """The value of a string built from literals and string constants (module-level, or assigned earlier in the function), else None."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value
        if isinstance(expr, ast.Name):
            local = self.assigned_value(expr) if self.scope_of(expr) is not None else None
            return self.string_value(local) if local is not None else self.constants.get(expr.id)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self.string_value(expr.left), self.string_value(expr.right)
            return left + right if left is not None and right is not None else None
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for part in expr.values:
                if isinstance(part, ast.FormattedValue):
                    if part.conversion != -1 or part.format_spec is not None:
                        return None
                    part = part.value
                value = self.string_value(part)
                if value is None:
                    return None
                parts.append(value)
            return "".join(parts)
        return None

    def regex_flags(self, expr: ast.AST | None) -> int:
        """``re.S | re.M`` as an int; flags that are not literal count as none."""
        if expr is None:
            return 0
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return self.regex_flags(expr.left) | self.regex_flags(expr.right)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
            return expr.value
        name = self.qualified_name(expr) or ""
        module, _, flag = name.rpartition(".")
        value = getattr(re, flag, None) if module in ("re", "regex") else None
        return int(value) if isinstance(value, re.RegexFlag) else 0

    @functools.cached_property
    def regex_uses(self) -> list[RegexUse]:
        """Every call that runs a regex, with its pattern literal and flags when they can be read."""
        compiled: dict[tuple[Scope | None, str], RegexUse] = {}
        uses: list[RegexUse] = []
        for node in self.nodes:
            if not isinstance(node, ast.Call):
                continue
            use = self._module_regex_call(node) or self._compiled_regex_call(node, compiled)
            if use is None:
                continue
            uses.append(use)
            binding = self.parents.get(node)
            if use.method == "compile" and isinstance(binding, ast.Assign) and len(binding.targets) == 1:
                target = binding.targets[0]
                if isinstance(target, ast.Name):
                    compiled[(self.scope_of(node), target.id)] = use
        return uses

    def _module_regex_call(self, call: ast.Call) -> RegexUse | None:
        module, _, method = (self.call_name(call) or "").rpartition(".")
        if module not in ("re", "regex") or method not in REGEX_FUNCTIONS:
            return None
        pattern_node = _argument(call, 0, "pattern")
        target = None if method == "compile" else _argument(call, _TARGET_INDEX.get(method, 1), "string")
        flags_index = {"compile": 1, "sub": 4, "subn": 4, "split": 3}.get(method, 2)
        flags = self.regex_flags(_argument(call, flags_index, "flags"))
        return self._use(call, method, pattern_node, target, flags)

    def _compiled_regex_call(self, call: ast.Call, compiled: dict[tuple[Scope | None, str], RegexUse]) -> RegexUse | None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in REGEX_FUNCTIONS):
            return None
        scope = self.scope_of(call)
        origin = compiled.get((scope, func.value.id)) or compiled.get((None, func.value.id))
        if origin is None or func.attr == "compile":
            return None
        target = _argument(call, 1 if func.attr in _TARGET_INDEX else 0, "string")
        return RegexUse(call, func.attr, origin.pattern, origin.pattern_node, target, origin.flags)

    def _use(self, call: ast.Call, method: str, pattern_node: ast.expr | None, target: ast.expr | None, flags: int) -> RegexUse:
        pattern = self.string_value(pattern_node)
        if pattern is not None:
            inline = _INLINE_FLAGS.match(pattern)
            for letter in inline.group(1) if inline else "":
                flags |= _INLINE_FLAG_VALUES[letter]
        return RegexUse(call, method, pattern, pattern_node, target, flags)

    # ---- value flow -----------------------------------------------------------------------

    def bool_only(self, expr: ast.AST, depth: int = 0) -> bool:
        """Whether the value of ``expr`` is only ever tested for truth (``if m:``, ``1.0 if m else 0.0``, ``bool(m)``).

        Follows one assignment (``m = re.match(...)``) or a comprehension
        (``matches = [re.match(...) for c in cs]`` then ``for m in matches``).
        """
        if depth > 3:
            return False
        parent = self.parents.get(expr)
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is expr:
            return True
        if isinstance(parent, (ast.UnaryOp,)) and isinstance(parent.op, ast.Not):
            return True
        if isinstance(parent, ast.BoolOp):
            return parent.values[-1] is not expr or self.bool_only(parent, depth + 1)
        if isinstance(parent, ast.Call) and self.qualified_name(parent.func) == "bool":
            return True
        if isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops):
            return True
        if isinstance(parent, ast.comprehension) and parent.iter is expr:
            return all(self.bool_only(use, depth + 1) for use in self._loads_of(parent.target, self.parents[parent]))
        if isinstance(parent, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and parent.elt is expr:
            return self.bool_only(parent, depth + 1)
        if isinstance(parent, (ast.Assign, ast.NamedExpr)):
            target = parent.targets[0] if isinstance(parent, ast.Assign) and len(parent.targets) == 1 else getattr(parent, "target", None)
            scope = self.scope_of(parent)
            uses = self._loads_of(target, scope) if scope is not None else []
            return bool(uses) and all(self.bool_only(use, depth + 1) for use in uses)
        return False

    def _loads_of(self, target: ast.AST | None, scope: ast.AST) -> list[ast.Name]:
        if not isinstance(target, ast.Name):
            return []
        return [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == target.id and isinstance(n.ctx, ast.Load)]

    def assigned_value(self, name: ast.Name) -> ast.expr | None:
        """The expression a local name was last assigned before ``name`` (in source order), if any."""
        scope = self.scope_of(name)
        if scope is None:
            return None
        if scope not in self._assignments:
            table: dict[str, list[ast.Assign]] = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    table.setdefault(node.targets[0].id, []).append(node)
            self._assignments[scope] = table
        earlier = [node for node in self._assignments[scope].get(name.id, ()) if node.lineno < name.lineno]
        return max(earlier, key=lambda node: node.lineno).value if earlier else None

    def role(self, expr: ast.AST) -> frozenset[Role]:
        """Whether ``expr`` is derived from the completion, the ground truth, both, or neither.

        In the reward function the first parameter is the completion and the
        second the ground truth; values assigned from them carry their role.
        Elsewhere names tell (``TRUTH_WORDS``, ``COMPLETION_WORDS``).
        """
        scope = self.scope_of(expr)
        taint = self._taint(scope) if scope is not None else {}
        return self._role(expr, taint, scope)

    def _role(self, expr: ast.AST, taint: Taint, scope: Scope | None) -> frozenset[Role]:
        if isinstance(expr, ast.Name):
            if expr.id in taint and taint[expr.id] is None:
                return NO_ROLE  # assigned a literal: its name says nothing (expected_tag = "<answer>")
            if taint.get(expr.id):
                return taint[expr.id]
            if scope is not None and expr.id in self.module_bindings and expr.id not in self.local_names(scope):
                return NO_ROLE  # a module-level constant or helper
            return self._name_role(expr.id, scope)
        if isinstance(expr, (ast.Constant, ast.Compare, ast.Lambda)):
            return NO_ROLE
        roles: frozenset[Role] = NO_ROLE
        for child in ast.iter_child_nodes(expr):
            if isinstance(child, ast.expr):
                roles |= self._role(child, taint, scope)
            elif isinstance(child, (ast.keyword, ast.comprehension)):
                roles |= self._role(child.value if isinstance(child, ast.keyword) else child.iter, taint, scope)
        return roles

    def _name_role(self, name: str, scope: Scope | None) -> frozenset[Role]:
        role = name_role(name)
        if name.lower() in WEAK_COMPLETION_WORDS and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            others = [name_role(a.arg) for a in _parameters(scope) if a.arg != name]
            if any(r == frozenset({"completion"}) for r in others) and not any(r == frozenset({"truth"}) for r in others):
                return frozenset({"truth"})  # reward(completion, answer): the dataset's answer column is the gold
        return role

    def local_names(self, scope: Scope) -> frozenset[str]:
        """Parameters and names assigned in ``scope``."""
        if scope not in self._locals:
            names = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)}
            names.update(n.id for n in ast.walk(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
            self._locals[scope] = frozenset(names)
        return self._locals[scope]

    def _taint(self, scope: Scope) -> Taint:
        """Name -> role of what it was assigned in ``scope`` (None: a literal)."""
        if scope in self._taints:
            return self._taints[scope]
        taint: Taint = {}
        self._taints[scope] = taint
        if scope is self.reward:
            positional = [*scope.args.posonlyargs, *scope.args.args]
            for argument, role in zip(positional, ("completion", "truth")):
                taint[argument.arg] = frozenset({role})
        for _ in range(2):  # a second pass carries roles around loops
            for node in _in_order(scope):
                if isinstance(node, ast.Assign):
                    value_role = None if self._is_fixed(node.value, scope) else self._role(node.value, taint, scope)
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            taint[target.id] = value_role
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name) and node.value is not None:
                    earlier = (taint.get(node.target.id) or NO_ROLE) if isinstance(node, ast.AugAssign) else NO_ROLE
                    taint[node.target.id] = self._role(node.value, taint, scope) | earlier
                elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
                    taint[node.target.id] = None if self._is_fixed(node.iter, scope) else self._role(node.iter, taint, scope)
        return taint

    def _is_fixed(self, expr: ast.AST, scope: Scope) -> bool:
        """A value that does not come from the inputs: literals, and module-level names (``LABELS``, ``TAGS``)."""
        if isinstance(expr, ast.Name):
            return expr.id in self.module_bindings and expr.id not in self.local_names(scope)
        return self.string_value(expr) is not None or all(isinstance(node, _LITERAL_NODES) for node in ast.walk(expr))

    def is_container(self, expr: ast.AST, depth: int = 0) -> bool:
        """Whether ``expr`` is a collection (so ``x in expr`` is membership, not substring search)."""
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return True
        if isinstance(expr, ast.Call):
            name = self.call_name(expr) or ""
            if name in ("list", "set", "tuple", "dict", "frozenset", "sorted", "json.loads", "re.findall", "regex.findall"):
                return True
            return isinstance(expr.func, ast.Attribute) and expr.func.attr in ("split", "rsplit", "splitlines", "keys", "values", "items", "findall")
        if isinstance(expr, ast.Name) and depth < 3:
            value = self.assigned_value(expr)
            return value is not None and self.is_container(value, depth + 1)
        return False

    # ---- text -------------------------------------------------------------------------------

    def snippet(self, node: ast.AST, limit: int = 60) -> str:
        """The source of ``node`` on one line, shortened to ``limit`` characters."""
        text = " ".join((self._segment(node) or ast.unparse(node)).split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _segment(self, node: ast.AST) -> str | None:
        """``ast.get_source_segment`` without splitting the whole source on every call."""
        first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if first is None or last is None or last > len(self.lines):
            return None
        chunk = [line.encode() for line in self.lines[first - 1 : last]]
        chunk[-1] = chunk[-1][: node.end_col_offset]
        chunk[0] = chunk[0][node.col_offset :]
        return b"\n".join(chunk).decode("utf-8", "replace")


def convention_of(function: Function) -> str:
    """``conventions.detect`` for a ``def`` read from source (through ``Binding.of_def``: nothing of it runs)."""
    from ..runtime.binding import Binding

    try:
        return Binding.of_def(function).convention
    except TypeError:
        return "rewardbox"


def name_role(name: str) -> frozenset[Role]:
    """The role a variable name announces: ``gold_answer`` -> truth, ``pred`` -> completion, ``x`` -> none."""
    lowered = name.lower()
    if lowered in _EXACT_ROLES:
        return frozenset({_EXACT_ROLES[lowered]})
    words = name_words(name)
    truth, completion = words & TRUTH_WORDS, words & COMPLETION_WORDS
    if truth and completion:
        return NO_ROLE
    if truth:
        return frozenset({"truth"})
    if completion or words & WEAK_COMPLETION_WORDS:
        return frozenset({"completion"})
    return NO_ROLE


def name_words(name: str) -> set[str]:
    """The lower-case words of an identifier: ``goldAnswer_2`` -> {"gold", "answer"}."""
    return set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()))


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _parameters(function: Function) -> list[ast.arg]:
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _imports(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name -> what it was imported as, from every import in the module."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{base}.{alias.name}" if base and not base.endswith(".") else base + alias.name
    return names


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at module level, looking inside if/try/with blocks but not defs or classes."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or type(statement).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(statement, field, []))
            for handler in getattr(statement, "handlers", []):
                yield from _module_statements(handler.body)


def _in_order(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of ``scope`` in source order, not entering nested functions or classes."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield child
        yield from _in_order(child)
