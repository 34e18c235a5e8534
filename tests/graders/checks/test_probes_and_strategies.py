"""The completions the checks and users build from a ground truth: pure, deterministic, and honest about kind."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rewardbox.graders import (
    ANSWER_FORMATS,
    answers_in_format,
    correct_completions,
    distractor_answers,
    ground_truths,
    hostile_completions,
    probe_completions,
    reasoning_texts,
    truncations,
    unrelated_completions,
    wrong_completions,
)
from rewardbox.graders.checks.probes import as_number, distractors, robustness_inputs

GROUND_TRUTHS = ["42", "0", "7", "-3", "0.50", "1,050", "B", "Paris", "\\frac{1}{2}"]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> list[Decimal]:
    return [value for value in map(as_number, NUMBER.findall(text)) if value is not None]


def test_probe_completions_for_42():
    probes = probe_completions("42")
    assert list(probes) == ["correct_formats", "wrong", "truncated", "unrelated", "empty"]
    assert probes["correct_formats"][:7] == [
        "42", "\\boxed{42}", "The final answer is $\\boxed{42}$.", "#### 42", "The answer is 42.", "Answer: 42", "**42**",
    ]
    assert all(text.endswith(bare) for text, bare in zip(probes["correct_formats"][7:], probes["correct_formats"][:7]))
    assert "#### 43" in probes["wrong"] and "The answer is 43 or 42 or 41." in probes["wrong"]
    assert any("420" in text for text in probes["wrong"])  # contains "42": catches containment checks
    assert probes["empty"] == ["", " ", "\n\n"]


@pytest.mark.parametrize("ground_truth", GROUND_TRUTHS)
def test_probes_never_write_the_ground_truth_where_it_must_not_score(ground_truth):
    probes = probe_completions(ground_truth)
    value = as_number(ground_truth)
    assert probe_completions(ground_truth) == probes  # deterministic
    assert all(ground_truth in text for text in probes["correct_formats"])
    for text in probes["truncated"] + probes["unrelated"]:
        assert value not in numbers_in(text) and ground_truth not in text
    wrong = distractors(ground_truth)
    assert wrong and ground_truth not in wrong and all(as_number(w) is None or as_number(w) != value for w in wrong)


def test_unrelated_texts_that_mention_the_ground_truth_are_left_out():
    assert not any("fox" in text.lower() for text in probe_completions("fox")["unrelated"])
    assert len(probe_completions("fox")["unrelated"]) == len(probe_completions("42")["unrelated"]) - 1


def test_robustness_inputs_are_named_and_large_ones_are_one_mebibyte():
    inputs = dict(robustness_inputs())
    assert inputs["empty"] == "" and not inputs["whitespace"].strip()
    assert any(ord(c) < 32 for c in inputs["control characters"]) and not inputs["unicode"].isascii()
    assert {len(text) for name, text in inputs.items() if name.startswith("1 MiB")} == {1 << 20}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_generated_completions_keep_their_kind(data):
    ground_truth = data.draw(ground_truths())
    value = as_number(ground_truth)
    correct = data.draw(correct_completions(ground_truth))
    assert any(correct.endswith(template.replace("{answer}", ground_truth)) for template in ANSWER_FORMATS.values())
    wrong = data.draw(wrong_completions(ground_truth))
    reasoning = data.draw(reasoning_texts(avoid=ground_truth))
    assert value is None or value not in numbers_in(reasoning)
    assert data.draw(distractor_answers(ground_truth)) != ground_truth
    assert wrong != ground_truth
    assert not any(c.isdigit() for c in data.draw(unrelated_completions()))
    cut = data.draw(truncations(st.just(correct)))
    assert correct.startswith(cut) and len(cut) < len(correct)
    assert isinstance(data.draw(hostile_completions()), str)


def test_answers_in_format_rejects_unknown_formats():
    with pytest.raises(ValueError, match="formats=\\['latex'\\]: expected names among plain, boxed"):
        answers_in_format("42", ["latex"])


def test_importing_rewardbox_graders_does_not_import_hypothesis():
    import subprocess
    import sys

    code = "import sys, rewardbox.graders as g; g.probe_completions('1'); print('hypothesis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_every_cause_names_lint_rules_that_exist():
    from rewardbox.graders.checks.report import CAUSES
    from rewardbox.graders.lint import RULES

    named = [part.strip() for cause in CAUSES.values() if cause.lint_rule for part in cause.lint_rule.split(",")]
    assert named and all(f"{RULES[text.split()[0]].code} {RULES[text.split()[0]].name}" == text for text in named)
