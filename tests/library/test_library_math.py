r"""math_answer and numeric_answer, called in-process, on the cases hand-written math rewards get wrong."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rewardbox.graders.runtime.frames import take_components
from rewardbox.library import GoldUnparseable, math_answer, numeric_answer
from rewardbox.library.numeric import parse_number

MATH = math_answer()


@pytest.mark.parametrize(
    "completion, gold, expected",
    [
        # extraction: nested braces, \fbox, first vs last box, truncated and empty boxes
        (r"so $x = \boxed{\frac{1}{3}}$", r"\frac13", 1.0),
        (r"\boxed{\frac{\sqrt{3}}{2}}", r"\frac{\sqrt3}{2}", 1.0),
        (r"\fbox{42}", "42", 1.0),
        (r"First \boxed{38}; rechecking: \boxed{39}", "39", 1.0),
        (r"First \boxed{38}; rechecking: \boxed{39}", "38", 0.0),
        (r"\boxed{39} and also \boxed{38}", "39", 0.0),
        (r"the total is \boxed{39} ... but then \boxed{\frac{1}{", "39", 0.0),
        (r"\boxed{}", "0", 0.0),
        (r"The set is \boxed{\{1, 2\}}", r"\{2,1\}", 1.0),
        # GSM8K ####, "the answer is", last number
        ("48 - 9 = 39 cookies left.\n#### 39", "39", 1.0),
        ("#### 1,000", "1000", 1.0),
        ("So the answer is 18 eggs.", "18", 1.0),
        ("She has 48 - 9 = 39 left.", "39", 1.0),
        ("She has 48 - 9 = 39 left.", "48", 0.0),
        # markdown bold, currency, digit spacing, mixed numbers
        ("The answer is **73**.", "73", 1.0),
        ("The answer is **$18.50**.", "18.5", 1.0),
        (r"\boxed{1\,000}", "1000", 1.0),
        ("The answer is 2 1/3.", r"\frac{7}{3}", 1.0),
        (r"\boxed{2\frac{1}{3}}", "7/3", 1.0),
        # LaTeX vs decimal, fractions, percentages
        (r"\boxed{0.5}", r"\frac12", 1.0),
        (r"\boxed{\dfrac{1}{2}}", "0.5", 1.0),
        (r"\boxed{50\%}", "0.5", 1.0),
        (r"\boxed{10\%}", "10", 1.0),
        (r"\boxed{2\sqrt{2}}", r"\sqrt8", 1.0),
        # sets, intervals, equations (gold first)
        (r"\boxed{[1, 2)}", "[1,2)", 1.0),
        (r"\boxed{(-\infty, 3]}", r"(-\infty, 3]", 1.0),
        (r"\boxed{x = 3}", "3", 1.0),
        (r"\boxed{2x + 1}", "y = 2x + 1", 1.0),
        # integers are strict
        (r"\boxed{3.0}", "3", 1.0),
        (r"\boxed{3.0001}", "3", 0.0),
        (r"\boxed{3.0000001}", "3", 0.0),
        (r"\boxed{-3}", "3", 0.0),
        # hedges
        ("#### 6 or 4", "4", 0.0),
        ("I'm not sure, so the answer is either 38 or 40.", "40", 0.0),
        (r"\boxed{3 \text{ or } 4}", "3", 0.0),
        ("the answer is 6 hours or 4 hours", "4", 0.0),
        # empty
        ("", "39", 0.0),
        ("   \n", "39", 0.0),
    ],
)
def test_math_answer(completion, gold, expected):
    assert MATH(completion, gold) == expected


@pytest.mark.parametrize("gold", ["39", "$39$", r"\boxed{39}", "39.0", "39 "])
def test_math_gold_in_any_written_form(gold):
    assert MATH("so 48 - 9 = 39.\n#### 39", gold) == 1.0


def test_long_completion_with_the_answer_at_the_end_is_fast():
    completion = "Let me think step by step. " * 8000 + r"So the answer is \boxed{\frac{7}{2}}."
    assert len(completion) >= 200_000
    assert MATH(completion, "3.5") == 1.0
    assert MATH(completion, "3") == 0.0


def test_an_overlong_final_answer_is_not_sent_to_sympy():
    assert MATH("The answer is " + "1 + " * 100_000 + "1", "100001") == 0.0


def test_unparseable_gold_is_an_error_by_default():
    with pytest.raises(GoldUnparseable, match="hello world"):
        MATH("The answer is 5", "hello world")


def test_unparseable_gold_can_fall_back_to_string_match_and_says_so():
    reward = math_answer(on_unparseable_gold="string_match")
    take_components()
    assert reward("The answer is Hello, World.", "hello world") == 1.0
    assert take_components() == {"gold_unparseable": 1.0}
    assert reward("The answer is goodbye.", "hello world") == 0.0
    assert reward("", "hello world") == 0.0


def test_math_works_outside_the_main_thread():
    """math-verify's signal.alarm raises ValueError in threads; the reward runs without its soft timer there."""
    scores = []
    thread = threading.Thread(target=lambda: scores.append(MATH(r"\boxed{\frac12}", "0.5")))
    thread.start()
    thread.join()
    assert scores == [1.0]


@settings(max_examples=40, deadline=None)
@given(
    value=st.one_of(st.integers(-10**6, 10**6), st.fractions(max_denominator=50).filter(lambda f: abs(f) < 1000)),
    style=st.sampled_from(["boxed", "hashes", "answer_is", "bold", "reasoning"]),
)
def test_gold_in_common_formats_scores_one(value: Fraction, style: str):
    gold = str(value.numerator) if value.denominator == 1 else rf"\frac{{{value.numerator}}}{{{value.denominator}}}"
    written = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    completion = {
        "boxed": rf"We simplify to get $\boxed{{{gold}}}$.",
        "hashes": f"Adding up the parts.\n#### {written}",
        "answer_is": f"The answer is {written}.",
        "bold": f"**Answer:** the answer is **{written}**",
        "reasoning": f"First, 2 + 2 = 4 and 7 * 3 = 21. So the final answer is {written}.",
    }[style]
    assert MATH(completion, gold) == 1.0
    assert MATH(completion, str(value + 1) if value.denominator == 1 else rf"\frac{{{value.numerator + 1}}}{{{value.denominator}}}") == 0.0


# ---- numeric_answer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,234.50", Fraction(2469, 2)),
        (r"\$1,234.50", Fraction(2469, 2)),
        ("−3", -3),
        (r"\frac{3}{4}", Fraction(3, 4)),
        (r"\frac34", Fraction(3, 4)),
        ("2 1/3", Fraction(7, 3)),
        (r"2\frac{1}{3}", Fraction(7, 3)),
        ("-2 1/3", Fraction(-7, 3)),
        ("1.5e3", 1500),
        (r"1.5 \times 10^{3}", 1500),
        ("50%", 50),
        ("18 eggs", 18),
        ("**18**.", 18),
        (r"\text{18 eggs}", 18),
        ("18 or 20", None),
        ("3, 4", None),
        ("1,00", None),
        ("1/0", None),
        ("1e999999999", None),
        ("9" * 5000, None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "completion, gold, params, expected",
    [
        ("#### 39", "39", {}, 1.0),
        (r"\boxed{\$18.00}", "18", {}, 1.0),
        ("The answer is 18.5.", "18", {}, 0.0),
        ("The answer is 1,005.", "1000", {"rel_tol": 0.01}, 1.0),
        ("The answer is 1,011.", "1000", {"rel_tol": 0.01}, 0.0),
        ("The answer is 3.14159.", "3.1416", {"abs_tol": 1e-4}, 1.0),
        ("The answer is 18 or 20.", "18", {}, 0.0),
        ("", "18", {}, 0.0),
    ],
)
def test_numeric_answer(completion, gold, params, expected):
    assert numeric_answer(**params)(completion, gold) == expected


def test_numeric_gold_must_be_a_number():
    with pytest.raises(GoldUnparseable, match="not one number"):
        numeric_answer()("#### 3", "three")
