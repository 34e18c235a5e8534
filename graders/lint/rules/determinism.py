"""RK11x: results that change from run to run (randomness, clocks, hashes, set order)."""

from __future__ import annotations

import ast
from typing import Iterator

from ..model import Module, Scope
from ..registry import Hit, rule

GLOBAL_RNG_FUNCTIONS = {
    "random": {"random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
               "normalvariate", "triangular", "betavariate", "expovariate", "getrandbits", "randbytes"},
    "numpy.random": {"rand", "randn", "randint", "random", "random_sample", "choice", "shuffle", "permutation",
                     "uniform", "normal", "binomial", "poisson", "integers"},
}
SEEDERS = {"random": "random.seed", "numpy.random": "numpy.random.seed"}
RNG_CONSTRUCTORS = {"random.Random", "numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator"}
UNSEEDABLE = {
    "secrets.choice", "secrets.randbelow", "secrets.randbits", "secrets.token_hex", "secrets.token_bytes",
    "secrets.token_urlsafe", "uuid.uuid1", "uuid.uuid4", "os.urandom", "random.SystemRandom",
}
WALL_CLOCKS = {
    "time.time", "time.time_ns", "time.ctime", "time.localtime", "time.gmtime", "time.asctime", "time.strftime",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "datetime.now", "datetime.utcnow", "datetime.today", "date.today",
}
ELAPSED_CLOCKS = {"time.monotonic", "time.monotonic_ns", "time.perf_counter", "time.perf_counter_ns", "time.process_time", "time.thread_time"}
ORDER_FREE_CONSUMERS = {"sorted", "len", "sum", "min", "max", "any", "all", "set", "frozenset", "collections.Counter", "Counter"}
ORDER_CONSUMERS = {"list", "tuple", "enumerate", "zip", "next", "iter"}


@rule("RK110", "unseeded-random", "warning")
def unseeded_random(module: Module) -> Iterator[Hit]:
    """Randomness without a fixed seed in the code a call runs.

    What it finds:
        Calls of the global `random` and `numpy.random` functions during a call, unless a fixed seed is set at
        module level or earlier in the same function; `random.Random()`, `numpy.random.default_rng()` and `RandomState()` without a
        seed anywhere; and unseedable sources (`secrets`, `uuid.uuid4`, `os.urandom`, `SystemRandom`).

    Why it hurts training:
        GRPO's advantage is a score minus its group's mean: noise in the reward is noise in every gradient, and
        a reward that differs between two identical completions rewards luck. Sampling-based judges and
        IFEval's `langdetect` (non-deterministic unless `DetectorFactory.seed` is set) are the real cases. The
        sandbox seeds `random` and numpy per call, which hides the problem from `rewardbox grade` but not from an
        in-process trainer, and `rewardbox check` varies the seed to expose it.

    Example:
        import random

        def compute_reward(completion, ground_truth):
            tests = random.sample(ALL_TESTS, 5)
            return sum(run(t, completion) for t in tests) / 5

    Use instead:
        Derive choices from the input with a fixed seed: `random.Random(0)` or
        `numpy.random.default_rng(0)`, or seed from a stable digest such as
        `int(hashlib.sha256(completion.encode()).hexdigest(), 16)`.

    Not flagged:
        Global-RNG calls after `random.seed(<value>)` / `numpy.random.seed(<value>)` at module level or in the same
        function, and module-level code (it runs once, at load).
    """
    seeds = [
        (family, module.scope_of(node))
        for node in module.nodes
        for family, seeder in SEEDERS.items()
        if module.call_name(node) == seeder and node.args and not _is_none(node.args[0])
    ]
    for node in module.nodes:
        if not isinstance(node, ast.Call):
            continue
        name = module.call_name(node) or ""
        family, _, function = name.rpartition(".")
        if name in RNG_CONSTRUCTORS and (not node.args or _is_none(node.args[0])) and not _keyword(node, "seed", "x"):
            yield node, f"`{module.snippet(node)}` is seeded from the OS: its numbers, and the scores that use them, change every run"
        elif module.in_call(node) and name in UNSEEDABLE:
            yield node, f"`{name}` cannot be seeded: a score that uses it changes from call to call"
        elif module.in_call(node) and function in GLOBAL_RNG_FUNCTIONS.get(family, ()) and not _seeded(family, module.scope_of(node), seeds):
            yield node, f"`{name}` draws from the global RNG without a fixed seed: the score can change between identical calls"


def _seeded(family: str, scope: Scope | None, seeds: list[tuple[str, Scope | None]]) -> bool:
    """A fixed seed for ``family`` at module level or in the same function."""
    return any(f == family and (where is None or where is scope) for f, where in seeds)


def _is_none(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _keyword(call: ast.Call, *names: str) -> bool:
    return any(k.arg in names and not _is_none(k.value) for k in call.keywords)


@rule("RK111", "wall-clock", "warning")
def wall_clock(module: Module) -> Iterator[Hit]:
    """The current time, or a deadline measured in wall-clock time, in the code a call runs.

    What it finds:
        `time.time()`, `datetime.now()`, `date.today()` and other readings of the current time during a call, and
        elapsed-time clocks (`time.monotonic`, `time.perf_counter`, ...) compared against a budget.

    Why it hurts training:
        A score that depends on the clock differs between identical calls. Deadlines are the common form: a
        reward that gives up after N seconds grades the same completion differently on a loaded machine than on
        an idle one ("wall-clock timeouts depend on load"), and thread-based timeouts such as tinker-cookbook's
        `run_with_timeout_signal` return late anyway.

    Example:
        import time

        def compute_reward(completion, ground_truth):
            deadline = time.monotonic() + 2.0
            for step in candidate_steps(completion):
                if time.monotonic() > deadline:
                    return 0.0
                ...

    Use instead:
        Bound work by size (characters, steps, expression depth), and let the grader's `timeout` kill a call
        that runs too long: it becomes a `timeout` status, not a silent 0.0 that looks like a wrong answer.

    Not flagged:
        Elapsed-time clocks that only measure (`start = time.perf_counter()` for logging), and module-level code.
    """
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and module.in_call(node)):
            continue
        name = module.call_name(node) or ""
        if name in WALL_CLOCKS:
            yield node, f"`{name}` reads the wall clock during a call: a score that depends on it changes between identical calls"
        elif name in ELAPSED_CLOCKS and _in_comparison(module, node):
            yield node, f"`{name}` compared against a budget makes the score depend on machine load"


def _in_comparison(module: Module, node: ast.AST) -> bool:
    parent = module.parents.get(node)
    while isinstance(parent, (ast.BinOp, ast.UnaryOp)):
        parent = module.parents.get(parent)
    if isinstance(parent, ast.Compare):
        return True
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name, scope = parent.targets[0].id, module.scope_of(parent)
        return scope is not None and any(
            isinstance(n, ast.Compare) and any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(n)) for n in ast.walk(scope)
        )
    return False


@rule("RK112", "hash-or-id", "warning")
def hash_or_id(module: Module) -> Iterator[Hit]:
    """`hash()` or `id()` in the code a call runs.

    What it finds:
        Calls of the builtins `hash(...)` and `id(...)` during a call.

    Why it hurts training:
        `hash()` of a string changes with `PYTHONHASHSEED` (random per process unless pinned), and `id()` is a
        memory address. A reward that seeds, buckets or breaks ties with them (`random.seed(hash(completion))`
        is the usual form) scores the same completion differently in different worker processes; rewardbox pins
        the hash seed, which hides this in `rewardbox grade`, and `rewardbox check` varies it to expose it.

    Example:
        def compute_reward(completion, ground_truth):
            rng = random.Random(hash(completion))
            return rng.random() * similarity(completion, ground_truth)

    Use instead:
        A stable digest: `int(hashlib.sha256(text.encode()).hexdigest(), 16)` or `zlib.crc32(text.encode())`.

    Not flagged:
        `hash()` of a number literal, and `__hash__` methods.
    """
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and module.in_call(node)):
            continue
        name = module.qualified_name(node.func) if isinstance(node.func, ast.Name) else None
        if name == "hash" and not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, (int, float))):
            yield node, f"`{module.snippet(node)}` changes with PYTHONHASHSEED for strings: the score differs between worker processes"
        elif name == "id":
            yield node, f"`{module.snippet(node)}` is a memory address: anything computed from it differs between runs"


@rule("RK113", "set-order", "warning")
def set_order(module: Module) -> Iterator[Hit]:
    """A result that depends on the iteration order of a set.

    What it finds:
        In the code a call runs, a set (a literal, a set comprehension, `set(...)`/`frozenset(...)`, or a local
        name assigned one) turned into an ordered value: `list(s)`, `tuple(s)`, `"".join(s)`, `next(iter(s))`,
        `s.pop()`, `enumerate(s)`, a list comprehension over it, or a `for` loop over it that stops early
        (`break`/`return`).

    Why it hurts training:
        The order of a set of strings follows their hashes, which change with `PYTHONHASHSEED`. "The first
        matching candidate" or a joined answer then differs between worker processes, so the same completion
        earns different scores and the reward is noisy in exactly the cases it was meant to resolve.

    Example:
        def compute_reward(completion, ground_truth):
            for candidate in set(extract_numbers(completion)):
                if candidate == ground_truth:
                    return 1.0
                return 0.0

    Use instead:
        `sorted(s)` before using an order, or `dict.fromkeys(items)` to de-duplicate while keeping the text's
        order.

    Not flagged:
        Order-free uses: `x in s`, `len(s)`, `sorted(s)`, `sum`/`min`/`max`/`any`/`all` over it, and loops that
        visit every element without stopping early (counting matches).
    """
    for node in module.nodes:
        if not (isinstance(node, ast.expr) and module.in_call(node) and _is_set(module, node)):
            continue
        parent = module.parents.get(node)
        consumer, message = None, "depends on set iteration order, which changes with PYTHONHASHSEED"
        if isinstance(parent, ast.Call) and node in parent.args:
            name = module.call_name(parent) or ""
            if name in ORDER_CONSUMERS or (isinstance(parent.func, ast.Attribute) and parent.func.attr == "join"):
                consumer = parent
        elif isinstance(parent, ast.Attribute) and parent.attr == "pop" and isinstance(module.parents.get(parent), ast.Call):
            consumer = module.parents[parent]
        elif isinstance(parent, ast.For) and parent.iter is node and _stops_early(parent):
            consumer, message = parent.iter, "is looped over until a `break`/`return`: where it stops follows set iteration order, which changes with PYTHONHASHSEED"
        elif isinstance(parent, ast.comprehension) and parent.iter is node and isinstance(module.parents.get(parent), ast.ListComp):
            consumer = module.parents[parent]
        if consumer is not None:
            yield consumer, f"`{module.snippet(consumer)}` {message}"


def _is_set(module: Module, expr: ast.AST, depth: int = 0) -> bool:
    if isinstance(expr, (ast.Set, ast.SetComp)):
        return True
    if isinstance(expr, ast.Call):
        return module.call_name(expr) in ("set", "frozenset")
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitAnd, ast.BitOr, ast.Sub, ast.BitXor)):
        return _is_set(module, expr.left, depth) or _is_set(module, expr.right, depth)
    if isinstance(expr, ast.Name) and isinstance(expr.ctx, ast.Load) and depth < 3:
        value = module.assigned_value(expr)
        return value is not None and _is_set(module, value, depth + 1)
    return False


def _stops_early(loop: ast.For) -> bool:
    """Whether the loop body can leave before visiting every element: a ``return``, or a ``break`` of this loop."""
    todo = [(statement, False) for statement in loop.body]
    while todo:
        statement, nested = todo.pop()
        if isinstance(statement, ast.Return) or (isinstance(statement, ast.Break) and not nested):
            return True
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inner = nested or isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
        todo.extend((child, inner) for child in ast.iter_child_nodes(statement) if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)))
    return False
