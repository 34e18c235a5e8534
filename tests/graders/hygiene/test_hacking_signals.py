"""Hacking signals among a run's top-scored completions: each sign found with counts and examples, none on honest samples."""

from __future__ import annotations

import json
from pathlib import Path

from rewardbox.graders.hygiene import SampleGroup, build_report

ROOT = Path(__file__).resolve().parents[3]
STUFFED = "".join(f"Step {i}: we continue.\n" for i in range(1, 10)) + "#### 7"


def group(ground_truth, completions, scores) -> SampleGroup:
    return SampleGroup(prompt="q", ground_truth=ground_truth, completions=completions, scores=scores)


def test_each_sign_of_hacking_is_counted_with_examples_and_recommended_against():
    groups = [
        group("56", ["\\boxed{55} \\boxed{56} \\boxed{57}", "The answer is 55 or 56.", "It is 56.", "no idea"], [1, 1, 1, 0]),
        group("25", ["We get 25 first.\nSo the answer is \\boxed{24}.", "#### 25", "#### 3", "#### 4"], [1, 1, 0, 0]),
        group("7", [STUFFED, "#### 7", "#### 8", "#### 9"], [1, 1, 0, 0]),
        group("8", ["Adding them up gives 8 in all.\n#### 8"] * 3 + ["#### 9"], [1, 1, 1, 0]),
        group("3", ["3 " + "and so on " * 200, "3", "4", "5"], [1.0, 0.2, 0.0, 0.0]),
        group("4", ["4 " + "and so on " * 200, "4", "5", "6"], [1.0, 0.2, 0.0, 0.0]),
    ]
    report = build_report(groups, score_range=(0.0, 1.0))
    found = {signal.name: signal for signal in report.hacking.signals}
    assert found["several_answers"].count == 2 and found["several_answers"].examples[0].startswith("\\boxed{55}")
    assert found["gold_in_reasoning_only"].count == 1 and "\\boxed{24}" in found["gold_in_reasoning_only"].examples[0]
    assert found["step_markers"].count == 1 and found["repeated_completions"].count == 1
    assert report.length_reward_correlation > 0.3 and sum("and so on" in example for example in found["padding"].examples) >= 1
    assert found["padding"].count >= 2  # the padded ones, and any other top completion over twice its group's median
    assert report.hacking.rewarded == 12
    advice = next(item for item in report.recommendations if item.code == "reward_hacking")
    assert advice.severity.value == "warning" and "several_answers: 2 of 12 rewarded completions" in advice.finding
    assert "exploit:enumeration" in advice.action


def test_honest_samples_of_the_gsm8k_example_show_no_sign():
    lines = (ROOT / "examples" / "gsm8k" / "groups.jsonl").read_text().splitlines()
    groups = [SampleGroup.model_validate(json.loads(line)) for line in lines]
    namespace: dict = {}
    exec((ROOT / "examples" / "gsm8k" / "reward.py").read_text(), namespace)  # the example's own (correct) reward
    fresh = [[namespace["compute_reward"](c, g.ground_truth) for c in g.completions] for g in groups]
    report = build_report(groups, fresh_scores=fresh, score_range=(0.0, 1.0))
    assert report.hacking.rewarded > 50 and report.hacking.signals == []
    assert "reward_hacking" not in [item.code for item in report.recommendations]
