"""Test suites read as each dataset stores them (rows written the way the datasets' own cards and graders show)."""

from __future__ import annotations

import base64
import json
import pickle
import zlib

import pytest
from rewardbox.library.code.formats import CallTest, ScriptTest, StdioTest, SuiteError, read_suite


def test_apps_stdin_tests_from_a_json_string_with_lines_as_lists():
    row = json.dumps({"inputs": ["1 2\n", ["3 4", "5"]], "outputs": ["3\n", ["7", "5"]]})
    suite = read_suite(row)
    assert suite.format == "apps"
    assert suite.tests == (StdioTest("1 2\n", "3\n"), StdioTest("3 4\n5", "7\n5"))


def test_apps_call_tests_unwrap_the_one_element_output_lists():
    gold = {"fn_name": "findNumber", "inputs": [[1], [5, 2], [[1, 2]]], "outputs": [["1"], [[9, 9]], [[[1, 2]]]]}
    suite = read_suite(gold)
    assert (suite.format, suite.function) == ("apps", "findNumber")
    assert suite.tests == (CallTest([1], "1"), CallTest([5, 2], [9, 9]), CallTest([[1, 2]], [[1, 2]]))


def test_a_whole_apps_row_is_read_through_its_input_output():
    row = {"problem_id": 7, "input_output": json.dumps({"inputs": ["2\n"], "outputs": ["4\n"]}), "difficulty": "introductory"}
    assert read_suite(row).tests == (StdioTest("2\n", "4\n"),)


def test_prime_code_calls_are_json_lines_and_json_outputs():
    gold = json.dumps({"fn_name": "occurrencesOfElement", "inputs": ["[1, 3, 1, 7]\n[1, 3, 2, 4]\n1"], "outputs": ["[0, -1, 2, -1]"]})
    suite = read_suite(gold)
    assert suite.format == "prime_code"
    assert suite.tests == (CallTest([[1, 3, 1, 7], [1, 3, 2, 4], 1], [0, -1, 2, -1]),)


def test_livecodebench_row_with_compressed_private_tests_and_a_function():
    private = [{"input": "[5, 3, 10, 8, 2]\n5", "output": "3", "testtype": "functional"}]
    packed = base64.b64encode(zlib.compress(pickle.dumps(json.dumps(private)))).decode()
    row = {
        "public_test_cases": json.dumps([{"input": "[1, 2]\n2", "output": "1", "testtype": "functional"}]),
        "private_test_cases": packed,
        "metadata": json.dumps({"func_name": "numberOfEmployeesWhoMetTarget"}),
    }
    suite = read_suite(row)
    assert (suite.format, suite.function) == ("livecodebench", "numberOfEmployeesWhoMetTarget")
    assert suite.tests == (CallTest([[1, 2], 2], 1), CallTest([[5, 3, 10, 8, 2], 5], 3))


def test_livecodebench_stdin_tests_and_a_list_of_tests():
    row = {"public_test_cases": json.dumps([{"input": "3\n12345 530391 12345\n", "output": "2\n", "testtype": "stdin"}]), "private_test_cases": "[]", "metadata": "{}"}
    assert read_suite(row).tests == (StdioTest("3\n12345 530391 12345\n", "2\n"),)
    listed = [{"input": "1\n", "output": "2\n", "testtype": "stdin"}]
    assert read_suite(json.dumps(listed)).format == "livecodebench"


def test_livecodebench_compressed_tests_never_build_objects():
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    packed = base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode()
    with pytest.raises(SuiteError, match="only plain data"):
        read_suite({"public_test_cases": "[]", "private_test_cases": packed, "metadata": "{}"})


def test_code_contests_columns_and_limits():
    row = {
        "public_tests": {"input": ["3 2\n"], "output": ["1\n"]},
        "private_tests": {"input": ["5 5\n"], "output": ["0\n"]},
        "generated_tests": {"input": [], "output": []},
        "time_limit": {"seconds": 2, "nanos": 500000000},
        "memory_limit_bytes": 268435456,
    }
    suite = read_suite(row)
    assert suite.format == "code_contests" and len(suite.tests) == 2
    assert (suite.time_limit, suite.memory_mb) == (2.5, 256)


def test_openr1_verification_info_as_a_struct_and_as_json_text():
    info = {"language": "python", "test_cases": [{"input": "4\n", "output": "16\n", "type": "stdin_stdout", "fn_name": None}]}
    assert read_suite({"verification_info": info}).tests == (StdioTest("4\n", "16\n"),)
    text = json.dumps({"language": "cpp", "test_cases": [{"input": "[2, 3]", "output": "5", "type": "function_call", "fn_name": "add"}]})
    suite = read_suite({"verification_info": text})
    assert (suite.language, suite.function, suite.tests) == ("cpp", "add", (CallTest([2, 3], 5),))


@pytest.mark.parametrize(
    "tests, expected",
    [
        ({"inputs": ["1\n"], "outputs": ["2\n"]}, (StdioTest("1\n", "2\n"),)),  # taco
        ([{"input": "[1]\n2", "output": "3", "testtype": "functional"}], (CallTest([[1], 2], 3),)),  # lcbv5
        ([{"input": "10\n1 9\n", "output": "1 9\n"}], (StdioTest("10\n1 9\n", "1 9\n"),)),  # codeforces
    ],
)
def test_deepcoder_subsets(tests, expected):
    row = {"problem": "...", "tests": json.dumps(tests), "metadata": json.dumps({"func_name": "f"})}
    suite = read_suite(row)
    assert suite.format.startswith("deepcoder/") and suite.tests == expected


def test_humaneval_check_and_mbpp_and_acecoder_asserts():
    humaneval = {"prompt": "def add(a, b):\n", "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n", "entry_point": "add"}
    suite = read_suite(humaneval)
    assert (suite.format, suite.function, suite.prefix) == ("humaneval", "add", "def add(a, b):\n")
    assert suite.tests == (ScriptTest(humaneval["test"] + "\n", "check", call="check"),)
    mbpp = {"task_id": 3, "test_list": ["assert is_not_prime(2) == False", "assert is_not_prime(10) == True"], "test_setup_code": "import math"}
    suite = read_suite(mbpp)
    assert (suite.format, suite.function, suite.setup, len(suite.tests)) == ("mbpp", "is_not_prime", "import math", 2)
    assert read_suite(["assert add(1, 2) == 3", "assert add(0, 0) == 0"]).format == "acecoder"
    assert read_suite({"id": "oss_0", "test_cases": ["assert add(1, 2) == 3"]}).format == "acecoder"


def test_kodcode_pytest_functions_and_classes():
    test = "from solution import running_max\n\ndef test_basic():\n    assert running_max([1, 3, 2]) == [1, 3, 3]\n\nclass TestMore:\n    def test_empty(self):\n        assert running_max([]) == []\n"
    suite = read_suite({"question_id": "Leetcode_1_I", "test": test, "test_info": [{"function_name": "running_max"}]})
    assert suite.format == "kodcode" and suite.function == "running_max"
    assert [script.call for script in suite.tests] == ["test_basic", "TestMore.test_empty"]
    assert read_suite({"test_code": test}).format == "kodcode"  # an earlier revision's column name


def test_the_tests_format_and_its_three_kinds():
    suite = read_suite({"function": "f", "tests": [{"input": [2], "output": 4}, {"stdin": "1\n", "stdout": "2\n"}, "assert f(1) == 1"]})
    assert suite.tests == (CallTest([2], 4), StdioTest("1\n", "2\n"), ScriptTest("assert f(1) == 1", "assert 3"))


def test_a_format_named_where_shapes_are_ambiguous():
    """Calls stored as text are verl's prime_code by shape; outputs that are one-element lists are APPS's wrapping
    unless the row says its format is one that stores values as they are."""
    assert read_suite({"fn_name": "f", "inputs": ["1"], "outputs": ["2"]}).format == "prime_code"
    wrapped = {"function": "f", "tests": [{"input": [1], "output": [7]}]}
    assert read_suite(wrapped).tests == (CallTest([1], [7]),)  # the tests format stores return values as they are
    assert read_suite({"fn_name": "f", "inputs": [[1]], "outputs": [[7]]}).tests == (CallTest([1], 7),)
    assert read_suite({**wrapped, "format": "tests"}).format == "tests"  # a format field of the row
    with pytest.raises(SuiteError, match="format='nope'"):
        read_suite(wrapped, format="nope")


@pytest.mark.parametrize(
    "gold, match",
    [
        ("", "empty"),
        ("not json {", "neither JSON nor a Python literal"),
        (42, "not a test suite in a format"),
        ({"question": "x"}, "apps, livecodebench"),
        ({"tests": [{"input": [1], "output": 2}]}, "function name"),
        ({"inputs": ["1"], "outputs": []}, "1 inputs but 0 outputs"),
        ({"tests": [{"what": 1}]}, "none of"),
    ],
)
def test_what_is_not_a_suite_says_what_is_accepted(gold, match):
    with pytest.raises(SuiteError, match=match):
        read_suite(gold)
