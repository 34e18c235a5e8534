"""Library rewards take the ground truths datasets hold: numbers, lists of accepted answers, JSON values, none."""

from __future__ import annotations

import pytest
from rewardbox.graders import Grader, Status


SPECS = ("library:math", "library:numeric", "library:choice", "library:string", "library:similarity", "library:json", "library:format", "library:repetition")


@pytest.fixture(scope="module")
def grade():
    """One sandbox per library reward, started before the module's first test (math-verify takes a while to load)."""
    graders = {spec: Grader(spec, workers=1) for spec in SPECS}

    def grade_with(spec: str, completion: str, ground_truth: object = None, **fields: object):
        return graders[spec].grade(completion, ground_truth, **fields)

    yield grade_with
    for grader in graders.values():
        grader.close()


@pytest.mark.parametrize(
    "spec, completion, ground_truth, score",
    [
        ("library:math", r"so \boxed{\frac{1}{2}}", 0.5, 1.0),
        ("library:math", "#### 42", 42, 1.0),
        ("library:math", "#### 41", 42, 0.0),
        ("library:numeric", "The answer is 0.0000001", 1e-07, 1.0),
        ("library:numeric", "#### 1,000", 1000, 1.0),
        ("library:choice", "Answer: C", ["A", "C"], 1.0),
        ("library:choice", "Answer: B", ["A", "C"], 0.0),
        ("library:string", "<answer>colour</answer>", ["color", "colour"], 1.0),
        ("library:string", "<answer>7</answer>", 7, 1.0),
        ("library:similarity", "<answer>the cat sat on the mat</answer>", ["a dog ran", "the cat sat on the mat"], 1.0),
        ("library:json", '{"a": [1, 2]}', {"a": [1, 2]}, 1.0),
        ("library:json", '{"a": [1, 3]}', {"a": [1, 2]}, 0.0),
        ("library:json", "[1, 2]", [1, 2], 1.0),
    ],
)
def test_structured_ground_truths_are_taken_as_they_are(grade, spec, completion, ground_truth, score):
    result = grade(spec, completion, ground_truth)
    assert (result.status, result.score) == (Status.ok, score), result.error


def test_format_and_penalty_rewards_need_no_ground_truth(grade):
    assert grade("library:format", "<think>thinking</think>\n<answer>4</answer>").score == 1.0
    assert grade("library:format", "no tags").score == 0.0
    assert grade("library:repetition", "one two three four five six seven").status is Status.ok


@pytest.mark.parametrize(
    "spec, ground_truth, why",
    [
        ("library:math", {"target": 24}, "math_answer: a ground truth of type dict is not one it takes (a string or a number)"),
        ("library:math", None, "math_answer: the row has no ground truth"),
        ("library:math", [1, 2], "of type list is not one it takes (a string or a number)"),
        ("library:choice", True, "choice_answer: a ground truth of type bool"),
        ("library:choice", [], "a non-empty list of them (the accepted answers)"),
        ("library:json", None, "json_answer: the row has no ground truth"),
    ],
)
def test_forms_a_reward_does_not_take_are_an_exception_saying_which_it_does(grade, spec, ground_truth, why):
    result = grade(spec, "#### 42", ground_truth)
    assert result.status is Status.exception and why in result.error
