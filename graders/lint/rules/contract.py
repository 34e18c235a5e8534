"""RK13x: the reward contract (a function of two strings returning a number, the same for the same input)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

from ...runtime.binding import Binding
from ..model import Module
from ..registry import Hit, rule

BROAD_EXCEPTIONS = {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
EXITS = {"sys.exit", "exit", "quit", "os._exit", "os.abort"}
MUTABLE_FACTORIES = {
    "dict", "list", "set", "collections.defaultdict", "collections.OrderedDict", "collections.Counter",
    "collections.deque", "defaultdict", "OrderedDict", "Counter", "deque",
}
MUTATING_METHODS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "clear", "remove", "discard",
    "appendleft", "extendleft", "popleft", "sort", "reverse", "__setitem__",
}
_CONTAINER_NAMES = {ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
                    ast.ListComp: "a list", ast.DictComp: "a dict", ast.SetComp: "a set", ast.GeneratorExp: "a generator"}


@rule("RK130", "broad-except-credit", "error")
def broad_except_credit(module: Module) -> Iterator[Hit]:
    """A broad `except` whose handler returns positive credit.

    What it finds:
        `except:`, `except Exception:` and `except BaseException:` (alone or in a tuple) whose handler returns a
        positive number or `True`, in any function of the reward.

    Why it hurts training:
        An exception in a grader means it could not grade: paying for it teaches the policy to produce inputs
        that crash the grader (huge numbers for sympy, malformed LaTeX for the parser). Broad handlers also hide
        real failures: Math-Verify's `signal.alarm` raises off the main thread, and behind a broad `except` verl
        scored every MATH sample the same for a whole run (verl #5635). rewardbox already turns an exception
        into the failure score with a recorded status and traceback.

    Example:
        def compute_reward(completion, ground_truth):
            try:
                return float(verify(parse(ground_truth), parse(completion)))
            except Exception:
                return 0.5

    Use instead:
        Let it raise (the grader records `status="exception"` and scores `failure_score`), or catch the specific
        parse error and return 0.0.

    Not flagged:
        Handlers that return 0, a negative penalty, `False` or a computed value, handlers that re-raise, and
        specific exceptions (`except ValueError: return 0.5` is a deliberate choice).
    """
    for node in module.nodes:
        if not (isinstance(node, ast.ExceptHandler) and _is_broad(module, node.type)):
            continue
        caught = "except" if node.type is None else f"except {module.snippet(node.type)}"
        for statement in _own_statements(node.body):
            if isinstance(statement, ast.Return) and _positive_constant(statement.value):
                yield statement, f"`{caught}` returns {module.snippet(statement.value)}: any input that makes the grader raise earns credit"


def _is_broad(module: Module, caught: ast.expr | None) -> bool:
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_is_broad(module, element) for element in caught.elts)
    return module.qualified_name(caught) in BROAD_EXCEPTIONS


def _positive_constant(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and value.value > 0


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of ``body`` and its nested blocks, not entering nested functions or classes."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _own_statements(getattr(statement, field, []))
        for inner in getattr(statement, "handlers", []) + getattr(statement, "cases", []):
            yield from _own_statements(inner.body)


@rule("RK131", "implicit-none", "error")
def implicit_none(module: Module) -> Iterator[Hit]:
    """A path through the reward function that ends without `return`.

    What it finds:
        The last statement of `compute_reward` (or the function named with `file.py:function`) where control can
        fall off the end: an `if` without `else`, a loop that can finish, a `try` whose handler does not return.

    Why it hurts training:
        Falling off the end returns `None`. rewardbox scores it `invalid_return`; TRL turns None into NaN and
        drops that function for the sample, and a NaN that reaches the advantages makes them all NaN, so
        training silently does nothing (ms-swift #8123). The missing path is usually the one nobody tested:
        no answer found.

    Example:
        def compute_reward(completion, ground_truth):
            match = ANSWER.search(completion)
            if match:
                return float(match.group(1) == ground_truth)

    Use instead:
        End every path with a number: `return 0.0` after the `if`.

    Not flagged:
        Paths that end in `raise`, `sys.exit()`, `while True:` without `break`, or an exhaustive `match` with
        `case _:`; helper functions (returning None from a helper is normal).
    """
    reward = module.reward
    if reward is None:
        return
    returns = [s for s in _own_statements(reward.body) if isinstance(s, ast.Return)]
    if not returns and _falls_through(module, reward.body) is not None:
        yield reward, f"`{reward.name}` never returns a value: every call returns None, which the grader scores invalid_return"
        return
    end = _falls_through(module, reward.body)
    if end is not None:
        yield end, f"`{reward.name}` can end here without `return`: that path returns None, which the grader scores invalid_return"


def _falls_through(module: Module, body: list[ast.stmt]) -> ast.stmt | None:
    """The statement after which control can leave ``body`` at its end, or None when every path exits."""
    for statement in body[:-1]:
        if _end_of(module, statement) is None:
            return None  # what follows is unreachable
    return _end_of(module, body[-1]) if body else None


def _end_of(module: Module, statement: ast.stmt) -> ast.stmt | None:
    """Where control can pass from ``statement`` to the next one, or None when it always leaves the function."""
    if isinstance(statement, (ast.Return, ast.Raise)):
        return None
    if isinstance(statement, ast.Expr) and module.call_name(statement.value) in EXITS:
        return None
    if isinstance(statement, ast.Assert) and isinstance(statement.test, ast.Constant) and not statement.test.value:
        return None
    if isinstance(statement, ast.While):
        endless = isinstance(statement.test, ast.Constant) and bool(statement.test.value)
        return None if endless and not _breaks(statement.body) else statement
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        exits = statement.orelse and not _breaks(statement.body) and _falls_through(module, statement.orelse) is None
        return None if exits else statement
    if isinstance(statement, ast.If):
        if not statement.orelse:
            return statement
        return _falls_through(module, statement.body) or _falls_through(module, statement.orelse)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return _falls_through(module, statement.body)
    if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        if statement.finalbody and _falls_through(module, statement.finalbody) is None:
            return None
        main = _falls_through(module, statement.body)
        if main is not None and statement.orelse:
            main = _falls_through(module, statement.orelse)
        return main or next((end for h in statement.handlers if (end := _falls_through(module, h.body))), None)
    if isinstance(statement, ast.Match):
        irrefutable = any(isinstance(c.pattern, ast.MatchAs) and c.pattern.pattern is None and c.guard is None for c in statement.cases)
        return next((end for c in statement.cases if (end := _falls_through(module, c.body))), None) if irrefutable else statement
    return statement


def _breaks(body: list[ast.stmt]) -> bool:
    """Whether a ``break`` in ``body`` (not in a nested loop) can leave the loop."""
    for statement in body:
        if isinstance(statement, ast.Break):
            return True
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested = [getattr(statement, f, []) for f in ("body", "orelse", "finalbody")]
        nested += [inner.body for inner in getattr(statement, "handlers", []) + getattr(statement, "cases", [])]
        if any(_breaks(block) for block in nested):
            return True
    return False


@rule("RK132", "non-number-return", "error")
def non_number_return(module: Module) -> Iterator[Hit]:
    """The reward function returns None, a string, or a container.

    What it finds:
        In the reward function itself: bare `return`, `return None`, and returns of a string, bytes, f-string,
        list, tuple, dict, set or comprehension literal.

    Why it hurts training:
        The contract is one finite number per completion. rewardbox scores anything else `invalid_return`; TRL
        turns None into NaN (and NaN advantages silently stop learning, ms-swift #8123), and a one-element list
        returned where a number is expected gets broadcast to the whole batch (TRL #6533). A dict is verl's
        `{"score": ...}` convention, which rewardbox does not read.

    Example:
        def compute_reward(completion, ground_truth):
            if not completion.strip():
                return None
            return {"score": float(completion.strip() == ground_truth), "format": 1.0}

    Use instead:
        Return a float (`0.0` for no answer). Report sub-scores with
        `rewardbox.graders.runtime.frames.record_components({"format": 1.0})`.

    Not flagged:
        `True`/`False` (they count as 1.0/0.0), helper functions, and rewards in another harness's signature,
        which return as that harness reads (a TRL list with None for "does not apply", verl's dict).
    """
    reward = module.reward
    if reward is None or module.convention != "rewardbox":
        return
    for statement in _own_statements(reward.body):
        if not isinstance(statement, ast.Return):
            continue
        value = statement.value
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            yield statement, f"`{reward.name}` returns None here: the grader scores it invalid_return (TRL: NaN); return 0.0"
        elif isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)) or isinstance(value, ast.JoinedStr):
            yield statement, f"`{reward.name}` returns a string (`{module.snippet(value)}`): a reward returns a number"
        elif type(value) in _CONTAINER_NAMES:
            kind = _CONTAINER_NAMES[type(value)]
            hint = " (verl-style; return the score and use record_components for the rest)" if isinstance(value, ast.Dict) else ""
            yield statement, f"`{reward.name}` returns {kind}{hint}: a reward returns one number per completion"


@rule("RK133", "module-state", "warning")
def module_state(module: Module) -> Iterator[Hit]:
    """Module-level state changed during a call.

    What it finds:
        In the code a call runs: item assignment, `del`, augmented assignment or mutating methods (`append`,
        `update`, `setdefault`, `pop`, ...) on a module-level dict, list, set, `defaultdict`, `Counter` or
        `deque`, and `global` statements for names the function assigns.

    Why it hurts training:
        A score must be a function of its two inputs. State kept between calls makes it a function of the call
        history too: a counter, a "seen answers" set that stops paying for repeats, a cache whose key misses
        part of the input. Results then change with batch order and with how many calls share a process (one
        per call in the sandbox by default, all of them in an in-process trainer), which `rewardbox check`
        detects by reordering calls.

    Example:
        SEEN = set()

        def compute_reward(completion, ground_truth):
            if completion in SEEN:
                return 0.0
            SEEN.add(completion)
            return float(completion.strip() == ground_truth)

    Use instead:
        Keep per-call state local. Memoise a pure helper with `functools.lru_cache`, which cannot leak
        state into the result.

    Not flagged:
        Module-level code that builds tables at load, `functools.lru_cache`/`cache` decorated helpers, and
        local variables that shadow a module-level name.
    """
    mutable = _mutable_globals(module)
    for scope in module.call_scopes:
        local = module.local_names(scope)
        declared_global = {name for node in ast.walk(scope) if isinstance(node, ast.Global) for name in node.names}
        for node in ast.walk(scope):
            if isinstance(node, ast.Global) and module.scope_of(node) is scope:
                assigned = [name for name in node.names if name in local]
                if assigned:
                    yield node, f"`global {', '.join(assigned)}` is reassigned during a call: later calls see what earlier ones left"
                continue
            name, action = _mutation(node)
            if name and name in mutable and (name not in local or name in declared_global) and module.scope_of(node) is scope:
                yield node, f"`{module.snippet(node)}` {action} module-level `{name}` during a call: results then depend on earlier calls"


def _mutable_globals(module: Module) -> set[str]:
    names = set()
    for statement in module.module_statements:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            value = statement.value
            mutable = isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)) or (
                module.call_name(value) in MUTABLE_FACTORIES
            )
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if mutable:
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _mutation(node: ast.AST) -> tuple[str | None, str]:
    """The name a statement or call changes in place, and how."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                return target.value.id, "deletes from" if isinstance(node, ast.Delete) else "writes to"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        if node.func.attr in MUTATING_METHODS:
            return node.func.value.id, "changes"
    return None, ""


@rule("RK134", "missing-reward", "error")
def missing_reward(module: Module) -> Iterator[Hit]:
    """The module defines no reward function.

    What it finds:
        A module with no `compute_reward` (or the function named with `file.py:function` / `module:function`)
        defined, assigned or imported at module level.

    Why it hurts training:
        Nothing can be graded: the grader refuses to load the reward. Catching it in lint saves starting a
        sandbox (or a training job) to find out; TRL- and verl-style files name their functions differently
        (`accuracy_reward`, `compute_score`) and are the usual cause.

    Example:
        def compute_score(data_source, solution_str, ground_truth, extra_info=None):
            ...

    Use instead:
        Point at your function, in whichever harness's signature it is written (TRL, verl, OpenRLHF,
        verifiers, reasoning-gym, OpenAI): `rewardbox lint reward.py:compute_score`; the message lists the
        functions found in such a signature. Or define `compute_reward(completion, ground_truth)`.

    Not flagged:
        Modules with a `from x import *` (the name may come from there).
    """
    if module.function_name not in module.module_bindings and not module.has_star_import():
        found = module.harness_functions()
        if found:
            listed = ", ".join(f"`{function.name}` ({convention}, line {function.lineno})" for function, convention in found)
            yield ast.Pass(lineno=1, col_offset=0), (
                f"no function `{module.function_name}` is defined; reward functions in another harness's signature: {listed}; "
                f"name one: {Path(module.path).name}:{found[0][0].name}"
            )
        else:
            yield ast.Pass(lineno=1, col_offset=0), f"no function `{module.function_name}` is defined: the grader loads `{module.function_name}(completion, ground_truth)`"


@rule("RK135", "reward-arity", "error")
def reward_arity(module: Module) -> Iterator[Hit]:
    """A reward function whose parameters no dataset row can fill.

    What it finds:
        A reward `def` with no positional parameter for the completion, the completion or ground truth
        in the wrong place (`def compute_reward(self, completion, ground_truth)` at module level), or a
        required positional-only parameter after the ground truth.

    Why it hurts training:
        The grader calls the reward as `compute_reward(completion, ground_truth, **fields)`: the first
        parameter gets the completion, the second the ground truth, the others the row's fields of the
        same name. A signature that cannot take that is a load error at best; in other harnesses it is a
        `TypeError` on every sample (EasyR1 #338) or, with verl's `data_source` first, the arguments land in
        the wrong parameters (verl #3374).

    Example:
        def compute_reward(self, completion, ground_truth):
            ...

    Use instead:
        `def compute_reward(completion: str, ground_truth) -> float`; further parameters are filled from the
        row's fields of the same name (`data_source`, `extra_info`), and `compute_reward(completion)` takes
        no ground truth.

    Not flagged:
        `*args`/`**kwargs` signatures, required parameters a row field can fill (a row without the
        field is that row's `invalid_input`, naming it), and signatures of another harness that rewardbox
        takes as written (TRL, verl, OpenRLHF, verifiers, reasoning-gym, OpenAI; docs/rows.md).
    """
    reward = module.reward
    if reward is None or module.convention != "rewardbox":
        return
    try:
        Binding.of_def(reward)
    except TypeError as exc:
        yield reward, f"{exc}: the grader calls {reward.name}(completion, ground_truth, **row_fields)"
