"""code_tests called directly: the program runs in processes of its own even here; verdicts come from the judge.

(Through a Grader, in the sandbox, the same judge runs confined: test_code_sandbox.py.)
"""

from __future__ import annotations

import builtins
import json
import sys

import pytest
from rewardbox.graders.runtime.frames import take_components
from rewardbox.library import GoldUnparseable, code_tests
from rewardbox.library.code import extract_code

REWARD = code_tests(time_limit=0.5)
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
        ("looks for the judge", "import gc, sys\ndef f(x):\n    for o in gc.get_objects():\n        if isinstance(o, list) and len(o) == 2 and o[0] == 4:\n            return o[1]\n    return sys._getframe().f_back and 0", 0.0),
        ("huge output", "def f(x):\n    print('x' * 3_000_000)\n    return x * x", 1.0),  # a function's prints are not its answer
        ("no function", "def g(x):\n    return x * x", 0.0),
        ("syntax error", "def f(x) return x", 0.0),
    ],
)
def test_hacks_get_no_credit(name, source, expected):
    assert REWARD(python(source), SQUARE) == expected


def test_a_program_cannot_touch_the_judge_interpreter():
    hostile = "import builtins, sys\nbuiltins.print = None\nsys.setrecursionlimit(77)\ndef f(x):\n    return x * x"
    before = (builtins.print, sys.getrecursionlimit(), sys.stdout)
    assert REWARD(python(hostile), SQUARE) == 1.0
    assert (builtins.print, sys.getrecursionlimit(), sys.stdout) == before


def test_each_test_runs_in_a_fresh_process():
    stateful = "calls = []\ndef f(x):\n    calls.append(x)\n    return x * x if len(calls) == 1 else 0"
    assert REWARD(python(stateful), SQUARE) == 1.0


def test_time_limits_are_per_test_and_the_total_is_bounded():
    slow_on_three = "def f(x):\n    while x == 3:\n        pass\n    return x * x"
    assert REWARD(python(slow_on_three), SQUARE) == 0.5
    take_components()
    many = json.dumps({"function": "f", "tests": [{"input": [3], "output": 9}] * 50})
    assert code_tests(time_limit=0.2, total_timeout=1.0)(python(slow_on_three), many) == 0.0
    components = take_components()
    assert components["tests"] == 50 and components["not_run"] >= 40 and components["time_limit"] >= 1


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import sys\nn = int(sys.stdin.buffer.readline())\nsys.stdout.buffer.write(str(n * n).encode() + b'\\n')", 1.0),
        ("print(int(input()) ** 2)", 1.0),
        ("import sys\nprint(int(input()) ** 2, file=sys.stderr)", 0.0),
        ("print(int(input()) ** 2)\nimport sys\nsys.exit(0)", 1.0),
        ("print(int(input()) ** 2)\nexit()", 1.0),  # site's exit and quit exist for the program
        ("print(int(input()) ** 2)\nquit(0)", 1.0),
        ("print(int(input()) ** 2)\nraise SystemExit(1)", 0.0),  # a non-zero exit is a runtime error, whatever it printed
        ("import sys\nsys.stdout.close()", 0.0),
        ("import threading\ndef main():\n    print(int(input()) ** 2)\nthreading.Thread(target=main).start()", 1.0),  # waited for, as Python does
        ("import sys\nsys.setrecursionlimit(10**6)\ndef d(n):\n    return 0 if n == 0 else 1 + d(n - 1)\nd(50000)\nprint(int(input()) ** 2)", 1.0),
    ],
)
def test_stdin_stdout_tests(source, expected):
    tests = json.dumps([{"stdin": "3\n", "stdout": "9\n"}, {"stdin": "4\n", "stdout": "16"}])
    assert REWARD(python(source), tests) == expected


def test_integers_of_any_size_print():
    tests = json.dumps([{"stdin": "5000\n", "stdout": str(7**5000)}])
    assert REWARD(python("print(7 ** int(input()))"), tests) == 1.0


def test_assert_tests_compare_the_programs_values_in_the_judge():
    tests = json.dumps(["assert f(2) == 4", "assert not g(0)", "assert all(f(x) == x * x for x in range(3))", "assert f(3) in [9]", "assert pair() == (1, 2)"])
    honest = "def f(x):\n    return x * x\ndef g(x):\n    return x\ndef pair():\n    return (1, 2)"
    liar = (
        "class L:\n    def __eq__(s, o): return True\n    def __bool__(s): return False\n"
        "    def __contains__(s, o): return True\ndef f(x): return L()\ndef g(x): return L()\ndef pair(): return L()"
    )
    assert REWARD(python(honest), tests) == 1.0
    assert REWARD(python(liar), tests) == 0.0  # its objects stay in its process: no __eq__ or __contains__ of theirs runs here


def test_humaneval_check_with_the_prompt_put_before_a_body():
    row = {"prompt": "def add(a, b):\n    \"\"\"Add.\"\"\"\n", "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n", "entry_point": "add"}
    assert REWARD("    return a + b\n", json.dumps(row)) == 1.0
    assert REWARD(python("def add(a, b):\n    return a - b"), json.dumps(row)) == 0.0


def test_kodcode_pytest_functions_with_raises_and_parametrize():
    test = (
        "import pytest\nfrom solution import safe_div, Stack\n\n"
        "def test_div():\n    assert safe_div(6, 3) == 2\n\n"
        "def test_zero():\n    with pytest.raises(ZeroDivisionError):\n        safe_div(1, 0)\n\n"
        "@pytest.mark.parametrize('a, b', [(4, 2), (9, 3)])\ndef test_many(a, b):\n    assert safe_div(a, b) * b == a\n\n"
        "class TestStack:\n    def test_push_pop(self):\n        s = Stack()\n        s.push(5)\n        assert s.pop() == 5 and len(s) == 0\n"
    )
    row = {"test": test, "test_info": [{"function_name": "safe_div"}]}
    good = "def safe_div(a, b):\n    return a // b\nclass Stack:\n    def __init__(self):\n        self.items = []\n    def push(self, x):\n        self.items.append(x)\n    def pop(self):\n        return self.items.pop()\n    def __len__(self):\n        return len(self.items)"
    assert REWARD(python(good), json.dumps(row)) == 1.0
    bad = good.replace("return a // b", "return 0 if b == 0 else a // b")
    assert REWARD(python(bad), json.dumps(row)) == 0.75


def test_setup_code_and_the_function_parameter():
    tests = json.dumps({"setup": "from math import isclose", "tests": ["assert isclose(f(0.1), 0.2)", {"input": [0.1], "output": 0.2}]})
    assert code_tests(function="f")(python("def f(x):\n    return x + 0.1"), tests) == 1.0


def test_all_or_nothing():
    assert code_tests(partial_credit=False, time_limit=0.5)(python("def f(x):\n    return 2 * x"), SQUARE) == 0.0


def test_numpy_results_compare_by_value():
    assert code_tests(time_limit=5.0)(python("import numpy as np\ndef f(x):\n    return np.int64(x) ** 2"), SQUARE) == 1.0


def test_the_result_names_every_verdict_and_the_first_failure(capsys):
    take_components()
    tests = json.dumps([{"stdin": "1\n", "stdout": "1\n"}, {"stdin": "2\n", "stdout": "4\n"}, {"stdin": "3\n", "stdout": "9\n"}])
    assert REWARD(python("n = int(input())\nprint(n if n < 3 else n + 1)"), tests) == pytest.approx(1 / 3)
    out = capsys.readouterr().out
    assert "tests: 1/3 passed: AC WA WA" in out
    assert "first failure: test 2: wrong answer: expected '4', found '2' on line 1; input '2\\n'" in out
    assert take_components() == {"passed": 1.0, "tests": 3.0, "accepted": 1.0, "wrong_answer": 2.0}


@pytest.mark.parametrize(
    "gold, match",
    [
        ("not json", "neither JSON"),
        ("[]", "not a test suite"),
        ('{"tests": [{"input": [1], "output": 2}]}', "function name"),
        ('{"tests": [{"input": 1, "output": 2}], "function": "f"}', "none of"),
    ],
)
def test_bad_test_suites_are_clear_errors(gold, match):
    with pytest.raises(GoldUnparseable, match=match):
        REWARD(python("def f(x):\n    return x"), gold)


def test_call_tests_in_another_language_are_a_clear_error():
    with pytest.raises(GoldUnparseable, match="only Python"):
        REWARD("```cpp\nint f(int x) { return x * x; }\n```", SQUARE)


def test_the_code_judge_page_lists_every_language_and_format():
    from pathlib import Path

    from rewardbox.library.code.formats import FORMATS
    from rewardbox.library.code.languages import LANGUAGES

    page = (Path(__file__).resolve().parents[3] / "docs" / "code-judge.md").read_text()
    for name, row in LANGUAGES.items():
        assert f"| {name} | " + ", ".join(f"`{tag}`" for tag in row.tags) + " |" in page, name
    for name in FORMATS:
        assert f"| `{name}` |" in page, name
