"""compose and its formula language, in-process."""

from __future__ import annotations

import pytest
from rewardbox.graders.runtime.frames import take_components
from rewardbox.library import LibraryError, build, compose, length_penalty, math_answer, think_format
from rewardbox.library.formula import FormulaError, bounds, evaluate, parse_formula

GOOD = "<think>6 * 7 = 42</think>\n<answer>42</answer>"
WRONG = "<think>6 * 7 = 41</think>\n<answer>41</answer>"
UNFORMATTED = "6 * 7 = 42, so the answer is 42"


@pytest.mark.parametrize(
    "formula, values, expected",
    [
        ("a + b", {"a": 1, "b": 2}, 3.0),
        ("0.8 * a - 0.2 * b / 2", {"a": 1, "b": 1}, 0.7),
        ("min(a, b, 0.5) + max(a, b) + abs(-a)", {"a": 1, "b": 0}, 2.0),
        ("-a + +b", {"a": 1, "b": 3}, 2.0),
    ],
)
def test_formula_evaluates(formula, values, expected):
    assert evaluate(parse_formula(formula), values) == pytest.approx(expected)


@pytest.mark.parametrize(
    "formula, match",
    [
        ("a ** 2", "Pow"),
        ("__import__('os').system('x')", "can be called"),
        ("a.real", "Attribute"),
        ("a if b else c", "IfExp"),
        ("[a][0]", "not allowed"),
        ("a +", "not an expression"),
        ("lambda: 1", "Lambda"),
        ("1e999", "finite"),
        ("min()", "can be called"),
        ("abs(a, b)", "one argument"),
        ("True + a", "finite number"),
    ],
)
def test_formula_rejects_everything_else(formula, match):
    with pytest.raises(FormulaError, match=match):
        parse_formula(formula)


def test_formula_division_by_zero_is_an_error_not_a_score():
    with pytest.raises(FormulaError, match="by zero"):
        evaluate(parse_formula("a / b"), {"a": 1, "b": 0})


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("a + b", (-1.0, 1.0)),
        ("a * b", (-1.0, 0.0)),
        ("a - b", (0.0, 2.0)),
        ("min(a, b)", (-1.0, 0.0)),
        ("abs(b)", (0.0, 1.0)),
        ("a / (b - 2)", (-0.5, 0.0)),
        ("a / b", None),
    ],
)
def test_formula_bounds(formula, expected):
    assert bounds(parse_formula(formula), {"a": (0.0, 1.0), "b": (-1.0, 0.0)}) == expected


def test_gate_guards_correctness_instead_of_adding_to_it():
    reward = compose(rewards={"format": think_format(), "correct": math_answer()}, gate=["format"])
    assert [reward(c, "42") for c in (GOOD, WRONG, UNFORMATTED)] == [1.0, 0.0, 0.0]
    assert reward.score_range == (0.0, 1.0)


def test_sub_scores_are_recorded_as_components():
    reward = compose(rewards={"format": think_format(), "correct": math_answer()}, gate=["format"])
    take_components()
    reward(UNFORMATTED, "42")
    assert take_components() == {"format": 0.0, "correct": 1.0}
    assert reward.parts(WRONG, "42") == {"format": 1.0, "correct": 0.0}


def test_weighted_sum_and_metrics():
    reward = compose(
        rewards={"correct": math_answer(), "length": length_penalty(max_length=8), "format": think_format()},
        weights={"correct": 1.0, "length": 0.5},
    )
    assert reward("the answer is 42", "42") == 1.0
    assert reward("well well well well, I think the answer is 42", "42") == 0.5
    assert reward.score_range == (-0.5, 1.0)
    assert reward.parts("the answer is 42", "42")["format"] == 0.0  # recorded, not counted


def test_formula_min_max():
    reward = compose(rewards={"format": think_format(), "correct": math_answer()}, formula="min(format, correct)")
    assert [reward(c, "42") for c in (GOOD, WRONG, UNFORMATTED)] == [1.0, 0.0, 0.0]
    reward = compose(rewards={"format": think_format(), "correct": math_answer()}, formula="0.9 * correct + 0.1 * format")
    assert [reward(c, "42") for c in (GOOD, WRONG, UNFORMATTED)] == pytest.approx([1.0, 0.1, 0.9])


def test_plain_sum_of_non_gates_by_default():
    reward = compose(rewards={"a": math_answer(), "b": math_answer(extractors=["last_number"])})
    assert reward(r"\boxed{42} or 41", "42") == 1.0
    assert reward.score_range == (0.0, 2.0)


def test_python_functions_compose_too():
    def shouting(completion: str, ground_truth: str) -> float:
        return 1.0 if completion.isupper() else 0.0

    reward = compose(rewards={"correct": math_answer(), "shouting": shouting}, formula="correct - 0.5 * shouting")
    assert reward("THE ANSWER IS 42", "42") == 0.5
    assert reward.score_range is None


def test_json_specs_build_library_rewards():
    reward = build(
        "compose",
        {
            "rewards": {"format": "format", "correct": {"reward": "math", "params": {"extractors": ["answer_tag"]}}},
            "gate": ["format"],
        },
    )
    assert reward(GOOD, "42") == 1.0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"rewards": {"a": "math"}, "formula": "b"}, "unknown reward name"),
        ({"rewards": {"a": "math"}, "formula": "a", "weights": {"a": 1}}, "not both"),
        ({"rewards": {"a": "maths"}}, "no library reward named 'maths'"),
        ({"rewards": {"a": {"reward": "math", "params": {"rounding": 3}}}}, "rewards: 'a': library:math: parameter rounding"),
        ({"rewards": {"a": "compose"}}, "cannot contain another compose"),
        ({"rewards": {"max": "math"}}, "not usable as a name"),
        ({"rewards": {"a": "math"}, "weights": {"a": float("nan")}}, "parameter weights.a"),
        ({"rewards": {"a": "math", "f": "format"}, "gate": ["f", "g"]}, "unknown reward name"),
        ({"rewards": {"f": "format"}, "gate": ["f"]}, "every reward is a gate"),
        (
            {"rewards": {"a": "math", "p": {"reward": "length", "params": {"max_length": 5}}, "f": "format"}, "gate": ["f"]},
            "set gate_failed_score to -1.0",
        ),
        ({"rewards": {}}, "at least 1"),
    ],
)
def test_bad_compositions_are_load_errors_that_say_why(params, match):
    with pytest.raises(LibraryError, match=match):
        build("compose", params)
