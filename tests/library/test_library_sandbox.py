"""The library as users reach it: ``library:NAME`` through the sandbox and the CLI, pickled rewards, examples, docs."""

from __future__ import annotations

import doctest
import importlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import rewardbox.library
from rewardbox.graders import Grader, RewardLoadError, Status
from rewardbox.library import REWARDS, build, code_tests, compose, names, reward_class, string_match, think_format
from rewardbox.runner.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_MODULES = sorted({module for module, _ in REWARDS.values()} | {"base", "extract", "normalize", "formula"})


@pytest.fixture(scope="module")
def math_grader():
    """One ``library:math`` sandbox for the tests of this module (math-verify takes a second or two to load)."""
    with Grader("library:math", workers=2, timeout=10.0) as grader:
        yield grader


@pytest.mark.parametrize("name", names())
def test_every_reward_scores_its_own_examples_as_stated_in_the_sandbox(name, math_grader, make_grader):
    cls = reward_class(name)
    assert len(cls.examples) >= 3, f"library:{name} needs a few examples"
    grader = math_grader if name == "math" else make_grader(f"library:{name}", params=cls.example_params, timeout=10.0)
    results = grader.grade_batch([(example.completion, example.ground_truth) for example in cls.examples])
    low, high = build(name, cls.example_params).score_range
    for example, result in zip(cls.examples, results):
        assert result.status is Status.ok, (example, result.error)
        assert result.score == pytest.approx(example.expected), example
        assert low <= result.score <= high
        if name == "compose":
            assert set(result.components) == set(cls.example_params["rewards"]), "every sub-score is a component"


@pytest.mark.parametrize("name", names())
def test_every_reward_handles_empty_and_200kb_completions_in_range(name):
    cls = reward_class(name)
    reward = build(name, cls.example_params)
    low, high = reward.score_range
    example = cls.examples[0]
    padding = "Let me reason about this step by step, checking each case. " * 3500
    for completion in ("", padding + example.completion, example.completion + padding):
        score = reward(completion, example.ground_truth)
        assert type(score) is float and low <= score <= high


@pytest.mark.parametrize("name", names())
def test_every_reward_pickles_and_scores_the_same_after(name):
    cls = reward_class(name)
    reward = build(name, cls.example_params)
    copy = pickle.loads(pickle.dumps(reward))
    assert copy == reward
    assert [copy(e.completion, e.ground_truth) for e in cls.examples] == pytest.approx([e.expected for e in cls.examples])


@pytest.mark.parametrize("module", LIBRARY_MODULES)
def test_docstring_examples_run(module):
    results = doctest.testmod(importlib.import_module(f"rewardbox.library.{module}"), optionflags=doctest.ELLIPSIS)
    assert results.failed == 0


def test_every_public_reward_has_a_docstring_with_parameters_and_an_example():
    for name in names():
        assert reward_class(name).__name__ in rewardbox.library.__all__, name
        doc = reward_class(name).__doc__
        assert "Range" in doc and ">>>" in doc, name
        assert "Parameters:" in doc, name


def test_library_math_statuses_under_landlock(math_grader):
    """Loaded with every isolation layer this machine has, Landlock's read restrictions included."""
    if not math_grader.summary()["layers"].get("landlock"):
        pytest.skip(f"no Landlock here: {math_grader.summary()['missing'].get('landlock')}")
    long_completion = "I compute it carefully. " * 9000 + r"\boxed{\frac{7}{2}}"
    results = math_grader.grade_batch([(r"so \boxed{\frac{1}{2}}", "0.5"), (long_completion, "3.5"), ("", "39"), ("#### 5", "hello world")])
    assert [r.score for r in results] == [1.0, 1.0, 0.0, 0.0]
    assert [r.status for r in results[:3]] == [Status.ok] * 3
    assert results[3].status is Status.exception and "GoldUnparseable" in results[3].error and "hello world" in results[3].error


@pytest.mark.parametrize(
    "spec, params, fragments",
    [
        ("library:math", {"on_unparseable_gold": "ignore"}, ["library:math", "parameter on_unparseable_gold", "'error' or 'string_match'"]),
        ("library:math", {"rounding": 3}, ["parameter rounding", "Extra inputs are not permitted"]),
        ("library:regex", {"pattern": "(unclosed"}, ["parameter pattern", "not a valid regular expression"]),
        ("library:maths", {}, ["no library reward named 'maths'", "available: math"]),
        ("library:compose", {"rewards": {"a": "format"}, "formula": "a ** 2"}, ["parameter formula", "Pow"]),
    ],
)
def test_bad_library_specs_are_load_errors_naming_the_parameter(spec, params, fragments):
    with pytest.raises(RewardLoadError) as caught:
        Grader(spec, params=params, workers=1)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_bleu_loads_and_scores_in_the_sandbox(make_grader):
    """sacrebleu reads and writes nothing outside what Landlock allows."""
    grader = make_grader("library:similarity", params={"metric": "bleu"}, timeout=10.0)
    same, unrelated = grader.grade_batch([("the cat sat on the mat", "the cat sat on the mat"), ("dogs bark", "the cat sat on the mat")])
    assert (same.status, same.score, unrelated.score) == (Status.ok, 1.0, 0.0)


def test_a_reward_instance_ships_by_value_with_from_function():
    reward = compose(rewards={"format": think_format(), "correct": string_match()}, gate=["format"])
    with Grader.from_function(reward, workers=2, timeout=10.0) as grader:
        results = grader.grade_batch([("<think>x</think><answer>Paris</answer>", "paris"), ("Paris", "paris")])
    assert [(r.score, r.components) for r in results] == [(1.0, {"format": 1.0, "correct": 1.0}), (0.0, {"format": 0.0, "correct": 1.0})]


def test_code_in_the_sandbox_planted_exits_and_forged_output_earn_nothing(make_grader):
    tests = json.dumps({"function": "f", "tests": [{"input": [2], "output": 4}, {"input": [3], "output": 9}]})
    grader = make_grader("library:code", params={"time_limit": 0.5}, timeout=10.0)
    sources = [
        "def f(x):\n    return x * x",
        "import os\nprint('2 passed, 0 failed')\nos._exit(0)",
        "import sys\nprint('OK')\nsys.exit(0)",
        "def f(x):\n    try:\n        while True:\n            pass\n    except BaseException:\n        return x * x",
    ]
    results = grader.grade_batch([(f"```python\n{source}\n```", tests) for source in sources])
    assert [r.score for r in results] == [1.0, 0.0, 0.0, 0.0]
    assert all(r.status is Status.ok for r in results)


def test_code_that_swallows_every_signal_is_killed_at_its_cpu_limit(make_grader):
    """Its CPU limit ends it (SIGXCPU, then SIGKILL): a time_limit verdict, the call itself stays in time."""
    tests = json.dumps({"function": "f", "tests": [{"input": [2], "output": 4}]})
    forever = "import signal\nfor s in (signal.SIGXCPU, signal.SIGTERM):\n    signal.signal(s, signal.SIG_IGN)\ndef f(x):\n    while True:\n        pass"
    grader = make_grader("library:code", params={"time_limit": 0.2}, timeout=10.0)
    result = grader.grade(f"```python\n{forever}\n```", tests)
    assert (result.status, result.score) == (Status.ok, 0.0)
    assert "TLE" in result.stdout and result.components["time_limit"] == 1.0


def test_cli_grades_with_library_params(tmp_path, capsys):
    rows = [
        {"completion": "<think>6*7</think><answer>42</answer>", "ground_truth": "42"},
        {"completion": "The answer is 42", "ground_truth": "42"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "out.jsonl"
    params = json.dumps({"rewards": {"format": "format", "correct": "math"}, "gate": ["format"]})
    assert cli(["grade", "library:compose", "-i", str(source), "-o", str(out), "--params", params, "--workers", "2"]) == 0
    graded = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["score"], r["components"]) for r in graded] == [(1.0, {"format": 1.0, "correct": 1.0}), (0.0, {"format": 0.0, "correct": 1.0})]
    assert cli(["grade", "library:math", "-i", str(source), "-o", str(out), "--param", "float_rounding=-1"]) == 2
    assert "parameter float_rounding" in capsys.readouterr().err


def test_importing_the_library_imports_no_heavy_dependency():
    heavy = ("pydantic", "math_verify", "sympy", "jsonschema", "rapidfuzz", "sacrebleu")
    code = f"import sys, rewardbox.library; print([m for m in {heavy!r} if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_library_page_table_lists_every_library_reward():
    readme = (ROOT / "docs" / "library.md").read_text()
    for name, (_, cls) in REWARDS.items():
        assert f"| `{name}` | `{cls}` |" in readme, name


def test_code_tests_example_parameters_keep_the_check_fast():
    """``rewardbox check`` runs each example several times: the timeout example must not take a second each time."""
    assert code_tests(**code_tests.example_params).time_limit <= 0.5
