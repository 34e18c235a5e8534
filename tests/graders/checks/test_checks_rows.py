"""``rewardbox check`` on the rows real datasets hold: dict, number and absent ground truths, and row fields."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from rewardbox.graders import ground_truths_like, run_checks
from rewardbox.graders.checks.report import CORE_PROPERTIES as PROPERTIES
from rewardbox.runner.cli import main

from check_helpers import reward

COUNTDOWN = [
    {"ground_truth": {"target": 24, "numbers": [3, 8, 2, 1]}, "completion": "<think>3*8=24, 2-1=1</think><answer>3*8*(2-1)</answer>"},
    {"ground_truth": {"target": 10, "numbers": [5, 2, 7]}},
]


def _verdicts(report):
    """The core properties' verdicts; every exploit family must pass too (or not apply)."""
    assert [(r.property, r.details) for r in report.results if not r.passed and r.property.startswith("exploit:")] == []
    return [(r.property, r.passed, r.skipped) for r in report.results if r.property in PROPERTIES]


def test_a_dict_ground_truth_reaches_the_reward_and_gold_consistency_says_why_it_is_skipped():
    report = run_checks(reward("correct_countdown"), examples=COUNTDOWN, max_examples=10)
    expected = [(name, True, name == "gold_consistency") for name in PROPERTIES]
    assert _verdicts(report) == expected, [r.counterexample for r in report.results if not r.passed]
    gold = report.result("gold_consistency")
    assert "2 of 2 ground truths are dict" in gold.details and "text and number ground truths" in gold.details
    assert report.result("determinism").details.endswith("mode='warm' is equivalent for this reward (one process, which keeps more state than warm mode, agrees)")


def test_number_ground_truths_reach_the_reward_as_numbers_and_are_probed_as_answers():
    examples = [{"ground_truth": 72, "completion": "48 + 24 = 72\n#### 72"}, {"ground_truth": 10}, (None, 3.5)]
    report = run_checks(reward("correct_number_truth"), examples=examples, max_examples=10)
    assert _verdicts(report) == [(name, True, False) for name in PROPERTIES], [r.counterexample for r in report.results if not r.passed]
    assert "over 3 ground truths" in report.result("gold_consistency").details


def test_a_reward_without_a_ground_truth_checks_on_rows_without_one():
    examples = [{"completion": "<think>x</think><answer>1</answer>"}, {"prompt": "say hi"}]
    report = run_checks(reward("correct_think_format"), examples=examples, max_examples=8)
    verdicts = _verdicts(report)
    assert verdicts == [(name, True, name == "gold_consistency") for name in PROPERTIES], [r.counterexample for r in report.results if not r.passed]
    assert "are null" in report.result("gold_consistency").details


def test_row_fields_reach_a_reward_that_names_them():
    examples = [{"ground_truth": "39", "data_source": "openai/gsm8k"}, {"ground_truth": "12", "data_source": "lighteval/MATH"}]
    report = run_checks(reward("correct_by_source"), examples=examples, max_examples=8)
    assert report.passed, [r.counterexample for r in report.results if not r.passed]


def test_a_required_field_no_example_has_is_a_clear_error():
    with pytest.raises(ValueError, match="requires the row field 'data_source'"):
        run_checks(reward("correct_by_source"), examples=[(None, "39")], max_examples=4)
    with pytest.raises(ValueError, match="requires the row field 'data_source'"):
        run_checks(reward("correct_by_source"), max_examples=4)


def test_examples_without_a_ground_truth_for_a_reward_that_needs_one_are_a_clear_error():
    with pytest.raises(ValueError, match=r"examples without a ground truth \(1 distinct rows\): compute_reward\(completion, ground_truth\)"):
        run_checks(reward("correct_last_number"), examples=[(None, "42"), {"completion": "7"}], max_examples=4)


def test_determinism_tries_ground_truths_of_the_examples_shape():
    # the one example has target 10; only generated dicts of its shape reach the random branch
    report = run_checks(reward("flawed_random_large_target"), examples=COUNTDOWN[1:], max_examples=30, properties=["determinism"])
    determinism = report.result("determinism")
    assert not determinism.passed
    assert "rng" in [cause.name for cause in determinism.counterexample.causes]
    shown = json.loads(determinism.counterexample.ground_truth)
    assert shown.keys() == {"target", "numbers"} and shown["target"] > 10


@settings(max_examples=60, database=None, deadline=None)
@given(ground_truths_like({"target": 24, "numbers": [3, 8, 2, 1], "tag": "easy", "score": 0.5, "ok": True, "note": None}))
def test_ground_truths_like_keeps_the_shape(value):
    assert set(value) == {"target", "numbers", "tag", "score", "ok", "note"}
    assert type(value["target"]) is int and value["target"] >= 0
    assert value["numbers"] and all(type(n) is int for n in value["numbers"]) and len(value["numbers"]) <= 6
    assert type(value["tag"]) is str and type(value["score"]) is float and type(value["ok"]) is bool and value["note"] is None


def test_cli_check_reads_dict_ground_truths_and_fields_from_examples(tmp_path, capsys):
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in COUNTDOWN))
    assert main(["check", reward("correct_countdown"), "--examples", str(data), "--max-examples", "5"]) == 0
    out = capsys.readouterr().out
    assert "SKIP  gold_consistency  skipped: 2 of 2 ground truths are dict" in out
    missing = tmp_path / "no_source.jsonl"
    missing.write_text('{"ground_truth": "39"}\n')
    with pytest.raises(SystemExit) as exit_info:
        main(["check", reward("correct_by_source"), "--examples", str(missing), "--max-examples", "4"])
    assert exit_info.value.code == 2
    assert "requires the row field 'data_source'" in capsys.readouterr().err
