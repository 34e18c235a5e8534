"""Every library reward passes ``rewardbox check``'s properties with its own examples (through the sandbox),
and the answer formats the check writes the ground truth in score the maximum."""

from __future__ import annotations

import pytest
from rewardbox.graders.checks import run_checks
from rewardbox.graders.checks.probes import ANSWER_FORMATS, fill
from rewardbox.library import REWARDS, choice_answer, math_answer, reward_class, string_match

ANSWER_REWARDS = {"math", "numeric", "string", "choice"}  # the ground truth is an answer a completion can state


@pytest.mark.parametrize("name", sorted(REWARDS))
def test_library_reward_passes_the_property_checks_with_its_examples(name):
    cls = reward_class(name)
    params = dict(cls.example_params)
    properties = {"determinism", "type_and_range", "robustness"} | ({"gold_consistency"} if name in ANSWER_REWARDS else set())
    report = run_checks(
        f"library:{name}",
        examples=[(example.completion, example.ground_truth) for example in cls.examples],
        max_examples=5,
        score_range=cls(**params).score_range or (0.0, 1.0),
        properties=properties,
        grader_options={"params": params, "workers": 2},
    )
    assert [(result.property, result.details) for result in report.results if not result.passed] == []


REASONING = "Let's solve this step by step.\nFirst, 3 + 4 = 7.\nThen 7 × 3 = 21.\n"


@pytest.mark.parametrize("template", sorted(ANSWER_FORMATS.values()))
@pytest.mark.parametrize(
    "reward, ground_truth",
    [(math_answer(), r"\{1, 2\}"), (math_answer(), r"\frac{3}{4}"), (string_match(), "Paris"), (choice_answer(), "B")],
    ids=["math-set", "math-fraction", "string", "choice"],
)
def test_the_ground_truth_in_each_answer_format_scores_the_maximum(reward, ground_truth, template):
    answer = fill(template, ground_truth)
    assert reward(answer, ground_truth) == 1.0
    assert reward(REASONING + answer, ground_truth) == 1.0


def test_a_working_line_after_reasoning_is_not_taken_as_the_answer():
    assert math_answer()("So we add them.\n5 + 3 = 8", "8") == 1.0  # the last number, not the equation
    assert choice_answer()("Options are listed below.\nA or B", "A") == 0.0
