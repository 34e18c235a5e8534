"""Test suites as code datasets store them, read into one form: stdin/stdout tests, function calls, test scripts.

A ground truth is recognised from its shape (after ``json.loads`` when it is a
string); where two formats share a shape but not a meaning, ``format`` names it:

============== ====================================================================== =================
format         shape                                                                  tests
============== ====================================================================== =================
apps           ``{"inputs": [...], "outputs": [...], "fn_name"?}`` (APPS, TACO;        stdin/stdout, or calls
               also a whole row's ``input_output``)                                   ``f(*inputs[i])`` returning
                                                                                      ``outputs[i][0]`` (one-element lists)
prime_code     the same container, calls stored as JSON lines (verl's prime_code)     calls: one JSON argument a line
livecodebench  ``public_test_cases`` / ``private_test_cases`` (JSON, the private ones stdin/stdout, or calls named by
               base64+zlib+pickle) and ``metadata.func_name``; or a list of tests     ``func_name`` (JSON lines)
               with ``testtype``
code_contests  ``public_tests`` / ``private_tests`` / ``generated_tests``:             stdin/stdout
               ``{"input": [...], "output": [...]}``, ``time_limit``, ``memory_limit_bytes``
openr1         ``verification_info``: ``{"language", "test_cases": [{"input",          stdin/stdout or calls
               "output", "type", "fn_name"}]}``                                       (``function_call``)
deepcoder      ``{"tests": <JSON of one of the above>, "metadata"?}``                  as the inner format
humaneval      ``{"prompt", "test", "entry_point"}``                                  ``check(candidate)``
mbpp           ``{"test_list", "test_setup_code"?, "test_imports"?}``                 one assert each
kodcode        ``{"test" | "test_code": "from solution import ...; def test_...",      one pytest-style
               "test_info"?}``                                                        function each
acecoder       ``{"test_cases": ["assert ...", ...]}`` or a bare list of asserts      one assert each
tests          ``{"tests": [...], "function"?, "setup"?}`` or a bare list of          as written
               ``{"stdin", "stdout"}``, ``{"input": [args], "output"}`` and asserts
============== ====================================================================== =================

A list of ``{"input", "output"}`` with string inputs reads as stdin/stdout tests
(Codeforces in DeepCoder); with list inputs, as calls (``tests``). A ground truth
that fits none raises ``GoldUnparseable`` naming the accepted formats.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import pickle
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Union

FORMATS = ("apps", "livecodebench", "code_contests", "prime_code", "openr1", "deepcoder", "humaneval", "mbpp", "kodcode", "acecoder", "tests")


class SuiteError(ValueError):
    """The ground truth is not a test suite in any accepted format (the reward raises it as ``GoldUnparseable``)."""


@dataclass(frozen=True)
class StdioTest:
    """The program reads ``input`` on stdin and must print ``output`` (compared by the suite's comparator)."""

    input: str
    output: str


@dataclass(frozen=True)
class CallTest:
    """``function(*args)`` must return ``expected`` (plain JSON data; floats within the tolerance)."""

    args: list
    expected: Any


@dataclass(frozen=True)
class ScriptTest:
    """Test code run by the judge against the program's functions and classes, reached through proxies: passes
    when it raises nothing. ``call`` names a function of ``code`` to call (``check`` gets the candidate)."""

    code: str
    name: str
    call: str | None = None


Test = Union[StdioTest, CallTest, ScriptTest]


@dataclass(frozen=True)
class Checker:
    """A special judge: a program given the input, the program's output and the expected output as files
    (``checker INPUT OUTPUT ANSWER``, testlib's order); exit 0 accepts, 1 or 2 rejects."""

    code: str
    language: str = "python"


@dataclass(frozen=True)
class Suite:
    """A ground truth read: its tests and what they need."""

    tests: tuple[Test, ...]
    format: str
    function: str | None = None  # the function calls and check() reach
    setup: str = ""  # test-side code run before script tests (imports the asserts use)
    prefix: str = ""  # code put before the program when it lacks the function (HumanEval's prompt)
    language: str | None = None  # pinned by the ground truth
    checker: Checker | None = None
    time_limit: float | None = None  # seconds a test, as the dataset gives it
    memory_mb: int | None = None
    notes: tuple[str, ...] = field(default=())


def read_suite(ground_truth: object, format: str | None = None, function: str | None = None) -> Suite:
    """The suite a ground truth holds, in the ``format`` named or the one its shape shows; raises ``SuiteError``."""
    if format is not None and format not in FORMATS:
        raise SuiteError(f"format={format!r}: expected one of {', '.join(FORMATS)}")
    data = _decode(ground_truth)
    name = format or _detect(data)
    if name is None:
        raise SuiteError(
            f"the ground truth ({_describe(data)}) is not a test suite in a format this judge reads: "
            f"{', '.join(FORMATS)} (see library/code/formats.py); name one with the format parameter or a 'format' field"
        )
    suite = _READERS[name](data)
    if function is not None and suite.function is None:
        suite = _replace(suite, function=function)
    if not suite.tests:
        raise SuiteError(f"the ground truth ({name} format) holds no test")
    if suite.function is None and any(isinstance(test, CallTest) for test in suite.tests):
        raise SuiteError(f"{name}: function-call tests need a function name (fn_name / func_name, or the function parameter)")
    return suite


# ---- shapes ----------------------------------------------------------------------------------------------


def _decode(value: object) -> object:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise SuiteError("the ground truth is empty (APPS rows without tests hold an empty input_output)")
        try:
            return json.loads(text)
        except ValueError:
            try:
                return ast.literal_eval(text)  # Python reprs, as some PrimeIntellect and TACO copies store them
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                raise SuiteError(f"the ground truth is text but neither JSON nor a Python literal: {text[:80]!r}") from None
    return value


def _detect(data: object) -> str | None:
    if isinstance(data, dict):
        keys = set(data)
        if "format" in keys and data["format"] in FORMATS and data["format"] != "deepcoder":
            return data["format"]
        if {"inputs", "outputs"} <= keys or "input_output" in keys:
            return "prime_code" if _prime_code_calls(data.get("input_output", data)) else "apps"
        if keys & {"public_test_cases", "private_test_cases"}:
            return "livecodebench"
        if keys & {"public_tests", "private_tests", "generated_tests"}:
            return "code_contests"
        if "verification_info" in keys or ("test_cases" in keys and _all_dicts(data["test_cases"])):
            return "openr1"
        if {"test", "entry_point"} <= keys:
            return "humaneval"
        if "test_list" in keys:
            return "mbpp"
        if keys & {"test", "test_code"} and isinstance(data.get("test", data.get("test_code")), str):
            return "kodcode"
        if "test_cases" in keys and _all_asserts(data["test_cases"]):
            return "acecoder"
        if "tests" in keys:
            return "deepcoder" if isinstance(data["tests"], (str, dict)) or _lcb_list(data["tests"]) else "tests"
    if isinstance(data, list) and data:
        if _lcb_list(data):
            return "livecodebench"
        if _all_asserts(data):
            return "acecoder"
        if _all_dicts(data):
            return "tests"
    return None


def _all_dicts(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _all_asserts(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) and item.lstrip().startswith("assert") for item in value)


def _lcb_list(value: object) -> bool:
    return _all_dicts(value) and all("testtype" in item for item in value)


def _prime_code_calls(container: object) -> bool:
    container = _decode(container) if isinstance(container, str) else container
    return isinstance(container, dict) and container.get("fn_name") is not None and all(isinstance(item, str) for item in container.get("inputs") or [None])


def _describe(data: object) -> str:
    if isinstance(data, dict):
        return f"an object with keys {', '.join(sorted(map(str, data)))[:120]}"
    if isinstance(data, list):
        return f"a list of {len(data)} {type(data[0]).__name__ if data else 'items'}"
    return f"a {type(data).__name__}"


def _replace(suite: Suite, **changes: object) -> Suite:
    values = {name: getattr(suite, name) for name in suite.__dataclass_fields__}
    return Suite(**{**values, **changes})


# ---- values ----------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A stdin or stdout as stored: a string, or a list of lines (APPS, TACO)."""
    if isinstance(value, list):
        return "\n".join(str(line) for line in value)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _literal(text: str) -> Any:
    """A value stored as text: JSON, else a Python literal (``True``, ``(1, 2)``), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text


def _json_lines(text: str) -> list:
    """Arguments stored one JSON value a line (LiveCodeBench, verl's prime_code)."""
    return [_literal(line) for line in text.split("\n") if line.strip()]


def _plain(value: Any) -> Any:
    """Tuples as lists, all the way down: what the program's return value becomes on its way out."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


class _OnlyPlainData(pickle.Unpickler):
    """LiveCodeBench's private tests are a pickled string: read it, but never build an object of any class."""

    def find_class(self, module: str, name: str) -> Any:
        raise SuiteError(f"the compressed tests name a class ({module}.{name}); only plain data is read")


def _livecodebench_private(text: str) -> list:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        raw = zlib.decompress(base64.b64decode(text.encode("utf-8")))
        value = _OnlyPlainData(io.BytesIO(raw)).load()
    except (ValueError, zlib.error, pickle.UnpicklingError, EOFError) as exc:
        raise SuiteError(f"livecodebench: the private tests are neither JSON nor base64+zlib+pickle: {exc}") from None
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _limits(data: dict) -> dict[str, Any]:
    """Time (seconds) and memory (MiB) limits a dataset row gives, in the names datasets use."""
    limits: dict[str, Any] = {}
    time_limit = data.get("time_limit")
    if isinstance(time_limit, dict):  # CodeContests: a protobuf Duration
        time_limit = float(time_limit.get("seconds") or 0) + float(time_limit.get("nanos") or 0) / 1e9
    if isinstance(time_limit, (int, float)) and time_limit > 0:
        limits["time_limit"] = float(time_limit)
    if isinstance(data.get("memory_limit_bytes"), (int, float)) and data["memory_limit_bytes"] > 0:
        limits["memory_mb"] = max(16, int(data["memory_limit_bytes"]) >> 20)
    elif isinstance(data.get("memory_limit"), (int, float)) and data["memory_limit"] > 0:
        limits["memory_mb"] = int(data["memory_limit"])
    checker = data.get("checker")
    if isinstance(checker, str) and checker.strip():
        limits["checker"] = Checker(checker)
    elif isinstance(checker, dict) and isinstance(checker.get("code"), str):
        limits["checker"] = Checker(checker["code"], str(checker.get("language", "python")))
    if isinstance(data.get("language"), str):
        limits["language"] = data["language"]
    return limits


# ---- readers ---------------------------------------------------------------------------------------------


def _apps(data: dict, json_lines: bool = False, name: str = "apps") -> Suite:
    container = _decode(data["input_output"]) if "input_output" in data else data
    if not isinstance(container, dict):
        raise SuiteError(f"{name}: input_output is not an object")
    inputs, outputs = container.get("inputs") or [], container.get("outputs") or []
    if len(inputs) != len(outputs):
        raise SuiteError(f"{name}: {len(inputs)} inputs but {len(outputs)} outputs")
    function = container.get("fn_name")
    if function is None:
        tests: list[Test] = [StdioTest(_text(given), _text(expected)) for given, expected in zip(inputs, outputs)]
        return Suite(tuple(tests), name, **_limits(data))
    tests = []
    for given, expected in zip(inputs, outputs):
        if json_lines or isinstance(given, str):
            args = _json_lines(given) if isinstance(given, str) else list(given)
            value = _literal(expected) if isinstance(expected, str) else expected
        else:
            if not isinstance(given, list):
                raise SuiteError(f"{name}: a call's inputs must be the list of its arguments, got {type(given).__name__}")
            args, value = given, expected
            if isinstance(value, list) and len(value) == 1:  # APPS and TACO store [return value]
                value = value[0]
        tests.append(CallTest(_plain(args), _plain(value)))
    return Suite(tuple(tests), name, function=str(function), **_limits(data))


def _prime_code(data: dict) -> Suite:
    return _apps(data, json_lines=True, name="prime_code")


def _livecodebench(data: object) -> Suite:
    if isinstance(data, list):
        tests_raw, metadata = data, {}
        for test in data:
            if isinstance(test.get("metadata"), (dict, str)):
                metadata = _decode(test["metadata"]) if isinstance(test["metadata"], str) else test["metadata"]
    else:
        assert isinstance(data, dict)
        tests_raw = []
        for key in ("public_test_cases", "private_test_cases"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                tests_raw += _livecodebench_private(value) if key.startswith("private") else json.loads(value)
            elif isinstance(value, list):
                tests_raw += value
        metadata = data.get("metadata") or {}
        metadata = _decode(metadata) if isinstance(metadata, str) and metadata.strip() else metadata
    function = metadata.get("func_name") if isinstance(metadata, dict) else None
    tests: list[Test] = []
    for test in tests_raw:
        given, expected = test.get("input", ""), test.get("output", "")
        if test.get("testtype") == "functional" or (function is not None and test.get("testtype") != "stdin"):
            tests.append(CallTest(_plain(_json_lines(given) if isinstance(given, str) else given), _plain(_literal(expected) if isinstance(expected, str) else expected)))
        else:
            tests.append(StdioTest(_text(given), _text(expected)))
    return Suite(tuple(tests), "livecodebench", function=function, **(_limits(data) if isinstance(data, dict) else {}))


def _code_contests(data: dict) -> Suite:
    tests: list[Test] = []
    for key in ("public_tests", "private_tests", "generated_tests"):
        block = data.get(key)
        if isinstance(block, str):
            block = _decode(block)
        if isinstance(block, dict):
            tests += [StdioTest(_text(given), _text(expected)) for given, expected in zip(block.get("input") or [], block.get("output") or [])]
        elif isinstance(block, list):  # a list of {"input", "output"} in some copies
            tests += [StdioTest(_text(item.get("input")), _text(item.get("output"))) for item in block if isinstance(item, dict)]
    return Suite(tuple(tests), "code_contests", **_limits(data))


def _openr1(data: dict) -> Suite:
    info = data.get("verification_info", data)
    info = _decode(info) if isinstance(info, str) else info
    if not isinstance(info, dict) or not isinstance(info.get("test_cases"), (list, str)):
        raise SuiteError("openr1: verification_info has no test_cases")
    cases = _decode(info["test_cases"]) if isinstance(info["test_cases"], str) else info["test_cases"]
    tests: list[Test] = []
    function = None
    for case in cases:
        if case.get("type") == "function_call" or (case.get("fn_name") and case.get("type") != "stdin_stdout"):
            function = function or case.get("fn_name")
            given, expected = case.get("input"), case.get("output")
            args = _literal(given) if isinstance(given, str) else given
            args = args if isinstance(args, list) else _json_lines(given) if isinstance(given, str) else [args]
            tests.append(CallTest(_plain(args), _plain(_literal(expected) if isinstance(expected, str) else expected)))
        else:
            tests.append(StdioTest(_text(case.get("input")), _text(case.get("output"))))
    return Suite(tuple(tests), "openr1", function=function, **_limits({**info, **data}))


def _deepcoder(data: dict) -> Suite:
    inner = _decode(data["tests"]) if isinstance(data["tests"], str) else data["tests"]
    metadata = data.get("metadata")
    metadata = _decode(metadata) if isinstance(metadata, str) and metadata.strip() else metadata
    if isinstance(inner, list) and isinstance(metadata, dict) and metadata.get("func_name"):
        inner = [{**test, "metadata": metadata} for test in inner]
    name = _detect(inner) if not (isinstance(inner, list) and _all_dicts(inner) and not _lcb_list(inner)) else "tests"
    if name is None or name == "deepcoder":
        raise SuiteError(f"deepcoder: the tests ({_describe(inner)}) are in no format this judge reads")
    if name == "tests" and isinstance(inner, list) and any("testtype" not in test and isinstance(test.get("input"), str) for test in inner):
        inner = [{**test, "testtype": "stdin"} for test in inner]
        name = "livecodebench"
    suite = _READERS[name](inner)
    return _replace(suite, format=f"deepcoder/{suite.format}", **_limits(data))


def _humaneval(data: dict) -> Suite:
    entry = data["entry_point"]
    test = f"{data['test']}\n"
    return Suite((ScriptTest(test, "check", call="check"),), "humaneval", function=entry, prefix=str(data.get("prompt") or ""))


def _asserts(statements: list, setup: str, name: str) -> Suite:
    tests = tuple(ScriptTest(statement, f"assert {index + 1}") for index, statement in enumerate(statements) if isinstance(statement, str) and statement.strip())
    function = next((found.group(1) for statement in statements if (found := re.search(r"assert\s+(?:not\s+)?\(?\s*([A-Za-z_]\w*)\s*\(", str(statement)))), None)
    return Suite(tests, name, function=function, setup=setup)


def _mbpp(data: dict) -> Suite:
    setup = "\n".join([str(data.get("test_setup_code") or ""), *map(str, data.get("test_imports") or [])])
    return _asserts(list(data["test_list"]), setup.strip(), "mbpp")


def _acecoder(data: object) -> Suite:
    statements = data["test_cases"] if isinstance(data, dict) else data
    return _asserts(list(statements), "", "acecoder")


_IMPORT_SOLUTION = re.compile(r"^\s*from\s+solution\s+import\s+.*$|^\s*import\s+solution\b.*$", re.MULTILINE)


def _kodcode(data: dict) -> Suite:
    code = str(data.get("test") or data.get("test_code") or "")
    try:
        module = ast.parse(code)
    except SyntaxError as exc:
        raise SuiteError(f"kodcode: the test module does not parse: {exc.msg} (line {exc.lineno})") from None
    names = [node.name for node in module.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")]
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [f"{node.name}.{item.name}" for item in node.body if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]
    info = data.get("test_info") or []
    function = next((item.get("function_name") for item in info if isinstance(item, dict) and item.get("function_name")), None)
    return Suite(tuple(ScriptTest(code, name, call=name) for name in names), "kodcode", function=function)


def _tests(data: object) -> Suite:
    if isinstance(data, list):
        data = {"tests": data}
    assert isinstance(data, dict)
    tests: list[Test] = []
    for index, test in enumerate(data.get("tests") or []):
        if isinstance(test, str):
            tests.append(ScriptTest(test, f"assert {index + 1}"))
        elif isinstance(test, dict) and "stdout" in test:
            tests.append(StdioTest(_text(test.get("stdin")), _text(test["stdout"])))
        elif isinstance(test, dict) and isinstance(test.get("input"), list) and "output" in test:
            tests.append(CallTest(_plain(test["input"]), _plain(test["output"])))
        elif isinstance(test, dict) and isinstance(test.get("input"), str) and "output" in test:
            tests.append(StdioTest(test["input"], _text(test["output"])))
        else:
            raise SuiteError(
                f"tests: test {index + 1} ({str(test)[:80]}) is none of {{'stdin', 'stdout'}}, {{'input': [args], 'output'}}, "
                "{'input': 'text', 'output': 'text'} or an assert statement"
            )
    return Suite(tuple(tests), "tests", function=data.get("function"), setup=str(data.get("setup") or ""), **_limits(data))


_READERS: dict[str, Callable[[Any], Suite]] = {
    "apps": _apps, "prime_code": _prime_code, "livecodebench": _livecodebench, "code_contests": _code_contests,
    "openr1": _openr1, "deepcoder": _deepcoder, "humaneval": _humaneval, "mbpp": _mbpp, "kodcode": _kodcode,
    "acecoder": _acecoder, "tests": _tests,
}
