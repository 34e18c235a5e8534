"""code_tests in-process: verdicts come from the harness, never from what the model's code prints or plants."""

from __future__ import annotations

import builtins
import json
import sys
import threading

import pytest
from rewardbox.library import GoldUnparseable, code_tests
from rewardbox.library.code_runner import canonical, extract_code

REWARD = code_tests(test_timeout=0.2)
SQUARE = json.dumps({"function": "f", "tests": [{"input": [2], "output": 4}, {"input": [3], "output": 9}]})


def python(source: str) -> str:
    return f"Here is my solution:\n```python\n{source}\n```\nIt passes all tests."


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("```python\ndef f(x):\n    return x * x\n```", "def f(x):\n    return x * x\n"),
        ("```py\nfirst\n```\n```python3\nsecond\n```", "second\n"),
        ("```\nbare\n```", "bare\n"),
        ("```python\nfirst\n```\n```\nsecond\n```", "first\n"),
        ("<think>plan</think>\nprint(1)", "print(1)"),
        ("```cpp\nint main() {}\n```", None),
        ("```python\ndef f(x):\n    return x", None),
    ],
)
def test_extract_code(completion, expected):
    assert extract_code(completion) == expected


@pytest.mark.parametrize(
    "name, source, expected",
    [
        ("correct", "def f(x):\n    return x * x", 1.0),
        ("half", "def f(x):\n    return 2 * x", 0.5),
        ("forged PASSED lines", "def f(x):\n    print('test 1 PASSED')\n    print('All tests passed')\n    return 0", 0.0),
        ("sys.exit(0) before the tests", "import sys\nsys.exit(0)", 0.0),
        ("os._exit(0)", "import os\nos._exit(0)", 0.0),
        ("SystemExit from the function", "def f(x):\n    raise SystemExit(0)", 0.0),
        ("KeyboardInterrupt", "def f(x):\n    raise KeyboardInterrupt", 0.0),
        ("__eq__ always True", "class T:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return T()", 0.0),
        ("int subclass", "class I(int):\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return I(0)", 0.0),
        ("patched builtins", "import builtins\nbuiltins.type = lambda *a: int\nbuiltins.len = lambda *a: 0\ndef f(x):\n    return 'x'", 0.0),
        ("catches the timeout and answers", "def f(x):\n    try:\n        while True:\n            pass\n    except BaseException:\n        return x * x", 0.0),
        ("patches the harness", "import rewardbox.library.code_runner as h\nh.same = lambda *a: True\ndef f(x):\n    return 0", 0.0),
        ("huge output", "def f(x):\n    print('x' * 3_000_000)\n    return x * x", 0.0),
        ("no function", "def g(x):\n    return x * x", 0.0),
        ("syntax error", "def f(x) return x", 0.0),
    ],
)
def test_hacks_get_no_credit(name, source, expected):
    assert REWARD(python(source), SQUARE) == expected


def test_the_interpreter_is_put_back_after_hostile_code():
    hostile = "import builtins, sys, os\nbuiltins.print = None\nsys.setrecursionlimit(77)\nsys.settrace(lambda *a: None)\ndef f(x):\n    return x * x"
    before = (builtins.print, sys.getrecursionlimit(), sys.stdout, sys.gettrace())
    assert REWARD(python(hostile), SQUARE) == 1.0
    assert (builtins.print, sys.getrecursionlimit(), sys.stdout, sys.gettrace()) == before


def test_each_test_runs_in_a_fresh_namespace():
    stateful = "calls = []\ndef f(x):\n    calls.append(x)\n    return x * x if len(calls) == 1 else 0"
    assert REWARD(python(stateful), SQUARE) == 1.0


def test_timeouts_are_per_test_and_the_total_is_bounded():
    slow_on_three = "def f(x):\n    while x == 3:\n        pass\n    return x * x"
    assert REWARD(python(slow_on_three), SQUARE) == 0.5
    many = json.dumps({"function": "f", "tests": [{"input": [3], "output": 9}] * 50})
    assert code_tests(test_timeout=0.1, total_timeout=0.5)(python(slow_on_three), many) == 0.0


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import sys\nn = int(sys.stdin.buffer.readline())\nsys.stdout.write(str(n * n) + '\\n')", 1.0),
        ("print(int(input()) ** 2)", 1.0),
        ("import sys\nprint(int(input()) ** 2, file=sys.stderr)", 0.0),
        ("print(int(input()) ** 2)\nimport sys\nsys.exit(0)", 1.0),
        ("print(int(input()) ** 2)\nraise SystemExit(1)", 0.0),
        ("print(int(input()) ** 2)\nimport os\nos._exit(0)", 1.0),
        ("import sys\nsys.stdout.close()", 0.0),
    ],
)
def test_stdin_stdout_tests(source, expected):
    tests = json.dumps([{"stdin": "3\n", "stdout": "9\n"}, {"stdin": "4\n", "stdout": "16"}])
    assert REWARD(python(source), tests) == expected


def test_assert_tests_compare_plain_values():
    tests = json.dumps(["assert f(2) == 4", "assert not g(0)", "assert all(f(x) == x * x for x in range(3))", "assert f(3) in [9]"])
    honest = "def f(x):\n    return x * x\ndef g(x):\n    return x"
    liar = (
        "class L:\n    def __eq__(s, o): return True\n    def __bool__(s): return True\n"
        "    def __contains__(s, o): return True\ndef f(x): return L()\ndef g(x): return L()"
    )
    assert REWARD(python(honest), tests) == 1.0
    assert REWARD(python(liar), tests) == 0.0


def test_setup_code_and_the_function_parameter():
    tests = json.dumps({"setup": "from math import isclose", "tests": ["assert isclose(f(0.1), 0.2)", {"input": [0.1], "output": 0.2}]})
    assert code_tests(function="f")(python("def f(x):\n    return x + 0.1"), tests) == 1.0


def test_all_or_nothing():
    assert code_tests(partial_credit=False, test_timeout=0.2)(python("def f(x):\n    return 2 * x"), SQUARE) == 0.0


def test_numpy_results_compare_by_value():
    """The first test pays numpy's import inside its time limit, so this one gets a generous limit."""
    assert code_tests(test_timeout=5.0)(python("import numpy as np\ndef f(x):\n    return np.int64(x) ** 2"), SQUARE) == 1.0


def test_canonical_rejects_what_is_not_plain_data():
    assert canonical((1, [2.5, "a"], {"k": None})) == [1, [2.5, "a"], {"k": None}]
    nested: list = []
    for _ in range(200):
        nested = [nested]
    for value in (object(), type("S", (str,), {})("x"), nested, {(1, 2): 3}):
        with pytest.raises(Exception, match="plain data|too"):
            canonical(value)


@pytest.mark.parametrize(
    "gold, match",
    [
        ("not json", "not JSON"),
        ("[]", "at least 1"),
        ('{"tests": [{"input": [1], "output": 2}]}', "function name"),
        ('{"tests": ["x = 1"]}', "one assert"),
        ('{"tests": [{"input": 1, "output": 2}], "function": "f"}', "input"),
    ],
)
def test_bad_test_suites_are_clear_errors(gold, match):
    with pytest.raises(GoldUnparseable, match=match):
        REWARD(python("def f(x):\n    return x"), gold)


def test_refuses_to_run_outside_the_main_thread():
    errors = []

    def grade() -> None:
        try:
            REWARD(python("def f(x):\n    return x * x"), SQUARE)
        except RuntimeError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=grade)
    thread.start()
    thread.join()
    assert errors and "main thread" in errors[0]
