r"""``code_tests``: run the completion's Python code against test cases, in the call process, for the pass rate.

The tests run in-process because the sandboxed call already isolates them (no
network, no writes outside a temp dir, no exec or fork, a hard wall-clock kill)
and forbids the fork a subprocess-per-test harness would need. What this module
adds is a harness whose verdicts the model's code cannot write for itself:

* the verdict is computed here, from values: nothing the code prints ("PASSED",
  "All tests passed") and no exit status it plants (``sys.exit(0)``,
  ``os._exit(0)``, ``raise SystemExit``/``KeyboardInterrupt``) counts as a pass;
  an exit during a test ends that test, and in a stdin/stdout test only the
  output written so far is judged;
* returned values are converted to plain JSON-like data by exact type (``int``,
  ``float``, ``str``, ``list``...; tuples read as lists, numpy scalars and arrays
  through ``item``/``tolist``) before any comparison, so an object whose
  ``__eq__`` always returns True, or a ``str`` subclass, compares as nothing;
  ``assert`` tests are rewritten so that every comparison and truth test sees
  such plain values;
* each test gets a fresh namespace (the code is executed again), a fresh copy
  of the builtins, and a time limit (``signal.setitimer``, fired again every
  0.1 s if the code catches it); a test whose timer fired fails even if the code
  swallowed the exception and returned; the grader's call timeout is the hard
  backstop for code that swallows it forever (the call then scores as
  ``timeout``);
* after each test the builtins module, ``sys.stdout``/``stdin``/``stderr``, the
  recursion limit and trace hooks are put back, and what the code wrote is
  bounded (``max_output_bytes``); importing ``rewardbox`` from the code is refused.

What an in-process harness cannot prevent, and the sandbox only confines to
this one score: code written to search the interpreter for the harness
(``sys.modules``, ``gc``, ``sys._getframe``, ``ctypes``) can find the expected
outputs or patch the harness; threads the code starts keep running until the
call process ends. Grade ``code_tests`` through a ``Grader`` (``library:code``),
never in the trainer's own process: there the code would run with the trainer's
privileges and no time limit outside the main thread.
"""

from __future__ import annotations

import ast
import builtins
import copy
import io
import json
import math
import os
import re
import signal
import sys
import threading
import time
from typing import Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from .base import Example, GoldUnparseable, Reward

_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)```", re.DOTALL)
_THINK = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
_PYTHON_LANGUAGES = ("python", "py", "python3")
_CANONICAL = "__rewardbox_canonical__"
_REFIRE_SECONDS = 0.1
_MAX_DEPTH = 100
_MAX_NODES = 1_000_000


def extract_code(completion: str) -> str | None:
    """The last ```python block, else the last bare ``` block, else the whole completion (minus a leading think block).

    None when the last fence is never closed (a truncated completion) or the
    only blocks are in other languages.
    """
    if completion.count("```") % 2:
        return None
    blocks = _FENCE.findall(completion)
    for wanted in (_PYTHON_LANGUAGES, ("",)):
        bodies = [body for language, body in blocks if language.lower() in wanted]
        if bodies:
            return bodies[-1]
    return None if blocks else _THINK.sub("", completion).strip()


# ---- the ground truth ------------------------------------------------------------------------


class CallTest(BaseModel):
    """``function(*input)`` must return ``output``."""

    model_config = ConfigDict(extra="forbid")
    input: list[JsonValue]
    output: JsonValue


class StdioTest(BaseModel):
    """The program, run as ``__main__`` with ``stdin`` as its input, must print ``stdout`` (compared token by token)."""

    model_config = ConfigDict(extra="forbid")
    stdin: str = ""
    stdout: str


class TestSuite(BaseModel):
    """The ground truth of ``code_tests``: the tests, the function they call, setup code run before them."""

    model_config = ConfigDict(extra="forbid")
    tests: list[Union[str, CallTest, StdioTest]] = Field(min_length=1)
    function: str | None = None
    setup: str = ""


def load_suite(ground_truth: object, function: str | None) -> TestSuite:
    """Check the ground truth (a suite or a bare list of tests, as JSON text or as the value itself); raise
    ``GoldUnparseable`` saying what is wrong."""
    from . import describe_validation_error

    try:
        data = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
        suite = TestSuite.model_validate({"tests": data} if isinstance(data, list) else data)
    except ValidationError as exc:
        raise GoldUnparseable(f"code_tests: the ground truth is not a test suite: {describe_validation_error(exc, 'field')}") from None
    except ValueError as exc:
        raise GoldUnparseable(f"code_tests: the ground truth is not JSON: {exc}") from None
    if suite.function is None and function is not None:
        suite = suite.model_copy(update={"function": function})
    if suite.function is None and any(isinstance(test, CallTest) for test in suite.tests):
        raise GoldUnparseable("code_tests: input/output tests need a function name (the ground truth's 'function' or the parameter)")
    return suite


# ---- plain values ----------------------------------------------------------------------------

_PLAIN_SCALARS = (bool, int, float, str, type(None))


class Uncomparable(Exception):
    """A returned value that is not plain data (a custom class, a str subclass, too big or too deep)."""


def canonical(value: Any) -> Any:
    """``value`` as plain JSON-like data, checked by exact type; raises ``Uncomparable`` otherwise."""
    budget = [_MAX_NODES]
    return _canonical(value, 0, budget)


def _canonical(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0 or depth > _MAX_DEPTH:
        raise Uncomparable("the value is too large or too deeply nested to compare")
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if kind is list or kind is tuple:
        return [_canonical(item, depth + 1, budget) for item in value]
    if kind is dict:
        return {_canonical_key(key): _canonical(item, depth + 1, budget) for key, item in value.items()}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        return _canonical(value.item(), depth + 1, budget)
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _canonical(value.tolist(), depth + 1, budget)
    raise Uncomparable(f"a {kind.__name__!s:.60} is not plain data")


def _canonical_key(key: Any) -> Any:
    if type(key) not in _PLAIN_SCALARS:
        raise Uncomparable("a dict key is not plain data")
    return key


def same(actual: Any, expected: Any, tolerance: float) -> bool:
    """Plain-data equality: ints and floats by value (floats within ``tolerance``), nothing else mixes types."""
    if type(actual) is bool or type(expected) is bool:
        return type(actual) is type(expected) and actual == expected
    if type(actual) in (int, float) and type(expected) in (int, float):
        if type(actual) is int and type(expected) is int:
            return actual == expected
        return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)
    if type(actual) is not type(expected):
        return False
    if type(actual) is list:
        return len(actual) == len(expected) and all(same(a, e, tolerance) for a, e in zip(actual, expected))
    if type(actual) is dict:
        return actual.keys() == expected.keys() and all(same(actual[k], expected[k], tolerance) for k in actual)
    return actual == expected


def _wrap(node: ast.expr) -> ast.expr:
    """``node`` as ``canonical(node)``."""
    return ast.Call(func=ast.Name(id=_CANONICAL, ctx=ast.Load()), args=[node], keywords=[])


class _PlainTruth(ast.NodeTransformer):
    """Rewrite an assert test so every comparison and truth test sees plain values, never the code's objects."""

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        node.left = _wrap(node.left)
        node.comparators = [_wrap(item) for item in node.comparators]
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        node.values = [_wrap(item) for item in node.values]
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            node.operand = _wrap(node.operand)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        node.test = _wrap(node.test)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in ("all", "any") and len(node.args) == 1:
            argument = node.args[0]
            if isinstance(argument, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
                argument.elt = _wrap(argument.elt)
        return node


def compile_assert(test: str) -> Any:
    """An ``assert`` test as the code of its truth test on plain values; raise ``GoldUnparseable`` if it is not one."""
    try:
        module = ast.parse(test)
    except SyntaxError as exc:
        raise GoldUnparseable(f"code_tests: test {test[:200]!r} is not Python: {exc.msg}") from None
    if len(module.body) != 1 or not isinstance(module.body[0], ast.Assert):
        raise GoldUnparseable(f"code_tests: test {test[:200]!r} must be one assert statement")
    truth = _wrap(_PlainTruth().visit(module.body[0].test))
    return compile(ast.fix_missing_locations(ast.Expression(body=truth)), "<test>", "eval")


# ---- running one test --------------------------------------------------------------------------


class _TestTimeout(BaseException):
    """Raised into the code under test when its time is up (a BaseException, so plain ``except Exception`` misses it)."""


class _ExitCalled(BaseException):
    """``os._exit`` called by the code under test: the test ends as with ``sys.exit``."""

    def __init__(self, status: object = 0) -> None:
        super().__init__(status)
        self.code = status


class _BoundedBytes(io.BytesIO):
    """A byte sink that keeps at most ``limit`` bytes and remembers that more was written."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.overflow = False

    def write(self, data: Any) -> int:
        size = len(data)
        room = self.limit - self.tell()
        if size > room:
            self.overflow = True
            data = bytes(data)[: max(room, 0)]
        super().write(data)
        return size

    def close(self) -> None:
        """Stays readable: the harness reads it after the code (or the garbage collector) closed its stream."""


# Bound at import: the code under test may replace these module attributes, and the harness must still work.
_bytes_getvalue, _BytesIO, _TextIOWrapper = io.BytesIO.getvalue, io.BytesIO, io.TextIOWrapper
_real_import, _real_exit, _deepcopy, _monotonic = builtins.__import__, os._exit, copy.deepcopy, time.monotonic
_setitimer, _set_handler, _ITIMER_REAL, _SIGALRM = signal.setitimer, signal.signal, signal.ITIMER_REAL, signal.SIGALRM
_settrace, _setprofile, _getrecursionlimit, _setrecursionlimit = sys.settrace, sys.setprofile, sys.getrecursionlimit, sys.setrecursionlimit
_builtins = builtins.__dict__


def _guarded_import(name: str, *args: Any, **kwargs: Any) -> Any:
    if name == "rewardbox" or name.startswith("rewardbox."):
        raise ImportError("the code under test may not import rewardbox")
    return _real_import(name, *args, **kwargs)


def _exit_called(status: object = 0) -> None:
    raise _ExitCalled(status)


def _clean_exit(exc: BaseException) -> bool:
    """``sys.exit()``, ``sys.exit(0)`` or ``os._exit(0)``: a program that ended normally."""
    code = getattr(exc, "code", None)
    return code is None or (type(code) is int and code == 0)


class _Harness:
    """Runs the tests one at a time in the main thread and puts the interpreter back after each."""

    def __init__(self, code: Any, suite: TestSuite, asserts: dict[int, Any], reward: code_tests) -> None:
        self.code, self.suite, self.asserts, self.reward = code, suite, asserts, reward
        self.setup = compile(suite.setup, "<setup>", "exec") if suite.setup else None
        self.fired = False
        self.armed = False

    def run_all(self, deadline: float) -> list[bool]:
        """One verdict per test; tests not started before ``deadline`` fail."""
        saved_handler = signal.getsignal(_SIGALRM)
        try:
            return [_monotonic() < deadline and self._run(index, test, deadline) for index, test in enumerate(self.suite.tests)]
        finally:
            _set_handler(_SIGALRM, saved_handler)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self.armed:
            self.fired = True
            _setitimer(_ITIMER_REAL, _REFIRE_SECONDS)
            raise _TestTimeout

    def _run(self, index: int, test: str | CallTest | StdioTest, deadline: float) -> bool:
        """One test: run the code and the test under the timer, then judge the plain result here."""
        stdio = isinstance(test, StdioTest)
        output = _BoundedBytes(self.reward.max_output_bytes)
        saved = (dict(_builtins), sys.stdin, sys.stdout, sys.stderr, _getrecursionlimit())
        sys.stdin = _TextIOWrapper(_BytesIO(test.stdin.encode() if stdio else b""), encoding="utf-8")
        sys.stdout = _TextIOWrapper(output, encoding="utf-8", errors="replace", write_through=True)
        sys.stderr = _TextIOWrapper(_BoundedBytes(self.reward.max_output_bytes), encoding="utf-8", errors="replace", write_through=True)
        os._exit = _exit_called
        namespace = {"__name__": "__main__" if stdio else "solution", "__builtins__": {**_builtins, "__import__": _guarded_import}}
        result: Any = None
        passed = True
        self.fired = False
        _set_handler(_SIGALRM, self._on_alarm)
        try:
            try:
                self.armed = True
                _setitimer(_ITIMER_REAL, max(0.001, min(self.reward.test_timeout, deadline - _monotonic())))
                result = self._execute(index, test, namespace)
            finally:
                self._disarm()
        except (SystemExit, _ExitCalled) as exc:
            passed = stdio and _clean_exit(exc)  # a program may end itself; a function under test may not
        except BaseException:  # noqa: BLE001 - whatever the code raises (or a timeout) fails this test only
            passed = False
        finally:
            self._disarm()
            self._restore(saved)
        if not passed or self.fired or output.overflow:
            return False
        if stdio:
            return _bytes_getvalue(output).decode("utf-8", "replace").split() == test.stdout.split()
        if isinstance(test, CallTest):
            return same(result, test.output, self.reward.float_tolerance)
        return result is True

    def _execute(self, index: int, test: str | CallTest | StdioTest, namespace: dict[str, Any]) -> Any:
        """Everything that runs the code under test, under the timer; returns plain data only."""
        exec(self.code, namespace)
        if self.setup is not None:
            exec(self.setup, namespace)
        if isinstance(test, StdioTest):
            return None
        if isinstance(test, CallTest):
            function = namespace.get(self.suite.function)
            if not callable(function):
                raise Uncomparable(f"the code defines no function {self.suite.function!r}")
            return canonical(function(*_deepcopy(test.input)))
        namespace[_CANONICAL] = canonical
        return bool(eval(self.asserts[index], namespace))

    def _disarm(self) -> None:
        self.armed = False
        _setitimer(_ITIMER_REAL, 0)

    def _restore(self, saved: tuple[dict[str, Any], Any, Any, Any, int]) -> None:
        builtins_before, sys.stdin, sys.stdout, sys.stderr, recursion_limit = saved
        for name in [name for name in _builtins if name not in builtins_before]:
            del _builtins[name]
        for name, value in builtins_before.items():
            if _builtins.get(name) is not value:
                _builtins[name] = value
        _setrecursionlimit(recursion_limit)
        _settrace(None)
        _setprofile(None)
        os._exit = _real_exit


class code_tests(Reward):
    r"""The fraction of test cases the completion's Python code passes (or all-or-nothing).

    The code is the last ```python block of the completion, else the last bare
    ``` block, else the whole completion (after a leading ``<think>`` block); a
    last fence left open (truncation), no code, or code that does not compile
    scores 0.0. The ground truth is JSON, either a list of tests or
    ``{"tests": [...], "function": NAME, "setup": CODE}``, each test one of:

    * ``{"input": [args...], "output": value}``: ``NAME(*args)`` must return
      ``value`` (JSON equality; tuples read as lists; floats within ``float_tolerance``);
    * ``"assert add(1, 2) == 3"``: an assert statement, evaluated after the code
      (and ``setup``) ran, with every comparison on plain values;
    * ``{"stdin": "1 2\n", "stdout": "3\n"}``: the code runs as ``__main__``
      reading ``stdin``; its output must equal ``stdout`` token by token.

    See the module docstring for what the harness guards against and what it
    cannot. A ground truth that is not such a suite raises ``GoldUnparseable``.

    Parameters:
        function: the function name for input/output tests when the ground truth has none.
        test_timeout: seconds one test may run (default 1).
        total_timeout: seconds for all tests (default 8); tests not started in
            time fail. Keep the grader's ``timeout`` above it.
        partial_credit: the pass rate (default) or 1.0 only when every test passes.
        float_tolerance: relative and absolute tolerance for floats in input/output tests.
        max_output_bytes: output kept per test; a test that writes more fails.

    Range [0, 1]. Needs the main thread (as in a sandboxed call) for its timer.

    >>> reward = code_tests()
    >>> tests = '{"function": "add", "tests": [{"input": [1, 2], "output": 3}, "assert add(-1, 1) == 0"]}'
    >>> reward("```python\ndef add(a, b):\n    return a + b\n```", tests)
    1.0
    >>> reward("```python\ndef add(a, b):\n    print('PASSED')\n    return a - b\n```", tests)
    0.0
    """

    function: str | None = Field(None, pattern=r"^[A-Za-z_]\w*$")
    test_timeout: float = Field(1.0, gt=0, le=60)
    total_timeout: float = Field(8.0, gt=0, le=600)
    partial_credit: bool = True
    float_tolerance: float = Field(1e-6, ge=0, allow_inf_nan=False)
    max_output_bytes: int = Field(1_000_000, ge=1)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("```python\ndef square(x):\n    return x * x\n```", '{"function": "square", "tests": [{"input": [3], "output": 9}, "assert square(-2) == 4"]}', 1.0),
        Example("```python\ndef square(x):\n    return x + x\n```", '{"function": "square", "tests": [{"input": [2], "output": 4}, {"input": [3], "output": 9}]}', 0.5),
        Example("```python\nprint(sum(map(int, input().split())))\n```", '[{"stdin": "1 2\\n", "stdout": "3\\n"}]', 1.0),
        Example(
            "```python\nclass Any:\n    def __eq__(self, other):\n        return True\ndef square(x):\n    return Any()\n```",
            '{"function": "square", "tests": ["assert square(3) == 9"]}',
            0.0,
        ),
        Example("```python\nimport sys\nprint('3')\nsys.exit(0)\n```", '[{"stdin": "1 2\\n", "stdout": "4\\n"}]', 0.0),
        Example("```python\ndef square(x):\n    while True:\n        pass\n```", '{"function": "square", "tests": [{"input": [3], "output": 9}]}', 0.0),
        Example("", '{"function": "square", "tests": [{"input": [3], "output": 9}]}', 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {"test_timeout": 0.2}

    def warm_up(self) -> None:
        """Nothing to warm: there is no cache to fill, and the examples would run code in the zygote for nothing."""

    def __call__(self, completion: str, ground_truth: object) -> float:
        suite = load_suite(ground_truth, self.function)
        asserts = {index: compile_assert(test) for index, test in enumerate(suite.tests) if isinstance(test, str)}
        source = extract_code(completion)
        if not source:
            return 0.0
        try:
            code = compile(source, "<completion>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return 0.0
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("code_tests needs the main thread for its per-test timer: grade it through a Grader (library:code)")
        verdicts = _Harness(code, suite, asserts, self).run_all(_monotonic() + self.total_timeout)
        if not self.partial_credit:
            return 1.0 if all(verdicts) else 0.0
        return sum(verdicts) / len(verdicts)

