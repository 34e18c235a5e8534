r"""``code_tests``: run the completion's program against a test suite, apart from the judge, for the pass rate.

The judge (this module, in the sandboxed call) reads the tests, compiles the
program once, and runs each test in a process of the program's own
(``programs.py``): the program gets its input (stdin, or a call's arguments)
and nothing else; the expected outputs never exist in its memory, and the
comparison is made here. Per-test limits (one table, as ``isolate`` documents
its box):

============ ======================== ==================================================================
limit        default                  at the limit
============ ======================== ==================================================================
CPU time     ``time_limit`` = 2 s      SIGXCPU then SIGKILL: ``time_limit``
wall time    2 x CPU time + 0.2 s      killed: ``time_limit``
memory       ``memory_mb`` = 512 MiB   allocation fails (RLIMIT_AS; RLIMIT_DATA for the JVM, V8 and Go):
                                       ``memory_limit``
stack        the memory limit (1 GiB   a deep recursion gets that far, as on Codeforces
             at most for data-limited)
output       ``output_mb`` = 16 MiB    killed: ``output_limit``
files        the output limit          EFBIG
processes    the call's budget         fork fails (EAGAIN)
compile      30 s (60 s Go), 2 GiB     ``compile_error`` for every test
============ ======================== ==================================================================

A dataset's own limits (CodeContests' ``time_limit`` and ``memory_limit_bytes``,
Codeforces' ``time_limit`` and ``memory_limit``) replace the defaults. Each test
ends with a verdict: ``accepted``, ``wrong_answer``, ``time_limit``,
``memory_limit``, ``runtime_error``, ``compile_error``, ``output_limit``, or
``not_run`` (``total_timeout`` passed before it started). The score is the pass
rate (``partial_credit``, the default) or 1.0 only when all pass; the result's
components count the verdicts, and its stdout names every test's verdict and
the first failure, with what was expected and what the program printed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
import types
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from ..base import Example, GoldUnparseable, Reward
from .compare import COMPARATORS, Comparator
from .formats import CallTest, ScriptTest, StdioTest, Suite, SuiteError, Test, read_suite
from .languages import LANGUAGES, Language, LanguageUnavailable, language_of_tag
from .programs import (
    Built,
    Confinement,
    Execution,
    PythonServer,
    SessionEnded,
    TestLimits,
    Workspace,
    build,
    program_env,
    run_direct,
)
from .remote import ProgramRaised, RemoteSession

VERDICTS = ("accepted", "wrong_answer", "time_limit", "memory_limit", "runtime_error", "compile_error", "output_limit", "not_run")
_SHORT = {"accepted": "AC", "wrong_answer": "WA", "time_limit": "TLE", "memory_limit": "MLE", "runtime_error": "RE", "compile_error": "CE", "output_limit": "OLE", "not_run": "-"}
_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)```", re.DOTALL)
_THINK = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
_MEMORY_WORDS = ("MemoryError", "std::bad_alloc", "OutOfMemoryError", "heap out of memory", "memory allocation of", "out of memory", "Cannot allocate memory")
_SHOWN = 300


@dataclass(frozen=True)
class Verdict:
    """One test's outcome: its verdict and, when it failed, what differed."""

    verdict: str
    detail: str = ""


def extract_code(completion: str, tags: tuple[str, ...] = ("python", "py", "python3")) -> str | None:
    """The last fenced block tagged one of ``tags``, else the last untagged one, else the whole completion
    (minus a leading think block) when it has no fence. None when the last fence is never closed (a
    truncated completion) or the only blocks are in other languages."""
    if completion.count("```") % 2:
        return None
    blocks = _FENCE.findall(completion)
    for wanted in (tags, ("",)):
        bodies = [body for language, body in blocks if language.lower() in wanted]
        if bodies:
            return bodies[-1]
    return None if blocks else _THINK.sub("", completion).lstrip("\n").rstrip() or None  # a bare body keeps its indentation


def choose_language(completion: str, pinned: str | None, table: dict[str, Language]) -> str:
    """The language to run: the one pinned (parameter, row or ground truth), else the last fenced block's tag, else Python."""
    if pinned is not None:
        name = language_of_tag(pinned, table)
        if name is None:
            raise LanguageUnavailable(f"language {pinned!r} is not in the table: {', '.join(table)} (add it with the languages parameter)")
        return name
    for tag, _ in reversed(_FENCE.findall(completion)):
        name = language_of_tag(tag, table) if tag else None
        if name is not None:
            return name
    return "python"


class code_tests(Reward):
    r"""The fraction of a test suite the completion's program passes (or all-or-nothing), run apart from the judge.

    The program is the last fenced block in the chosen language (the ``language``
    parameter, the row's or the ground truth's ``language``, else the last block's
    fence tag, else Python), else the last untagged block, else the whole
    completion after a leading ``<think>`` block; a last fence left open
    (truncation), no code, or code that does not compile scores 0.0. Languages:
    Python, C, C++, Java, JavaScript, Rust and Go (``languages.py``, extended by
    the ``languages`` parameter); the ground truth is a test suite in any of the
    formats ``formats.py`` reads (APPS/TACO, LiveCodeBench, CodeContests, verl's
    prime_code, open-r1, DeepCoder, HumanEval, MBPP, KodCode, AceCoder, ``tests``),
    recognised from its shape or named by ``format`` (the parameter, or the row's
    ``format`` field). Outputs are compared by ``comparator``: ``tokens`` (numbers
    within ``float_tolerance``), ``lines`` or ``exact``; a ``checker`` in the ground
    truth judges instead. See the module docstring for the limits and verdicts.

    Parameters:
        function: the function name for call tests when the ground truth has none.
        language: pin the language (else the row's, the ground truth's or the fence tag decides).
        format: the ground truth's format, where its shape is ambiguous.
        comparator: ``tokens`` (default), ``lines`` or ``exact``.
        float_tolerance: absolute or relative tolerance for numbers (tokens, and call results).
        time_limit: CPU seconds a test may take (the dataset's own limit wins).
        memory_mb: memory a test may use (the dataset's own limit wins).
        output_mb: output a test may write.
        total_timeout: seconds for compiling and all tests; tests not started in time fail
            (``not_run``). Keep the grader's ``timeout`` above it.
        partial_credit: the pass rate (default) or 1.0 only when every test passes.
        languages: rows added to or replacing the language table.

    Range [0, 1]. A ground truth that is no test suite raises ``GoldUnparseable``; a
    language whose compiler is missing raises ``LanguageUnavailable`` (status
    ``exception``, never a silent 0.0).

    >>> reward = code_tests()
    >>> tests = '{"function": "add", "tests": [{"input": [1, 2], "output": 3}, "assert add(-1, 1) == 0"]}'
    >>> reward("```python\ndef add(a, b):\n    return a + b\n```", tests)
    1.0
    >>> reward("```python\ndef add(a, b):\n    print('PASSED')\n    return a - b\n```", tests)
    0.0
    """

    function: str | None = Field(None, pattern=r"^[A-Za-z_]\w*$")
    language: str | None = None
    format: str | None = None
    comparator: Comparator = "tokens"
    float_tolerance: float = Field(1e-6, ge=0, allow_inf_nan=False)
    time_limit: float = Field(2.0, gt=0, le=60)
    memory_mb: int = Field(512, ge=32, le=16384)
    output_mb: float = Field(16.0, gt=0, le=1024)
    total_timeout: float = Field(8.0, gt=0, le=3600)
    partial_credit: bool = True
    languages: dict[str, Language] = Field(default_factory=dict)

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
    example_params: ClassVar[dict[str, object]] = {"time_limit": 0.5}

    def warm_up(self) -> None:
        """Nothing to warm: the program runs in processes of its own, and running examples in the zygote would start them there."""

    def __call__(self, completion: str, ground_truth: object, format: str | None = None, language: str | None = None) -> float:
        try:
            suite = read_suite(ground_truth, self.format or format, self.function)
        except SuiteError as exc:
            raise GoldUnparseable(f"code_tests: {exc}") from None
        table = {**LANGUAGES, **self.languages}
        name = choose_language(completion, self.language or language or suite.language, table)
        if name != "python" and any(not isinstance(test, StdioTest) for test in suite.tests):
            raise GoldUnparseable(f"code_tests: {suite.format} tests call functions, which only Python programs can be judged on here (the program is {name})")
        code = extract_code(completion, table[name].tags)
        verdicts = _Judge(self, suite, table[name], name, code).run() if code else [Verdict("compile_error", f"no {name} code in the completion")] * len(suite.tests)
        return _score(verdicts, self.partial_credit, suite)


class _Judge:
    """One completion against one suite: build once, run each test, one verdict a test."""

    def __init__(self, reward: code_tests, suite: Suite, language: Language, name: str, code: str) -> None:
        self.reward, self.suite, self.language, self.name = reward, suite, language, name
        if name == "python" and suite.prefix and suite.function and not re.search(rf"^\s*def\s+{re.escape(suite.function)}\s*\(", code, re.MULTILINE):
            code = f"{suite.prefix}\n{code}"  # HumanEval: the completion is the function's body
        self.code = code
        memory_mb = suite.memory_mb or reward.memory_mb
        time_limit = suite.time_limit or reward.time_limit
        self.limits = TestLimits(time_limit, time_limit * 2 + 0.2, memory_mb, int(reward.output_mb * (1 << 20)), language.memory, overhead_mb=language.memory_overhead_mb)
        self.deadline = time.monotonic() + reward.total_timeout
        self.compare = COMPARATORS[reward.comparator]
        self.checker: _Checker | None = None

    def run(self) -> list[Verdict]:
        workspace = Workspace()
        confinement = Confinement([workspace.build], workspace.run)
        server: PythonServer | None = None
        try:
            if self.name == "python" and self.language.run == LANGUAGES["python"].run:
                source = os.path.join(workspace.build, "main.py")
                with open(source, "w", encoding="utf-8") as handle:
                    handle.write(self.code)
                server = PythonServer(source, workspace, program_env(self.language, workspace.build, workspace.run, self.limits.memory_mb), confinement)
                server.start(timeout=max(0.5, min(self.language.compile_seconds, self.deadline - time.monotonic())))
                if server.compile_error:
                    return [Verdict("compile_error", server.compile_error)] * len(self.suite.tests)
                built = Built()
            else:
                built = build(self.language, self.name, self.code, workspace, self.limits.memory_mb)
                if built.compile_error:
                    return [Verdict("compile_error", built.compile_error)] * len(self.suite.tests)
            env = program_env(self.language, workspace.build, workspace.run, self.limits.memory_mb)
            verdicts = []
            for test in self.suite.tests:
                if time.monotonic() >= self.deadline:
                    verdicts.append(Verdict("not_run", f"total_timeout={self.reward.total_timeout:g} s passed before it started"))
                    continue
                verdicts.append(self._test(test, server, built, env, workspace, confinement))
            return verdicts
        finally:
            if server is not None:
                server.close()
            if self.checker is not None:
                self.checker.close()
            confinement.close()
            workspace.close()

    def _test(self, test: Test, server: PythonServer | None, built: Built, env: dict[str, str], workspace: Workspace, confinement: Confinement) -> Verdict:
        if isinstance(test, StdioTest):
            stdin = test.input.encode("utf-8")
            if server is not None:
                execution = server.run("stdio", stdin, self.limits)
            else:
                execution = run_direct(built.argv, env, workspace.run, stdin, self.limits, confinement)
            failed = self._failure(execution)
            if failed is not None:
                return failed
            output = execution.stdout.decode("utf-8", "replace")
            if self.suite.checker is not None:
                why = self._check(test, output, workspace, server)
            else:
                why = self.compare(output, test.output, self.reward.float_tolerance)
            return Verdict("accepted") if why is None else Verdict("wrong_answer", f"{why}; input {_preview(test.input)}")
        assert server is not None  # calls and scripts are Python only (checked before)
        if isinstance(test, CallTest):
            return self._call(test, server)
        return self._script(test, server)

    def _check(self, test: StdioTest, output: str, workspace: Workspace, server: PythonServer | None) -> str | None:
        """The special judge's verdict (None: accepted), run confined like a program, after the program ended.

        It gets ``INPUT OUTPUT ANSWER`` files (testlib's order) in a folder no program process can read."""
        assert self.suite.checker is not None
        if self.checker is None:
            self.checker = _Checker(self.suite.checker.code, self.suite.checker.language, workspace, self.reward, {**LANGUAGES, **self.reward.languages})
        keep = frozenset({server.process}) if server is not None and server.process is not None else frozenset()
        return self.checker.judge(test.input, output, test.output, keep)

    def _failure(self, execution: Execution) -> Verdict | None:
        """The verdict of a process that did not end well (limits, crashes), None when it did."""
        if execution.output_exceeded:
            return Verdict("output_limit", f"more than {self.reward.output_mb:g} MiB of output")
        stderr = execution.stderr_text()
        if execution.timed_out or execution.cpu > self.limits.time_limit or execution.signal == signal.SIGXCPU:
            return Verdict("time_limit", f"{max(execution.cpu, 0):.2f} s of CPU, {execution.wall:.2f} s of wall time (limit {self.limits.time_limit:g} s)")
        if execution.status is None:
            return Verdict("runtime_error", "the program's process could not be started")
        failed = execution.signal is not None or execution.exit_code != 0
        if failed and (any(word in stderr for word in _MEMORY_WORDS) or execution.maxrss_kb >= (self.limits.memory_mb << 10) * 0.95):
            return Verdict("memory_limit", f"more than {self.limits.memory_mb} MiB" + (f": {_last_line(stderr)}" if stderr else ""))
        if execution.signal is not None:
            return Verdict("runtime_error", f"killed by {signal.Signals(execution.signal).name}" + (f": {_last_line(stderr)}" if stderr else ""))
        if execution.exit_code != 0:
            return Verdict("runtime_error", f"exit status {execution.exit_code}" + (f": {_last_line(stderr)}" if stderr else ""))
        return None

    def _call(self, test: CallTest, server: PythonServer) -> Verdict:
        execution = server.run("call", b"", self.limits, function=self.suite.function, requests=_json(test.args))
        failed = self._failure(execution)
        if failed is not None:
            return failed
        try:
            answer = _loads(execution.result)
        except ValueError:
            return Verdict("runtime_error", f"the call gave no answer ({_last_line(execution.stderr_text()) or 'nothing on stderr'})")
        if "error" in answer:
            return Verdict("runtime_error", answer["error"])
        if "not_plain" in answer:
            return Verdict("wrong_answer", f"{self.suite.function}(...) returned {answer['not_plain']}, not plain data")
        if _same(answer["value"], test.expected, self.reward.float_tolerance):
            return Verdict("accepted")
        arguments = _preview(", ".join(map(repr, test.args)))[1:-1]
        return Verdict("wrong_answer", f"{self.suite.function}({arguments}) returned {_preview(answer['value'])}, expected {_preview(test.expected)}")

    def _script(self, test: ScriptTest, server: PythonServer) -> Verdict:
        try:
            session = server.session(self.limits)
        except SessionEnded as exc:
            return Verdict("runtime_error", str(exc))
        remote = RemoteSession(session)
        verdict = Verdict("accepted")
        try:
            with _clock(self.limits.wall_limit):
                names = remote.names()
                namespace = _test_namespace(names, self.suite)
                _run_script(test, namespace, names, self.suite)
        except SessionEnded as exc:
            verdict = Verdict("time_limit" if exc.timed_out else "runtime_error", str(exc))
        except _ScriptTimeout:
            verdict = Verdict("time_limit", f"{test.name}: the test took longer than {self.limits.wall_limit:g} s")
        except AssertionError as exc:
            verdict = Verdict("wrong_answer", f"{test.name}: {_preview(str(exc)) if str(exc) else 'an assertion failed'}")
        except ProgramRaised as exc:
            verdict = Verdict("runtime_error", f"{test.name}: {exc}")
        except BaseException as exc:  # noqa: BLE001 - the test failed otherwise: pytest.raises saw nothing, a name is missing...
            kind = "wrong_answer" if type(exc).__name__ == "Failed" else "runtime_error"  # pytest's own failure (pytest.fail, raises)
            verdict = Verdict(kind, f"{test.name}: {type(exc).__name__}: {_preview(str(exc))}")
        execution = session.end()
        if verdict.verdict in ("runtime_error", "time_limit"):
            failed = self._failure(execution)
            if failed is not None and failed.verdict != "runtime_error":
                return failed
        return verdict


class CheckerFailed(RuntimeError):
    """The special judge itself failed (did not build, crashed, or exited neither 0, 1 nor 2): not the program's fault."""


class _Checker:
    """A ground truth's checker program, built once per completion in a folder of its own."""

    def __init__(self, code: str, language: str, workspace: Workspace, reward: code_tests, table: dict[str, Language]) -> None:
        name = language_of_tag(language, table)
        if name is None:
            raise CheckerFailed(f"the checker's language {language!r} is not in the table")
        self.folder = Workspace(os.path.join(workspace.root, "checker"))
        self.language = table[name]
        self.limits = TestLimits(10.0, 20.0, 1024, 1 << 20, self.language.memory, overhead_mb=self.language.memory_overhead_mb)
        built = build(self.language, name, code, self.folder, self.limits.memory_mb)
        if built.compile_error:
            raise CheckerFailed(f"the checker does not build: {built.compile_error[:1000]}")
        self.argv = built.argv
        self.env = program_env(self.language, self.folder.build, self.folder.run, self.limits.memory_mb)
        self.confinement = Confinement([self.folder.build], self.folder.run)

    def judge(self, given: str, output: str, expected: str, keep: frozenset[int]) -> str | None:
        paths = []
        for name, text in (("input.txt", given), ("output.txt", output), ("answer.txt", expected)):
            path = os.path.join(self.folder.run, name)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            paths.append(path)
        execution = run_direct([*self.argv, *paths], self.env, self.folder.run, b"", self.limits, self.confinement, keep)
        for path in paths:
            os.remove(path)
        if execution.exit_code == 0:
            return None
        said = _last_line(execution.stdout.decode("utf-8", "replace") + "\n" + execution.stderr_text())
        if execution.exit_code in (1, 2):
            return f"the checker rejected the output" + (f": {said}" if said else "")
        raise CheckerFailed(f"the checker failed (status {execution.status}, {execution.timed_out and 'timed out' or said})")

    def close(self) -> None:
        self.confinement.close()


class _ScriptTimeout(BaseException):
    """The judge's clock for test code that runs here: raised when a test script overstays (a BaseException, so the
    dataset's ``except Exception`` does not swallow it)."""


@contextlib.contextmanager
def _clock(seconds: float):
    """Raise ``_ScriptTimeout`` in this (main) thread after ``seconds``; elsewhere the program's deadline alone applies."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _ScriptTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _test_namespace(names: dict[str, Any], suite: Suite) -> dict[str, Any]:
    """Globals for test code: the builtins, the program's top-level names, and a ``solution`` module of them."""
    solution = types.ModuleType("solution")
    vars(solution).update(names)
    return {"__name__": "__test__", "__builtins__": __builtins__, **names, "solution": solution}


def _run_script(test: ScriptTest, namespace: dict[str, Any], names: dict[str, Any], suite: Suite) -> None:
    """Run a test script in ``namespace`` under the judge's own clock: raises what the test raises."""
    saved = sys.modules.get("solution")
    sys.modules["solution"] = namespace["solution"]  # `from solution import f` (KodCode, pytest style)
    try:
        if suite.setup:
            exec(compile(suite.setup, "<setup>", "exec"), namespace)  # noqa: S102 - the dataset's test code
        exec(compile(test.code, f"<{test.name}>", "exec"), namespace)  # noqa: S102
        if test.call == "check":
            candidate = names.get(suite.function or "")
            if candidate is None:
                raise NameError(f"the program defines no {suite.function!r}")
            namespace["check"](candidate)
        elif test.call:
            for function in _test_functions(namespace, test.call):
                function()
    finally:
        if saved is None:
            sys.modules.pop("solution", None)
        else:
            sys.modules["solution"] = saved


def _test_functions(namespace: dict[str, Any], name: str) -> list:
    """The calls one pytest-style test stands for: ``test_x`` or ``TestX.test_y``, one per parameter set."""
    owner, _, method = name.rpartition(".")
    function = getattr(namespace[owner](), method) if owner else namespace[name]
    calls = [function]
    for mark in getattr(function, "pytestmark", []) or []:
        if getattr(mark, "name", "") == "parametrize":
            argnames, values = mark.args[0], mark.args[1]
            names = [part.strip() for part in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
            calls = [
                (lambda base=base, kwargs=dict(zip(names, value if len(names) > 1 else (value,))): base(**kwargs))
                for base in calls
                for value in values
            ]
    return calls


def _score(verdicts: list[Verdict], partial_credit: bool, suite: Suite) -> float:
    from rewardbox.graders.runtime.frames import record_components

    passed = sum(verdict.verdict == "accepted" for verdict in verdicts)
    counts = {name: sum(verdict.verdict == name for verdict in verdicts) for name in VERDICTS}
    record_components({"passed": passed, "tests": len(verdicts), **{name: count for name, count in counts.items() if count}})
    shown = " ".join(_SHORT[verdict.verdict] for verdict in verdicts[:200]) + (" ..." if len(verdicts) > 200 else "")
    print(f"{suite.format}: {passed}/{len(verdicts)} passed: {shown}")
    first = next(((index, verdict) for index, verdict in enumerate(verdicts) if verdict.verdict != "accepted"), None)
    if first is not None:
        index, verdict = first
        print(f"first failure: test {index + 1}: {verdict.verdict.replace('_', ' ')}: {verdict.detail[:2000]}")
    if not partial_credit:
        return 1.0 if passed == len(verdicts) else 0.0
    return passed / len(verdicts)


def _same(actual: Any, expected: Any, tolerance: float) -> bool:
    """Plain-data equality: ints and floats by value (floats within ``tolerance``), nothing else mixes types."""
    if type(actual) is bool or type(expected) is bool:
        return type(actual) is type(expected) and actual == expected
    if type(actual) in (int, float) and type(expected) in (int, float):
        if type(actual) is int and type(expected) is int:
            return actual == expected
        if math.isnan(actual) or math.isnan(expected):
            return math.isnan(actual) and math.isnan(expected)
        return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)
    if type(actual) is not type(expected):
        return False
    if type(actual) is list:
        return len(actual) == len(expected) and all(_same(a, e, tolerance) for a, e in zip(actual, expected))
    if type(actual) is dict:
        return actual.keys() == expected.keys() and all(_same(actual[k], expected[k], tolerance) for k in actual)
    return actual == expected


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _loads(data: bytes) -> dict:
    answer = json.loads(data)
    if not isinstance(answer, dict):
        raise ValueError("not an answer")
    return answer


def _preview(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return _preview(lines[-1].strip()) if lines else ""

