"""48 small programming problems of our own, stored the ways code datasets store them, for the code judge's benchmarks.

Each problem has a correct Python solution, a correct C++ solution when it reads stdin, and 5-10 tests; the
expected outputs are made here, at import, by running the Python solution on the inputs (seeded, deterministic;
no network, no download). The formats, as ``library/code/formats.py`` reads them:

=============== ===== =====================================================================================
format          count how stored
=============== ===== =====================================================================================
apps            10+5  ``{"inputs": [...], "outputs": [...]}``; call-based with ``fn_name``, inputs the argument
                      lists, outputs wrapped in one-element lists
livecodebench   6+6   a row: ``public_test_cases`` (JSON), ``private_test_cases`` (base64(zlib(pickle(JSON)))),
                      ``metadata`` (JSON, ``func_name`` for functional ones: inputs JSON lines, outputs JSON)
code_contests   6     ``public_tests`` / ``private_tests`` / ``generated_tests``: ``{"input": [...], "output": [...]}``
openr1          5+1   ``{"verification_info": {"language", "test_cases": [{"input", "output", "type"...}]}}``
humaneval       3     ``{"prompt", "test" (def check(candidate) with 5-10 asserts), "entry_point"}``
mbpp            3     ``{"test_list": ["assert ...", ...], "test_setup_code", "test_imports"}``
kodcode         3     ``{"test": "from solution import f\\n\\ndef test_...", "test_info": [{"function_name"}]}``
=============== ===== =====================================================================================

``PROBLEMS``: dicts with ``name``, ``format``, ``kind`` (stdin, call or script), ``ground_truth`` (JSON-able, as the
dataset stores it), ``python``, ``cpp`` (or None), ``tests`` (how many). ``completion(problem, language)``: the
solution as a model writes it (a fenced block). ``lcb_sample(problem)``: the ``{"input_output": ...}`` sample
LiveCodeBench's own judge (``run_test``) takes, for the stdin and functional problems (None for the others).

The solutions live beside this file: ``stdin_solutions.py`` (Python and C++) and ``call_solutions.py`` (Python
functions and ``class Solution`` methods); this file makes their tests and stores them.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import pickle
import random
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import call_solutions
import stdin_solutions


@dataclass
class Spec:
    """A problem before storage: solutions, test inputs (stdin text, or argument lists) and where it is stored."""

    name: str
    format: str
    python: str
    tests: Callable[[random.Random], list]
    cpp: str | None = None
    fn: str | None = None  # a function problem (call or script tests)
    kind: str = "stdin"
    prompt: str = ""  # HumanEval: the signature and docstring
    extra: dict = field(default_factory=dict)


def _run_stdio(code: Any, text: str) -> str:
    """What the Python solution prints on ``text`` (run here, as a script would run)."""
    out = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = stdin, out
    try:
        with contextlib.suppress(SystemExit):
            exec(code, {"__name__": "__main__"})  # noqa: S102 - our own reference solution
    finally:
        sys.stdin, sys.stdout = saved
    return out.getvalue()


def function_of(source: str, name: str) -> Callable:
    """``name`` from a solution's source: a top-level function, or a method of ``Solution`` (LeetCode style)."""
    namespace: dict = {"__name__": "solution"}
    exec(source, namespace)  # noqa: S102 - our own reference solution
    if name in namespace:
        return namespace[name]
    return getattr(namespace["Solution"](), name)


def _lines(*rows: object) -> str:
    return "".join(f"{row}\n" for row in rows)


def _ints(values) -> str:
    return " ".join(map(str, values))


# ---- test inputs (seeded) ------------------------------------------------------------------------------


def _counted(rng: random.Random, count: int, line: Callable[[], str]) -> str:
    return _lines(count, *(line() for _ in range(count)))


def _array_input(rng: random.Random, n: int, lo: int, hi: int) -> str:
    return _lines(n, _ints(rng.randint(lo, hi) for _ in range(n)))


def _grid(rng: random.Random) -> str:
    r, c = rng.randint(3, 30), rng.randint(3, 30)
    cells = [["#" if rng.random() < 0.28 else "." for _ in range(c)] for _ in range(r)]
    (si, sj), (ti, tj) = rng.sample([(i, j) for i in range(r) for j in range(c)], 2)
    cells[si][sj], cells[ti][tj] = "S", "T"
    return _lines(f"{r} {c}", *("".join(row) for row in cells))


def _brackets(rng: random.Random) -> str:
    if rng.random() < 0.5:  # balanced by construction
        out, stack = [], []
        for _ in range(rng.randint(1, 30)):
            if stack and rng.random() < 0.45:
                out.append({"(": ")", "[": "]", "{": "}"}[stack.pop()])
            else:
                stack.append(rng.choice("([{"))
                out.append(stack[-1])
        return "".join(out) + "".join({"(": ")", "[": "]", "{": "}"}[ch] for ch in reversed(stack))
    return "".join(rng.choice("()[]{}") for _ in range(rng.randint(1, 30)))


def _graph(rng: random.Random, weighted: bool) -> str:
    n = rng.randint(2, 300)
    m = rng.randint(0, 2 * n)
    edges = [(rng.randint(1, n), rng.randint(1, n)) + ((rng.randint(1, 1000),) if weighted else ()) for _ in range(m)]
    return _lines(f"{n} {m}", *(_ints(edge) for edge in edges))


def _two_sum_case(rng: random.Random) -> list:
    while True:
        nums = [rng.randint(-50, 50) for _ in range(rng.randint(2, 40))]
        i, j = sorted(rng.sample(range(len(nums)), 2))
        target = nums[i] + nums[j]
        pairs = [(a, b) for a in range(len(nums)) for b in range(a + 1, len(nums)) if nums[a] + nums[b] == target]
        if pairs == [(i, j)]:
            return [nums, target]


def _word(rng: random.Random, lo: int, hi: int, letters: str = "abcde") -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


def _nested(rng: random.Random, depth: int = 0) -> list:
    return [_nested(rng, depth + 1) if depth < 3 and rng.random() < 0.3 else rng.randint(0, 99) for _ in range(rng.randint(0, 5))]


def _repeat(count: int, make: Callable[[], object]) -> list:
    return [make() for _ in range(count)]


# One function per problem that needs more than a line: the test inputs, from a seeded generator.


def _knapsack(r: random.Random) -> str:
    n, cap = r.randint(1, 60), r.randint(1, 1000)
    return _lines(f"{n} {cap}", *(f"{r.randint(1, 100)} {r.randint(1, 10**6)}" for _ in range(n)))


def _count_at_most(r: random.Random) -> str:
    n, q = r.randint(1, 2000), r.randint(1, 500)
    return _lines(f"{n} {q}", _ints(r.randint(-10**9, 10**9) for _ in range(n)), *(r.randint(-10**9, 10**9) for _ in range(q)))


def _range_sums(r: random.Random) -> str:
    n, q = r.randint(1, 3000), r.randint(1, 1000)
    queries = (_ints(sorted((r.randint(1, n), r.randint(1, n)))) for _ in range(q))
    return _lines(f"{n} {q}", _ints(r.randint(-10**9, 10**9) for _ in range(n)), *queries)


def _matrices(r: random.Random) -> str:
    n, m, p = r.randint(1, 20), r.randint(1, 20), r.randint(1, 20)
    def rows(count: int, width: int) -> list[str]:
        return [_ints(r.randint(-100, 100) for _ in range(width)) for _ in range(count)]

    return _lines(f"{n} {m} {p}", *rows(n, m), *rows(m, p))


def _coins(r: random.Random) -> str:
    n = r.randint(1, 12)
    return _lines(f"{n} {r.randint(1, 5000)}", _ints(r.sample(range(1, 60), n)))


def _anagram_pair(r: random.Random) -> str:
    word = _word(r, 1, 12, "abcd")
    other = "".join(r.sample(word, len(word))) if r.random() < 0.5 else _word(r, len(word), len(word), "abcd")
    return f"{word} {other}"


def _year_range(r: random.Random) -> str:
    start = r.randint(1, 10**9)
    return f"{start} {r.randint(start, 10**9)}"


def _table(r: random.Random) -> str:
    rows, cols = r.randint(1, 30), r.randint(1, 30)
    return _lines(f"{rows} {cols}", *(_ints(r.randint(-99, 99) for _ in range(cols)) for _ in range(rows)))


def _floats(r: random.Random) -> str:
    n = r.randint(1, 2000)
    return _lines(n, " ".join(f"{r.uniform(-1000, 1000):.3f}" for _ in range(n)))


def _islands(r: random.Random) -> list:
    rows, cols = r.randint(1, 25), r.randint(1, 25)
    return [[["1" if r.random() < 0.45 else "0" for _ in range(cols)] for _ in range(rows)]]


def _prefixed_words(r: random.Random) -> list:
    prefix = _word(r, 0, 5, "ab")
    return [[prefix + _word(r, 0, 6) for _ in range(r.randint(1, 8))]]


def _sorted_and_target(r: random.Random) -> list:
    return [sorted(r.sample(range(-500, 500), r.randint(1, 300))), r.randint(-520, 520)]


def _nums_and_k(r: random.Random) -> list:
    nums = [r.randint(-100, 100) for _ in range(r.randint(1, 40))]
    return [nums, r.randint(1, len(nums))]


def _runs(r: random.Random) -> list:
    return ["".join(ch * r.randint(1, 12) for ch in _word(r, 0, 12, "abc"))]


def _squares(r: random.Random) -> list:
    return [[r.randint(0, 10**6) ** 2], [r.randint(1, 10**6) ** 2 + 1], [0], [-4], [r.randint(0, 10**12)], [(10**9 + 7) ** 2], [(10**9 + 7) ** 2 - 1]]


SPECS: list[Spec] = [
    # APPS / TACO, stdin
    Spec("sum_pairs", "apps", stdin_solutions.SUM_PAIRS_PY, lambda r: _repeat(8, lambda: _counted(r, r.randint(1, 300), lambda: f"{r.randint(-10**12, 10**12)} {r.randint(-10**12, 10**12)}")), stdin_solutions.SUM_PAIRS_CPP),
    Spec("array_sum", "apps", stdin_solutions.ARRAY_SUM_PY, lambda r: _repeat(7, lambda: _array_input(r, r.randint(1, 3000), -10**9, 10**9)), stdin_solutions.ARRAY_SUM_CPP),
    Spec("sort_numbers", "apps", stdin_solutions.SORT_PY, lambda r: _repeat(6, lambda: _array_input(r, r.randint(1, 3000), -10**6, 10**6)), stdin_solutions.SORT_CPP),
    Spec("count_primes", "apps", stdin_solutions.PRIMES_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 50), lambda: str(r.randint(1, 200000)))), stdin_solutions.PRIMES_CPP),
    Spec("gcd_lcm", "apps", stdin_solutions.GCD_LCM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 200), lambda: f"{r.randint(1, 10**9)} {r.randint(1, 10**9)}")), stdin_solutions.GCD_LCM_CPP),
    Spec("reverse_strings", "apps", stdin_solutions.REVERSE_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 100), lambda: _word(r, 1, 40, "abcdefghijklmnopqrstuvwxyz"))), stdin_solutions.REVERSE_CPP),
    Spec("max_subarray", "apps", stdin_solutions.KADANE_PY, lambda r: [_array_input(r, r.randint(1, 3000), -1000, -900 if k == 0 else 1000) for k in range(7)], stdin_solutions.KADANE_CPP),  # test 1: all negative
    Spec("grid_shortest_path", "apps", stdin_solutions.GRID_PY, lambda r: _repeat(8, lambda: _grid(r)), stdin_solutions.GRID_CPP),
    Spec("coin_change_ways", "apps", stdin_solutions.COINS_PY, lambda r: _repeat(6, lambda: _coins(r)), stdin_solutions.COINS_CPP),
    Spec("balanced_brackets", "apps", stdin_solutions.BRACKETS_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 60), lambda: _brackets(r))), stdin_solutions.BRACKETS_CPP),
    # APPS / TACO, call-based
    Spec("two_sum", "apps", call_solutions.TWO_SUM_PY, lambda r: _repeat(7, lambda: _two_sum_case(r)), fn="two_sum", kind="call"),
    Spec("rotate_matrix", "apps", call_solutions.ROTATE_PY, lambda r: [[[[r.randint(0, 9) for _ in range(n)] for _ in range(n)]] for n in (1, 2, 3, 4, 5, 8)], fn="rotate_matrix", kind="call"),
    Spec("count_vowels", "apps", call_solutions.VOWELS_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 60, "abcdefiouxyzAEIOUQ ")]), fn="count_vowels", kind="call"),
    Spec("merge_intervals", "apps", call_solutions.MERGE_PY, lambda r: _repeat(7, lambda: [[sorted((r.randint(0, 100), r.randint(0, 100))) for _ in range(r.randint(1, 25))]]), fn="merge_intervals", kind="call"),
    Spec("fib_mod", "apps", call_solutions.FIB_PY, lambda r: _repeat(6, lambda: [r.randint(0, 20000), r.randint(2, 10**9)]), fn="fib_mod", kind="call"),
    # LiveCodeBench, stdin (AtCoder style)
    Spec("lis_length", "livecodebench", stdin_solutions.LIS_PY, lambda r: _repeat(7, lambda: _array_input(r, r.randint(1, 3000), 1, 10**5)), stdin_solutions.LIS_CPP),
    Spec("knapsack", "livecodebench", stdin_solutions.KNAPSACK_PY, lambda r: _repeat(6, lambda: _knapsack(r)), stdin_solutions.KNAPSACK_CPP),
    Spec("count_at_most", "livecodebench", stdin_solutions.COUNT_LE_PY, lambda r: _repeat(6, lambda: _count_at_most(r)), stdin_solutions.COUNT_LE_CPP),
    Spec("longest_palindrome", "livecodebench", stdin_solutions.PALINDROME_PY, lambda r: [_lines(_word(r, 1, 400, "ab" if k % 2 else "abc")) for k in range(6)], stdin_solutions.PALINDROME_CPP),
    Spec("count_components", "livecodebench", stdin_solutions.COMPONENTS_PY, lambda r: _repeat(7, lambda: _graph(r, weighted=False)), stdin_solutions.COMPONENTS_CPP),
    Spec("mean_std", "livecodebench", stdin_solutions.MEAN_STD_PY, lambda r: _repeat(6, lambda: _floats(r)), stdin_solutions.MEAN_STD_CPP),
    # LiveCodeBench, functional (LeetCode style)
    Spec("max_profit", "livecodebench", call_solutions.PROFIT_PY, lambda r: _repeat(7, lambda: [[r.randint(1, 1000) for _ in range(r.randint(1, 500))]]), fn="maxProfit", kind="call"),
    Spec("longest_common_prefix", "livecodebench", call_solutions.PREFIX_PY, lambda r: _repeat(6, lambda: _prefixed_words(r)), fn="longestCommonPrefix", kind="call"),
    Spec("num_islands", "livecodebench", call_solutions.ISLANDS_PY, lambda r: _repeat(7, lambda: _islands(r)), fn="numIslands", kind="call"),
    Spec("edit_distance", "livecodebench", call_solutions.EDIT_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 60, "abc"), _word(r, 0, 60, "abc")]), fn="minDistance", kind="call"),
    Spec("search_insert", "livecodebench", call_solutions.INSERT_PY, lambda r: _repeat(8, lambda: _sorted_and_target(r)), fn="searchInsert", kind="call"),
    Spec("product_except_self", "livecodebench", call_solutions.PRODUCT_PY, lambda r: _repeat(6, lambda: [[r.randint(-5, 5) for _ in range(r.randint(2, 14))]]), fn="productExceptSelf", kind="call"),
    # CodeContests
    Spec("range_sums", "code_contests", stdin_solutions.RANGE_SUMS_PY, lambda r: _repeat(8, lambda: _range_sums(r)), stdin_solutions.RANGE_SUMS_CPP),
    Spec("dijkstra", "code_contests", stdin_solutions.DIJKSTRA_PY, lambda r: _repeat(7, lambda: _graph(r, weighted=True)), stdin_solutions.DIJKSTRA_CPP),
    Spec("matrix_product", "code_contests", stdin_solutions.MATMUL_PY, lambda r: _repeat(6, lambda: _matrices(r)), stdin_solutions.MATMUL_CPP),
    Spec("anagram_pairs", "code_contests", stdin_solutions.ANAGRAM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 80), lambda: _anagram_pair(r))), stdin_solutions.ANAGRAM_CPP),
    Spec("factorize", "code_contests", stdin_solutions.FACTORIZE_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 20), lambda: str(r.randint(2, 10**9)))), stdin_solutions.FACTORIZE_CPP),
    Spec("count_inversions", "code_contests", stdin_solutions.INVERSIONS_PY, lambda r: [_array_input(r, r.randint(1, 3000), 1, 10**9 if k % 2 else 20) for k in range(6)], stdin_solutions.INVERSIONS_CPP),
    # open-r1 (verification_info)
    Spec("digit_sum", "openr1", stdin_solutions.DIGIT_SUM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 50), lambda: str(r.randint(1, 10**50)))), stdin_solutions.DIGIT_SUM_CPP),
    Spec("leap_years", "openr1", stdin_solutions.LEAP_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 100), lambda: _year_range(r))), stdin_solutions.LEAP_CPP),
    Spec("collatz_steps", "openr1", stdin_solutions.COLLATZ_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 40), lambda: str(r.randint(1, 10**6)))), stdin_solutions.COLLATZ_CPP),
    Spec("transpose", "openr1", stdin_solutions.TRANSPOSE_PY, lambda r: _repeat(6, lambda: _table(r)), stdin_solutions.TRANSPOSE_CPP),
    Spec("stair_ways", "openr1", stdin_solutions.STAIRS_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 20), lambda: str(r.randint(0, 5000)))), stdin_solutions.STAIRS_CPP),
    Spec("caesar", "openr1", call_solutions.CAESAR_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 50, "abcxyz -!"), r.randint(0, 100)]), fn="caesar", kind="call"),
    # HumanEval
    Spec("has_close_elements", "humaneval", call_solutions.CLOSE_PY, lambda r: _repeat(8, lambda: [[round(r.uniform(0, 100), 1) for _ in range(r.randint(0, 12))], round(r.uniform(0.05, 3), 2)]), fn="has_close_elements", kind="script", prompt=call_solutions.CLOSE_PROMPT),
    Spec("below_zero", "humaneval", call_solutions.BELOW_PY, lambda r: _repeat(7, lambda: [[r.randint(-10, 12) for _ in range(r.randint(0, 15))]]), fn="below_zero", kind="script", prompt=call_solutions.BELOW_PROMPT),
    Spec("running_max", "humaneval", call_solutions.RUNNING_PY, lambda r: _repeat(6, lambda: [[r.randint(-50, 50) for _ in range(r.randint(0, 15))]]), fn="running_max", kind="script", prompt=call_solutions.RUNNING_PROMPT),
    # MBPP
    Spec("is_perfect_square", "mbpp", call_solutions.SQUARE_PY, _squares, fn="is_perfect_square", kind="script"),
    Spec("lcs_length", "mbpp", call_solutions.LCS_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 80, "acgt"), _word(r, 0, 80, "acgt")]), fn="lcs_length", kind="script"),
    Spec("second_smallest", "mbpp", call_solutions.SECOND_PY, lambda r: _repeat(6, lambda: [[r.randint(-9, 9) for _ in range(r.randint(1, 10))]]), fn="second_smallest", kind="script"),
    # KodCode
    Spec("flatten", "kodcode", call_solutions.FLATTEN_PY, lambda r: _repeat(6, lambda: [_nested(r)]), fn="flatten", kind="script"),
    Spec("rle_encode", "kodcode", call_solutions.RLE_PY, lambda r: _repeat(6, lambda: _runs(r)), fn="rle_encode", kind="script"),
    Spec("kth_largest", "kodcode", call_solutions.KTH_PY, lambda r: _repeat(7, lambda: _nums_and_k(r)), fn="kth_largest", kind="script"),
]


# ---- storage, as each dataset stores tests ---------------------------------------------------------------


def lcb_private(tests: list[dict]) -> str:
    """LiveCodeBench's private tests: base64(zlib(pickle(JSON string)))."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()


def _json_lines(args: list) -> str:
    return "\n".join(json.dumps(arg) for arg in args)


def _assert_line(fn: str, args: list, expected: object, call: str | None = None) -> str:
    call = f"{call or fn}({', '.join(map(repr, args))})"
    if expected is None or isinstance(expected, bool):
        return f"assert {call} is {expected!r}"
    return f"assert {call} == {expected!r}"


def store(spec: Spec, inputs: list, outputs: list) -> Any:
    """The ground truth of ``spec`` as its dataset stores it."""
    if spec.format == "apps":
        if spec.kind == "call":
            return {"inputs": inputs, "outputs": [[value] for value in outputs], "fn_name": spec.fn}
        return {"inputs": inputs, "outputs": outputs}
    if spec.format == "livecodebench":
        functional = spec.kind == "call"
        tests = [
            {"input": _json_lines(given) if functional else given, "output": json.dumps(expected) if functional else expected, "testtype": "functional" if functional else "stdin"}
            for given, expected in zip(inputs, outputs)
        ]
        return {
            "question_title": spec.name,
            "platform": "leetcode" if functional else "atcoder",
            "public_test_cases": json.dumps(tests[:2]),
            "private_test_cases": lcb_private(tests[2:]),
            "metadata": json.dumps({"func_name": spec.fn} if functional else {}),
        }
    if spec.format == "code_contests":
        def split(a: int, b: int | None) -> dict:
            return {"input": inputs[a:b], "output": outputs[a:b]}

        return {
            "name": spec.name,
            "public_tests": split(0, 1),
            "private_tests": split(1, 4),
            "generated_tests": split(4, None),
            "time_limit": {"seconds": 2, "nanos": 0},
            "memory_limit_bytes": 256 << 20,
        }
    if spec.format == "openr1":
        if spec.kind == "call":
            cases = [{"type": "function_call", "fn_name": spec.fn, "input": given, "output": expected} for given, expected in zip(inputs, outputs)]
        else:
            cases = [{"type": "stdin_stdout", "input": given, "output": expected} for given, expected in zip(inputs, outputs)]
        return {"verification_info": {"language": "python", "test_cases": cases}}
    if spec.format == "humaneval":
        body = "\n".join(f"    {_assert_line(spec.fn, args, expected, 'candidate')}" for args, expected in zip(inputs, outputs))
        return {"task_id": f"Ours/{spec.name}", "prompt": spec.prompt, "entry_point": spec.fn, "test": f"\n\nMETADATA = {{}}\n\n\ndef check(candidate):\n{body}\n"}
    if spec.format == "mbpp":
        return {"task_id": spec.name, "test_list": [_assert_line(spec.fn, args, expected) for args, expected in zip(inputs, outputs)], "test_setup_code": "", "test_imports": []}
    if spec.format == "kodcode":
        functions = "\n\n".join(f"def test_{spec.fn}_{index}():\n    {_assert_line(spec.fn, args, expected)}\n" for index, (args, expected) in enumerate(zip(inputs, outputs), 1))
        return {"test": f"from solution import {spec.fn}\n\n\n{functions}", "test_info": [{"function_name": spec.fn}]}
    raise ValueError(spec.format)


def build(spec: Spec, seed: int = 0) -> dict:
    """The problem: its tests made from seeded inputs and the Python solution's outputs, stored in its format."""
    rng = random.Random(f"{spec.name}/{seed}")
    inputs = spec.tests(rng)
    if spec.kind == "stdin":
        code = compile(spec.python, spec.name, "exec")
        outputs = [_run_stdio(code, given) for given in inputs]
    else:
        function = function_of(spec.python, spec.fn)
        outputs = [json.loads(json.dumps(function(*json.loads(json.dumps(args))))) for args in inputs]
    return {
        "name": spec.name,
        "format": spec.format,
        "kind": spec.kind,
        "fn_name": spec.fn,
        "ground_truth": store(spec, inputs, outputs),
        "python": spec.python,
        "cpp": spec.cpp,
        "tests": len(inputs),
        "inputs": inputs,
        "outputs": outputs,
    }


def completion(problem: dict, language: str = "python", source: str | None = None) -> str:
    """A model's answer: a sentence and the solution (or ``source``) in a fenced block."""
    code = source if source is not None else problem[language]
    return f"Here is my solution.\n\n```{language}\n{code.rstrip()}\n```\n"


def ground_truth_for(problem: dict, language: str = "python") -> str:
    """The ground truth as the grader gets it (JSON text); an open-r1 row names its language, as that dataset does."""
    truth = problem["ground_truth"]
    if problem["format"] == "openr1":
        truth = {"verification_info": {**truth["verification_info"], "language": language}}
    return json.dumps(truth)


def lcb_sample(problem: dict) -> dict | None:
    """The sample LiveCodeBench's ``run_test`` takes: stdin tests as text, functional ones as JSON lines and JSON."""
    if problem["kind"] == "stdin":
        return {"input_output": json.dumps({"inputs": problem["inputs"], "outputs": problem["outputs"], "fn_name": None})}
    if problem["kind"] == "call":
        return {
            "input_output": json.dumps(
                {"inputs": [_json_lines(args) for args in problem["inputs"]], "outputs": [json.dumps(value) for value in problem["outputs"]], "fn_name": problem["fn_name"]}
            )
        }
    return None


PROBLEMS: list[dict] = [build(spec) for spec in SPECS]
BY_NAME: dict[str, dict] = {problem["name"]: problem for problem in PROBLEMS}


if __name__ == "__main__":
    from collections import Counter

    print(f"{len(PROBLEMS)} problems, {sum(p['tests'] for p in PROBLEMS)} tests, {sum(p['cpp'] is not None for p in PROBLEMS)} with C++")
    print(dict(Counter(f"{p['format']}/{p['kind']}" for p in PROBLEMS)))
