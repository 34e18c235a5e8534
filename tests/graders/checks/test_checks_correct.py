"""Correct rewards pass every property: the checks raise no false alarm."""

from __future__ import annotations

import json
import re

import pytest
from rewardbox.graders import PROPERTIES, run_checks
from rewardbox.graders.checks.report import CORE_PROPERTIES, EXPLOITS

from check_helpers import EXAMPLES, ROOT, reward

GSM8K = ROOT / "examples" / "gsm8k"
CHOICE_REWARD = ROOT / "examples" / "testing_your_reward" / "reward.py"


def _gsm8k_examples() -> list[tuple[str, str]]:
    lines = [json.loads(line) for line in (GSM8K / "completions.jsonl").read_text().splitlines()]
    return [(line["completion"], line["ground_truth"]) for line in lines[::60]]


@pytest.mark.parametrize(
    "spec, examples",
    [
        (str(GSM8K / "reward.py"), _gsm8k_examples()),
        (reward("correct_last_number"), EXAMPLES),
        (str(CHOICE_REWARD), [(None, "B"), ("Only (D) fits. The answer is (D).", "D")]),
    ],
    ids=["gsm8k", "last_number", "multiple_choice"],
)
def test_correct_rewards_pass_every_property(spec, examples):
    report = run_checks(spec, examples=examples, max_examples=12)
    core = [(r.property, r.passed, r.skipped) for r in report.results if r.property in CORE_PROPERTIES]
    assert core == [(name, True, False) for name in CORE_PROPERTIES], [r.counterexample for r in report.results if not r.passed]
    assert [r.property for r in report.results] == list(PROPERTIES)  # and no exploit works on them (some do not apply)
    assert [r.property for r in report.results if not r.passed] == []
    assert report.passed and report.seconds < 60


def test_without_examples_gold_consistency_is_skipped_and_generated_ground_truths_are_used():
    report = run_checks(reward("correct_last_number"), max_examples=8, properties=["gold_consistency", "type_and_range"])
    gold = report.result("gold_consistency")
    assert gold.skipped and gold.passed and "--examples" in gold.details
    assert report.result("type_and_range").passed


def test_a_wider_declared_range_accepts_the_penalty():
    narrow = run_checks(reward("flawed_out_of_range"), examples=EXAMPLES, max_examples=6, properties=["type_and_range"])
    wide = run_checks(reward("flawed_out_of_range"), examples=EXAMPLES, max_examples=6, properties=["type_and_range"], score_range=(-1.0, 1.0))
    assert not narrow.passed and wide.passed


def test_a_function_is_checked_in_the_sandbox_too():
    def exact(completion: str, ground_truth: str) -> float:
        return 1.0 if completion.strip() == ground_truth else 0.0

    report = run_checks(exact, examples=EXAMPLES, max_examples=6, properties=["robustness", "type_and_range"])
    assert report.passed and report.reward == "<function exact>"


def test_a_reward_that_hangs_gets_a_verdict_quickly():
    hangs = "import time\n\ndef compute_reward(completion, ground_truth):\n    time.sleep(60)\n"
    report = run_checks(hangs, examples=EXAMPLES, max_examples=20, grader_options={"timeout": 1.0})
    assert report.seconds < 30
    verdicts = {r.property: (r.passed, r.skipped) for r in report.results}
    assert verdicts == {
        "determinism": (True, True), "type_and_range": (False, False), "robustness": (False, False),
        "gold_consistency": (False, False), "latency": (True, True), **{name: (True, True) for name in EXPLOITS},
    }
    assert report.result("exploit:hedge").details.startswith("not checked: status timeout")
    assert report.result("gold_consistency").details.endswith("(3 ordinary inputs timed out: the run stopped)")
    assert report.result("latency").details.startswith("not checked: status timeout")
    assert not report.passed


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"max_examples": 0}, "max_examples=0: expected a positive integer"),
        ({"score_range": (1.0, 0.0)}, "score_range=(1.0, 0.0): expected (low, high) with low < high"),
        ({"latency_budget_ms": (10.0, 1.0)}, "latency_budget_ms=(10.0, 1.0): expected (p50, p99) with 0 < p50 <= p99"),
        ({"properties": ["speed"]}, "properties=['speed']: expected names among determinism"),
        ({"answer_formats": ["latex"]}, "answer_formats=['latex']: expected names among plain"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        run_checks(reward("correct_last_number"), **arguments)
