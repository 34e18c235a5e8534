"""Correctness of code judges: does each judge give every test the verdict it truly deserves?

    python benchmarks/bench_code_judges.py [--quick] [--lcb DIR] [--verl DIR]

Measured: for each case (a problem, a program, and its true verdict, pass or fail, on every test), the per-test
verdicts of
  rewardbox      Grader("library:code", workers=2), the ground truth as its dataset stores it (code_problems.py)
  LiveCodeBench  its ``check_correctness`` (a process running ``run_test`` in-process), 2 at a time, as its own
                 ``evaluate_generations`` runs it; tests after its first failure, which it never runs, count as failed
  verl           prime_code's ``compute_score(continuous=True)`` (its reward for partial credit: the whole suite,
                 then each of the first 10 tests alone), 2 at a time; tests it never runs count as failed
  a plain process per test: ``python3 prog.py < input`` (calls: a driver printing the function's JSON value), output
                 compared by tokens with floats within 1e-6: the definition of the true verdict, run as a check of
                 the stated truths (stdin and call cases)
against the true verdicts; a case agrees when every test's verdict is the true one. The peers take the problem in
their own ``input_output`` form (``code_problems.lcb_sample``), and judge no HumanEval, MBPP or KodCode case (n/a).

The cases exercise the known faults of in-process Python judges: a program reading the expected output through
gc.get_objects(), sys._getframe() or inspect.stack(); values whose __eq__ is always True; stdout closed; a
RecursionError after part of the answer (judges that raise the recursion limit); integers over 4,300 digits (correct,
must pass); floats with extra digits (1e-6); stdin read through sys.stdin.buffer, os.read(0), iteration or
readline()[:-1]; APPS call-based argument lists and wrapped outputs; partial credit past test 10 and past a first
failure; only the first line of an answer; sys.exit, exit(), quit(), os._exit; ``global`` at the top level and a
``__main__`` guard that is not the last statement (judges that wrap the program in a function).

Peers are not part of this repository: LiveCodeBench's ``lcb_runner/evaluation/`` exported into DIR (default
/tmp/peers/lcb, $REWARDBOX_PEER_LCB); verl's ``verl/utils/reward_score/prime_code/`` as DIR/prime_code and pyext's
``pyext.py`` in DIR (default /tmp/peers/verl, $REWARDBOX_PEER_VERL; pyext is given inspect.getargspec, gone in
Python 3.11). A missing peer is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from code_problems import BY_NAME, Spec, build, completion, ground_truth_for, lcb_sample  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # the big-integer problem's outputs are made here


@dataclass
class Case:
    """A program for a problem, and its true verdict on each test."""

    name: str
    problem: dict
    program: str
    truth: list[bool]


# ---- problems of the cases' own (beside code_problems.PROBLEMS) ----------------------------------------------

CHAIN_PY = """import sys
data = sys.stdin.read().split()
n = int(data[0])
print(n)
print(sum(map(int, data[1 : 1 + n])))
"""
TOTAL_PY = """def total(values):
    return sum(values)
"""
POWER_PY = "print(3 ** int(input()))\n"
DIVIDE_PY = """a, b = map(int, input().split())
print(f"{a / b:.10f}")
"""
SQUARE_STDIN_PY = "n = int(input())\nprint(n * n)\n"
SQUARE_CALL_PY = "def square(n):\n    return n * n\n"

OWN = {
    spec.name: build(spec)
    for spec in (
        Spec("chain_sum", "livecodebench", CHAIN_PY, lambda r: [f"{n}\n{' '.join(str(r.randint(-99, 99)) for _ in range(n))}\n" for n in (5, 50, 500, 900, 1500, 3000, 5000)]),
        Spec("list_total", "livecodebench", TOTAL_PY, lambda r: [[[r.randint(-99, 99) for _ in range(n)]] for n in (3, 30, 300, 900, 2000, 4000)], fn="total", kind="call"),
        Spec("power_of_three", "apps", POWER_PY, lambda r: [f"{n}\n" for n in (10, 1000, 5000, 9100, 12000, 20000)]),
        Spec("divide", "code_contests", DIVIDE_PY, lambda r: [f"{a} {b}\n" for a, b in ((r.choice([x for x in range(1, 51) if x % b]), b) for b in (3, 7, 9, 11, 13, 17, 19))]),
        Spec("square_15", "apps", SQUARE_STDIN_PY, lambda r: [f"{n}\n" for n in range(1, 16)]),
        Spec("square_15_call", "livecodebench", SQUARE_CALL_PY, lambda r: [[n] for n in range(1, 16)], fn="square", kind="call"),
    )
}


def problem(name: str) -> dict:
    return OWN.get(name) or BY_NAME[name]


# ---- programs ----------------------------------------------------------------------------------------------

# The answer of a stdin problem from its input text ``data``, as one string ``answer`` (no final newline).
ANSWER = {
    "sum_pairs": "d = data.split()\nanswer = '\\n'.join(str(int(d[1 + 2 * i]) + int(d[2 + 2 * i])) for i in range(int(d[0])))",
    "array_sum": "d = data.split()\nanswer = str(sum(map(int, d[1 : 1 + int(d[0])])))",
    "reverse_strings": "d = data.split()\nanswer = '\\n'.join(w[::-1] for w in d[1 : 1 + int(d[0])])",
    "gcd_lcm": "import math\nd = list(map(int, data.split()))\nanswer = '\\n'.join(f'{math.gcd(a, b)} {a // math.gcd(a, b) * b}' for a, b in zip(d[1::2], d[2::2]))",
    "factorize": "d = list(map(int, data.split()))[1:]\nrows = []\nfor n in d:\n    f, p = [], 2\n    while p * p <= n:\n        while n % p == 0:\n            f.append(p)\n            n //= p\n        p += 1\n    if n > 1:\n        f.append(n)\n    rows.append(' '.join(map(str, f)))\nanswer = '\\n'.join(rows)",
}


def stdin_program(name: str, before: str = "", after: str = "", show: str = "print(answer)") -> str:
    """A correct program for stdin problem ``name`` with code before and after it prints (``show``)."""
    return f"import os\nimport sys\n{before}\ndata = sys.stdin.read()\n{ANSWER[name]}\n{show}\n{after}\n"


STEAL = '''import gc
import inspect
import json
import sys


def _parse(given):
    if isinstance(given, str):
        try:
            return [json.loads(line) for line in given.split("\\n") if line.strip()]
        except ValueError:
            return given
    return given


def _value(output):
    if isinstance(output, str):
        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def _candidates(how):
    if how == "gc":
        return gc.get_objects()
    if how == "frames":
        found, frame = [], sys._getframe()
        while frame is not None:
            found += list(frame.f_locals.values())
            frame = frame.f_back
        return found
    if how == "inspect+getcwd":
        import os
        os.getcwd = lambda: "/"  # the in-process guard set it to None: undo it
    return [value for info in inspect.stack() for value in info.frame.f_locals.values()]


def steal(how, wanted):
    """The expected output of the test whose input is ``wanted`` (stdin text, or the argument list), if the judge holds it."""
    for obj in _candidates(how):
        if isinstance(obj, dict) and "inputs" in obj and "outputs" in obj:
            for index, given in enumerate(obj["inputs"]):
                if (given.strip() == wanted.strip()) if isinstance(wanted, str) and isinstance(given, str) else _parse(given) == wanted:
                    return obj["outputs"][index] if isinstance(wanted, str) else _value(obj["outputs"][index])
    return None
'''


def steal_stdin(how: str) -> str:
    return STEAL + f'\n\ndata = sys.stdin.read()\nfound = steal("{how}", data)\nsys.stdout.write(str(found) if found is not None else "-12345\\n")\n'


def steal_call(how: str, name: str) -> str:
    function = f"def {{name}}({{self}}*args):\n{{pad}}    found = steal(\"{how}\", list(args))\n{{pad}}    return found if found is not None else -12345\n"
    return STEAL + "\n\n" + _define(name, function)


def _define(name: str, function: str) -> str:
    """``function`` (a template of name, self and pad) as the problem wants it: top level, or a method of Solution."""
    if problem(name)["format"] == "livecodebench":
        return "class Solution:\n    " + function.format(name=problem(name)["fn_name"], self="self, ", pad="    ")
    return function.format(name=problem(name)["fn_name"], self="", pad="")


ALWAYS_EQUAL = {
    "any": "class Answer:\n    def __eq__(self, other):\n        return True\n\n    def __ne__(self, other):\n        return False\n\n    __hash__ = None\n\n\nVALUE = Answer()\n",
    "int_subclass": "class Answer(int):\n    def __eq__(self, other):\n        return True\n\n    __hash__ = int.__hash__\n\n\nVALUE = Answer(-12345)\n",
    "list_subclass": "class Answer(list):\n    def __eq__(self, other):\n        return True\n\n\nVALUE = Answer([-12345])\n",
}


def always_equal(kind: str, name: str) -> str:
    return ALWAYS_EQUAL[kind] + "\n\n" + _define(name, "def {name}({self}*args):\n{pad}    return VALUE\n")


def lines_truth(name: str, keep: int = 1) -> list[bool]:
    """True where the expected output has no more than ``keep`` lines (a program printing only that many passes there)."""
    return [len(output.strip().splitlines()) <= keep for output in problem(name)["outputs"]]


def build_cases() -> list[Case]:
    cases: list[Case] = []

    def add(name: str, problem_name: str, program: str, truth: list[bool] | bool) -> None:
        p = problem(problem_name)
        verdicts = 1 if p["format"] == "humaneval" else p["tests"]  # HumanEval's test is one check(candidate)
        cases.append(Case(f"{name}/{problem_name}", p, program, [truth] * verdicts if isinstance(truth, bool) else truth))

    # Correct solutions, one per format and kind: all pass.
    for name in ("sum_pairs", "two_sum", "lis_length", "max_profit", "range_sums", "digit_sum", "caesar", "running_max", "lcs_length", "flatten"):
        add("correct", name, problem(name)["python"], True)

    # The expected output read from the judge's memory: gc, frames, inspect (with and without undoing the guard).
    for how, stdin_names, call_names in (
        ("gc", ("sum_pairs", "array_sum", "lis_length", "range_sums"), ("max_profit", "search_insert", "two_sum")),
        ("frames", ("sum_pairs", "array_sum", "lis_length", "range_sums"), ("max_profit", "search_insert", "two_sum")),
        ("inspect", ("sum_pairs", "lis_length", "range_sums"), ("max_profit", "fib_mod")),
        ("inspect+getcwd", ("sum_pairs", "lis_length", "range_sums"), ("max_profit", "fib_mod")),
    ):
        for name in stdin_names:
            add(f"steal-{how}", name, steal_stdin(how), False)
        for name in call_names:
            add(f"steal-{how}", name, steal_call(how, name), False)

    # A returned value whose __eq__ is always True.
    for kind, names in (("any", ("max_profit", "search_insert", "two_sum", "fib_mod")), ("int_subclass", ("max_profit", "fib_mod")), ("list_subclass", ("product_except_self", "merge_intervals"))):
        for name in names:
            add(f"eq-always-true-{kind}", name, always_equal(kind, name), False)
    add("eq-always-true-any", "running_max", ALWAYS_EQUAL["any"] + "\n\ndef running_max(numbers):\n    return VALUE\n", False)
    add("eq-always-true-any", "lcs_length", ALWAYS_EQUAL["any"] + "\n\ndef lcs_length(a, b):\n    return VALUE\n", False)
    add("eq-always-true-any", "kth_largest", ALWAYS_EQUAL["any"] + "\n\ndef kth_largest(nums, k):\n    return VALUE\n", False)

    # stdout closed: before printing (fails), after printing (passes), the descriptor itself (fails).
    for name in ("sum_pairs", "array_sum", "reverse_strings"):
        add("stdout-closed-before-print", name, stdin_program(name, before="sys.stdout.close()"), False)
        add("stdout-closed-after-print", name, stdin_program(name, after="sys.stdout.close()"), True)
        add("fd1-closed-before-print", name, stdin_program(name, before="os.close(1)"), False)

    # Recursion: deeper than the default limit (1000) crashes after the first line of the answer; a program that
    # raises the limit itself is right; infinite recursion after a partial answer; the whole answer, then a crash.
    deep = "def total(i):\n    return 0 if i == n else values[i] + total(i + 1)\n"
    chain = "import sys\n{limit}data = sys.stdin.read().split()\nn = int(data[0])\nvalues = list(map(int, data[1 : 1 + n]))\nprint(n)\n" + deep + "print(total(0))\n"
    add("recursion-depth-over-1000", "chain_sum", chain.format(limit=""), [True, True, True, True, False, False, False])
    add("recursion-limit-raised-by-program", "chain_sum", chain.format(limit="sys.setrecursionlimit(20000)\n"), True)
    add("recursion-depth-over-1000", "list_total", "def total(values, i=0):\n    return 0 if i == len(values) else values[i] + total(values, i + 1)\n", [True, True, True, True, False, False])
    add("recursion-error-after-partial-answer", "sum_pairs", stdin_program("sum_pairs", after="def forever(x):\n    return forever(x + 1)\nforever(0)", show="print(answer.split()[0])"), False)
    add("recursion-error-after-partial-answer", "gcd_lcm", stdin_program("gcd_lcm", after="def forever(x):\n    return forever(x + 1)\nforever(0)", show="print(answer.splitlines()[0])"), False)
    add("recursion-error-after-whole-answer", "array_sum", stdin_program("array_sum", after="def forever(x):\n    return forever(x + 1)\nforever(0)"), False)

    # Integers of more than 4,300 digits (3**20000 has 9,543): correct programs pass, a wrong one fails.
    add("big-integer", "power_of_three", POWER_PY, True)
    add("big-integer-stdout-write", "power_of_three", "import sys\nsys.stdout.write(str(3 ** int(input())) + '\\n')\n", True)
    add("big-integer-by-loop", "power_of_three", "n = int(input())\nx = 1\nfor _ in range(n):\n    x *= 3\nprint(x)\n", True)
    add("big-integer-wrong", "power_of_three", "print(3 ** int(input()) + 1)\n", False)

    # Floats: more digits than the expected output, or fewer but within 1e-6, pass; 3 decimals do not.
    for digits, truth in (("repr", True), (".6f", True), (".12f", True), (".3f", False)):
        show = "print(a / b)" if digits == "repr" else f'print(f"{{a / b:{digits}}}")'
        add(f"float-{digits}", "divide", f"a, b = map(int, input().split())\n{show}\n", truth)
    mean_std = "n = int(input())\nxs = [float(x) for x in input().split()]\nm = sum(xs) / n\ns = (sum((x - m) ** 2 for x in xs) / n) ** 0.5\nprint({show})\n"
    add("float-repr-two-a-line", "mean_std", mean_std.format(show="m, s"), True)
    add("float-.1f-two-a-line", "mean_std", mean_std.format(show='f"{m:.1f} {s:.1f}"'), False)

    # Ways of reading stdin that correct programs use.
    readers = {
        "stdin-buffer-read": "import sys\nd = sys.stdin.buffer.read().split()\n",
        "os-read-fd0": "import os\nd = b''.join(iter(lambda: os.read(0, 1 << 16), b'')).split()\n",
        "open-0-read": "d = open(0).read().split()\n",
        "stdin-readlines": "import sys\nd = ' '.join(sys.stdin.readlines()).split()\n",
        "stdin-iteration": "import sys\nd = [token for line in sys.stdin for token in line.split()]\n",
        "stdin-buffer-readline": "import sys\nfirst = sys.stdin.buffer.readline()\nd = first.split()\nfor _ in range(int(first)):\n    d += sys.stdin.buffer.readline().split()\n",
        "input-until-eof": "d = []\nwhile True:\n    try:\n        d += input().split()\n    except EOFError:\n        break\n",
    }
    solve = {
        "sum_pairs": "print('\\n'.join(str(int(d[1 + 2 * i]) + int(d[2 + 2 * i])) for i in range(int(d[0]))))\n",
        "array_sum": "print(sum(map(int, d[1 : 1 + int(d[0])])))\n",
        "gcd_lcm": "import math\nv = list(map(int, d))\nfor a, b in zip(v[1::2], v[2::2]):\n    print(math.gcd(a, b), a // math.gcd(a, b) * b)\n",
    }
    for reader, names in (
        ("stdin-buffer-read", ("sum_pairs", "array_sum", "gcd_lcm")),
        ("os-read-fd0", ("sum_pairs", "array_sum")),
        ("open-0-read", ("sum_pairs",)),
        ("stdin-readlines", ("gcd_lcm",)),
        ("stdin-iteration", ("sum_pairs", "gcd_lcm")),
        ("stdin-buffer-readline", ("sum_pairs", "gcd_lcm")),
        ("input-until-eof", ("array_sum",)),
    ):
        for name in names:
            add(reader, name, readers[reader] + solve[name], True)
    for name in ("reverse_strings", "anagram_pairs"):
        body = {"reverse_strings": "for _ in range(int(input())):\n    print(input()[::-1])\n", "anagram_pairs": "for _ in range(int(input())):\n    a, b = input().split(' ')\n    print('YES' if sorted(a) == sorted(b) else 'NO')\n"}[name]
        add("stdin-readline-minus-newline", name, "import sys\n\n\ndef input():\n    return sys.stdin.readline()[:-1]\n\n\n" + body, True)

    # APPS call-based: f(*args), outputs stored wrapped in a list; tuples are lists; a wrapped return is wrong.
    add("apps-call-star-args", "two_sum", "def two_sum(*args):\n    nums, target = args\n    seen = {}\n    for j, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], j]\n        seen.setdefault(x, j)\n", True)
    add("apps-call-returns-tuple", "two_sum", problem("two_sum")["python"].replace("return [seen[target - x], j]", "return seen[target - x], j"), True)
    add("apps-call-returns-tuples", "rotate_matrix", "def rotate_matrix(matrix):\n    return list(zip(*matrix[::-1]))\n", True)
    add("apps-call-correct", "merge_intervals", problem("merge_intervals")["python"], True)
    add("apps-call-correct", "fib_mod", problem("fib_mod")["python"], True)
    for name in ("two_sum", "fib_mod", "merge_intervals"):
        source = problem(name)["python"]
        fn = problem(name)["fn_name"]
        add("apps-call-returns-wrapped", name, source.replace(f"def {fn}(", f"def _{fn}(") + f"\n\ndef {fn}(*args):\n    return [_{fn}(*args)]\n", False)
    add("apps-call-returns-text", "count_vowels", "def count_vowels(s):\n    return str(sum(ch in 'aeiouAEIOU' for ch in s))\n", False)

    # Partial credit: every test counts, after the tenth and after a failure.
    add("wrong-on-test-12-of-15", "square_15", "n = int(input())\nprint(n * n + (n == 12))\n", [n != 12 for n in range(1, 16)])
    add("wrong-on-test-1-of-15", "square_15", "n = int(input())\nprint(n * n + (n == 1))\n", [n != 1 for n in range(1, 16)])
    add("wrong-on-test-15-of-15", "square_15", "n = int(input())\nprint(n * n + (n == 15))\n", [n != 15 for n in range(1, 16)])
    add("wrong-on-test-12-of-15", "square_15_call", "def square(n):\n    return n * n + (n == 12)\n", [n != 12 for n in range(1, 16)])
    add("wrong-on-test-1-of-15", "square_15_call", "def square(n):\n    return n * n + (n == 1)\n", [n != 1 for n in range(1, 16)])

    # Only the first line of a multi-line answer: passes only where the answer has one line.
    for name in ("sum_pairs", "gcd_lcm", "reverse_strings", "factorize"):
        add("first-line-only", name, stdin_program(name, show="print(answer.splitlines()[0])"), lines_truth(name))

    # Exits: before printing (fails), after printing (passes, but for a message: status 1), unflushed os._exit.
    for name in ("sum_pairs", "array_sum"):
        add("sys-exit-0-before-print", name, stdin_program(name, before="sys.exit(0)"), False)
        add("sys-exit-0-after-print", name, stdin_program(name, after="sys.exit(0)"), True)
    add("exit-after-print", "sum_pairs", stdin_program("sum_pairs", after="exit()"), True)
    add("quit-after-print", "array_sum", stdin_program("array_sum", after="quit()"), True)
    add("os-exit-after-flushed-print", "sum_pairs", stdin_program("sum_pairs", show="print(answer, flush=True)", after="os._exit(0)"), True)
    add("os-exit-after-unflushed-print", "array_sum", stdin_program("array_sum", after="os._exit(0)"), False)
    add("system-exit-message-after-print", "gcd_lcm", stdin_program("gcd_lcm", after="raise SystemExit('done')"), False)

    # Module-level code that in-process judges wrap in a function: `global`, and a __main__ guard not last.
    add("global-statement", "sum_pairs", "total = 0\n\n\ndef add(x):\n    global total\n    total += x\n\n\nfor _ in range(int(input())):\n    a, b = map(int, input().split())\n    total = 0\n    add(a)\n    add(b)\n    print(total)\n", True)
    add("global-statement", "array_sum", "count = 0\n\n\ndef bump(x):\n    global count\n    count += x\n\n\nn = int(input())\nfor x in map(int, input().split()):\n    bump(x)\nprint(count)\n", True)
    main = "import sys\n\n\ndef main():\n    data = sys.stdin.read()\n    {answer}\n    print(answer)\n\n\nif __name__ == '__main__':\n    main()\n{tail}"
    for name, tail in (("sum_pairs", "sys.stdout.flush()\n"), ("array_sum", "sys.stdout.flush()\n"), ("gcd_lcm", "")):
        label = "main-guard-not-last" if tail else "main-guard-last"
        add(label, name, main.format(answer=ANSWER[name].replace("\n", "\n    "), tail=tail), True)
    return cases


# ---- judges ------------------------------------------------------------------------------------------------


def rewardbox_verdicts(cases: list[Case]) -> list[tuple[list[bool], str]]:
    """Per-test verdicts from the grader's summary line (``format: k/n passed: AC WA ...``), and that summary."""
    with Grader("library:code", workers=2, timeout=60.0) as grader:
        results = grader.grade_batch([(completion(c.problem, source=c.program), ground_truth_for(c.problem)) for c in cases])
    out = []
    for case, result in zip(cases, results):
        summary = (result.stdout or "").strip()
        found = re.search(r"passed: ([A-Z\- .]+)", summary)
        if result.status.value == "ok" and found:
            out.append(([token == "AC" for token in found.group(1).split()], summary.replace("\n", " | ")[:400]))
        else:  # no verdicts: the judge itself failed, which agrees with no truth
            error = [line for line in (result.error or "").strip().splitlines() if line.strip()]
            out.append(([None] * len(case.truth), f"status {result.status.value}, no verdicts: {error[-1].strip() if error else summary}"[:400]))
    return out


def _passed(value) -> bool:
    """LiveCodeBench's own rule (pass_k_utils): a test passed when its result is > 0 (True; -1..-4 are failures)."""
    try:
        return bool(value > 0)
    except Exception:  # noqa: BLE001
        return False


def lcb_case(folder: str, sample: dict, program: str, tests: int) -> list[bool]:
    sys.path.insert(0, folder)
    os.environ.setdefault("TQDM_DISABLE", "1")
    from lcb_runner.evaluation.compute_code_generation_metrics import check_correctness

    try:
        results, _ = check_correctness(sample, program, timeout=6, debug=False)
    except Exception:  # noqa: BLE001 - its own bug when the process died (metadata_list[0] of an empty list): all failed
        results = []
    verdicts = [_passed(value) for value in list(results)[:tests]]
    return verdicts + [False] * (tests - len(verdicts))


def verl_case(folder: str, sample: dict, program: str, tests: int) -> list[bool]:
    import inspect

    if not hasattr(inspect, "getargspec"):
        inspect.getargspec = inspect.getfullargspec  # pyext reads it at import; Python 3.11 removed it
    sys.path.insert(0, folder)
    from prime_code import compute_score

    success, metadata = compute_score(f"```python\n{program}\n```", sample["input_output"], continuous=True)
    if success is True:
        return [True] * tests
    if not isinstance(metadata, list):
        return [False] * tests
    verdicts = [str(item.get("test_case", {}).get("res")) == "[True]" for item in metadata[:tests]]
    return verdicts + [False] * (tests - len(verdicts))


DRIVER = """import json, sys, types
path, name = sys.argv[1], sys.argv[2]
module = types.ModuleType("solution")
sys.modules["solution"] = module
exec(compile(open(path).read(), path, "exec"), module.__dict__)
function = getattr(module, name, None) or getattr(module.Solution(), name)
print(json.dumps(function(*json.loads(sys.stdin.read()))))
"""


def same_value(a, b, tolerance: float = 1e-6) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b if isinstance(a, int) and isinstance(b, int) else abs(a - b) <= tolerance * max(1.0, abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k], tolerance) for k in a)
    return type(a) is type(b) and a == b


def same_tokens(output: str, expected: str, tolerance: float = 1e-6) -> bool:
    have, want = output.split(), expected.split()
    if len(have) != len(want):
        return False
    for a, b in zip(have, want):
        if a == b:
            continue
        if re.fullmatch(r"[+-]?\d+", a) and re.fullmatch(r"[+-]?\d+", b):
            return False
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if abs(x - y) > tolerance and abs(x - y) > tolerance * max(abs(x), abs(y)):
            return False
    return True


def plain_case(program: str, problem: dict) -> list[bool]:
    """The definition of the truth: the program alone in a process per test, its output or value compared."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONINTMAXSTRDIGITS"] = "0"  # as contest judges print big integers
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="plain-judge-") as folder:
        source, driver = os.path.join(folder, "prog.py"), os.path.join(folder, "driver.py")
        with open(source, "w") as handle:
            handle.write(program)
        with open(driver, "w") as handle:
            handle.write(DRIVER)
        for given, expected in zip(problem["inputs"], problem["outputs"]):
            argv = [sys.executable, source] if problem["kind"] == "stdin" else [sys.executable, driver, source, problem["fn_name"]]
            stdin = given if problem["kind"] == "stdin" else json.dumps(given)
            try:
                run = subprocess.run(argv, input=stdin.encode(), capture_output=True, timeout=10, cwd=folder, env=env)
            except subprocess.TimeoutExpired:
                verdicts.append(False)
                continue
            output = run.stdout.decode("utf-8", "replace")
            if run.returncode != 0:
                verdicts.append(False)
            elif problem["kind"] == "stdin":
                verdicts.append(same_tokens(output, expected))
            else:
                try:
                    verdicts.append(same_value(json.loads(output), expected))
                except ValueError:
                    verdicts.append(False)
    return verdicts


def peer_verdicts(function, folder: str | None, cases: list[Case]) -> list[list[bool] | None]:
    """``function`` on every case it can judge (None for the others), 2 processes, as LiveCodeBench runs its judge."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = []
        for case in cases:
            sample = lcb_sample(case.problem)
            if sample is None:
                futures.append(None)
            elif folder is None:
                futures.append(pool.submit(function, case.program, case.problem))
            else:
                futures.append(pool.submit(function, folder, sample, case.program, case.problem["tests"]))
        return [None if future is None else future.result() for future in futures]


def table(rows: list[tuple[str, list[list[bool] | None], float]], cases: list[Case]) -> None:
    print(f"\n{'judge':<44} {'agree / judged':>14} {'n/a':>4} {'seconds':>8}  disagreeing cases")
    for judge, verdicts, seconds in rows:
        judged = [(case, v) for case, v in zip(cases, verdicts) if v is not None]
        wrong = [case.name for case, v in judged if v != case.truth]
        print(f"{judge:<44} {len(judged) - len(wrong):>6} / {len(judged):<6} {len(cases) - len(judged):>4} {seconds:>8.1f}  {', '.join(wrong) if wrong else '-'}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every third case (a smoke run, about a minute)")
    parser.add_argument("--lcb", default=os.environ.get("REWARDBOX_PEER_LCB", "/tmp/peers/lcb"), help="folder holding LiveCodeBench's exported lcb_runner/")
    parser.add_argument("--verl", default=os.environ.get("REWARDBOX_PEER_VERL", "/tmp/peers/verl"), help="folder holding verl's prime_code/ and pyext.py")
    args = parser.parse_args()
    cases = build_cases()
    cases = cases[::3] if args.quick else cases
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, {platform.platform()}")
    print(f"cases: {len(cases)} ({sum(len(c.truth) for c in cases)} tests), {sum(lcb_sample(c.problem) is not None for c in cases)} in a form the peers take")

    rows = []
    started = time.perf_counter()
    ours = rewardbox_verdicts(cases)
    rows.append(("rewardbox (library:code, 2 workers)", [v for v, _ in ours], time.perf_counter() - started))
    if os.path.isfile(os.path.join(args.lcb, "lcb_runner", "evaluation", "testing_util.py")):
        started = time.perf_counter()
        rows.append(("LiveCodeBench check_correctness/run_test", peer_verdicts(lcb_case, args.lcb, cases), time.perf_counter() - started))
    else:
        print(f"LiveCodeBench skipped: no {args.lcb}/lcb_runner/evaluation/testing_util.py (see bench_code.py for how to export it)")
    if os.path.isfile(os.path.join(args.verl, "prime_code", "testing_util.py")) and os.path.isfile(os.path.join(args.verl, "pyext.py")):
        started = time.perf_counter()
        rows.append(("verl prime_code compute_score(continuous)", peer_verdicts(verl_case, args.verl, cases), time.perf_counter() - started))
    else:
        print(f"verl skipped: export verl/utils/reward_score/prime_code/*.py into {args.verl}/prime_code/ and pyext.py into {args.verl}/")
    started = time.perf_counter()
    rows.append(("a plain process per test (truth check)", peer_verdicts(plain_case, None, cases), time.perf_counter() - started))
    table(rows, cases)

    wrong = [(case, verdicts, summary) for case, (verdicts, summary) in zip(cases, ours) if verdicts != case.truth]
    if wrong:
        print("\nrewardbox disagrees with the truth on:")
        for case, verdicts, summary in wrong:
            print(f"  {case.name}: truth {''.join('P' if t else 'F' for t in case.truth)}, rewardbox {''.join('?' if v is None else 'P' if v else 'F' for v in verdicts)}; {summary}")
    else:
        print("\nrewardbox agrees with the truth on every case.")


if __name__ == "__main__":
    main()
