"""A user's tests for reward.py, with rewardbox's pytest plugin and hypothesis strategies.

Run from this folder with ``python -m pytest``. Every call runs in rewardbox's sandbox
(``reward_grader()`` loads the reward named in pytest.ini), and a failing assertion shows the
call's status and error, e.g. ``score 0.0, expected 1.0; status=exception error=Traceback ...``.
"""

import pytest
from hypothesis import given, settings

from rewardbox.graders import (
    assert_ok,
    assert_score,
    correct_completions,
    hostile_completions,
    probe_completions,
    unrelated_completions,
    wrong_completions,
)

fast = settings(max_examples=25, deadline=None)


def test_a_worked_answer_scores_one(reward_grader):
    completion = "Option A is too small and E ignores the discount, so it must be (C).\nThe answer is (C)."
    assert_score(reward_grader().grade(completion, "C"), 1.0)


@pytest.mark.parametrize("completion", ["The answer is A or C.", "#### B, C, D", "The answer is (B), (C) or (D)."])
def test_hedges_do_not_collect_credit(reward_grader, completion):
    assert_score(reward_grader().grade(completion, "C"), 0.0)


@pytest.mark.parametrize("kind, expected", [("correct_formats", 1.0), ("wrong", 0.0), ("truncated", 0.0), ("unrelated", 0.0), ("empty", 0.0)])
def test_probe_completions(reward_grader, kind, expected):
    for completion in probe_completions("B")[kind]:
        assert_score(reward_grader().grade(completion, "B"), expected)


@fast
@given(correct_completions("C"))
def test_every_answer_format_scores_one(reward_grader, completion):
    assert_score(reward_grader().grade(completion, "C"), 1.0)


@fast
@given(wrong_completions("C"))
def test_wrong_choices_score_zero(reward_grader, completion):
    assert_score(reward_grader().grade(completion, "C"), 0.0)


@fast
@given(unrelated_completions())
def test_unrelated_text_scores_zero(reward_grader, completion):
    assert_score(reward_grader().grade(completion, "A"), 0.0)


@fast
@given(hostile_completions())
def test_never_crashes(reward_grader, completion):
    assert_ok(reward_grader().grade(completion, "A"))
