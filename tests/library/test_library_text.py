"""string_match, regex_match, choice_answer, think_format, json_answer, text_similarity and the penalties, in-process."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rewardbox.library import (
    GoldUnparseable,
    choice_answer,
    json_answer,
    length_penalty,
    regex_match,
    repetition_penalty,
    string_match,
    text_similarity,
    think_format,
)
from rewardbox.library.extract import clean, extract, last_boxed
from rewardbox.library.normalize import normalize


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"\boxed{\frac{1}{3}}", r"\frac{1}{3}"),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),
        (r"\boxed {a} then \fbox{b}", "b"),
        (r"\boxed{\frac{1}{", ""),
        ("no box", None),
    ],
)
def test_last_boxed_keeps_nested_and_escaped_braces(text, expected):
    assert last_boxed(text) == expected


def test_extract_stops_at_an_empty_answer_instead_of_falling_back():
    assert extract("<answer></answer> then 42", ("answer_tag", "last_number")) == ""
    assert extract("no answer tag, 42", ("answer_tag", "last_number")) == "42"


def test_clean_removes_presentation():
    assert clean(r"**1\,000**.") == "1000"
    assert clean("$18") == "18"
    assert clean("$18$") == "$18$"


def test_normalize_steps():
    assert normalize("  The  Café,  déjà-vu! ") == "cafe deja vu"
    assert normalize("The  Café", ("case",)) == "the  café"
    assert normalize("ﬁve", ("unicode",)) == "five"


# ---- string and regex ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completion, gold, params, expected",
    [
        ("<answer>The Eiffel Tower!</answer>", "eiffel tower", {}, 1.0),
        ("<answer></answer>", "Paris", {}, 0.0),
        ("<answer>Paris or Lyon</answer>", "Paris", {}, 0.0),
        ("The capital is Paris", "Paris", {}, 0.0),
        ("Paris", "paris", {"normalize": []}, 0.0),
        ("Paris", "Paris", {"normalize": []}, 1.0),
        ("x" * 300_000, "Paris", {}, 0.0),
        ("", "Paris", {}, 0.0),
    ],
)
def test_string_match(completion, gold, params, expected):
    assert string_match(**params)(completion, gold) == expected


def test_string_match_empty_gold_is_an_error():
    with pytest.raises(GoldUnparseable):
        string_match()("anything", " . ")


@pytest.mark.parametrize(
    "params, completion, expected",
    [
        ({"pattern": r"Answer:\s*(\w+)"}, "Answer: no\nAnswer: yes", 1.0),
        ({"pattern": r"Answer:\s*(\w+)", "occurrence": "first"}, "Answer: no\nAnswer: yes", 0.0),
        ({"pattern": r"Answer:\s*(?P<word>\w+)", "group": "word"}, "Answer: yes", 1.0),
        ({"pattern": r"answer:\s*(\w+)", "flags": ["IGNORECASE"]}, "ANSWER: yes", 1.0),
        ({"pattern": r"Answer:\s*\w+", "group": 0, "normalize": ["case"]}, "answer: YES", 0.0),
        ({"pattern": r"Answer:\s*(\w*)"}, "Answer: ", 0.0),
        ({"pattern": r"Answer:\s*(\w+)"}, "", 0.0),
    ],
)
def test_regex_match(params, completion, expected):
    assert regex_match(**params)(completion, "yes") == expected


@pytest.mark.parametrize(
    "params, field",
    [({"pattern": "("}, "pattern"), ({"pattern": "(a)", "group": 2}, "group 2"), ({"pattern": "a", "flags": ["VERBOSE"]}, "flags")],
)
def test_regex_bad_parameters_are_named(params, field):
    with pytest.raises(ValidationError, match=field):
        regex_match(**params)


# ---- multiple choice ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completion, expected",
    [
        (r"\boxed{B}", "B"),
        (r"\boxed{\text{B}}", "B"),
        (r"$\boxed{\textbf{(B)}}$", "B"),
        (r"(A) is wrong, (C) too. \boxed{B}", "B"),
        ("**Answer:** (B)", "B"),
        ("Answer: B", "B"),
        ("The correct option is B.", "B"),
        ("The answer is B because A is too small.", "B"),
        ("<answer>B</answer>", "B"),
        ("B", "B"),
        ("(B)", "B"),
        ("B) 42", "B"),
        ("**B.**", "B"),
        ("Answer: A or B", None),
        ("The answer is either A or C.", None),
        (r"\boxed{A/B}", None),
        ("Answer: (A) or (B)", None),
        ("Both A and B", None),
        ("A train leaves at noon.", None),
        ("", None),
    ],
)
def test_choice_letter(completion, expected):
    assert choice_answer().chosen(completion) == expected


def test_choice_scores_against_gold_in_any_written_form():
    reward = choice_answer()
    for gold in ("B", "(B)", r"\text{B}", "b", "B) 42"):
        assert reward(r"\boxed{\text{B}}", gold) == 1.0
    assert reward(r"\boxed{\text{E}}", "B") == 0.0
    with pytest.raises(GoldUnparseable):
        reward("B", "Z")


def test_choice_letters_parameter():
    assert choice_answer(letters="ABCD")("Answer: E", "A") == 0.0
    with pytest.raises(ValidationError, match="letters"):
        choice_answer(letters="abc")


# ---- format --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completion, params, expected",
    [
        ("<think>\nsteps\n</think>\n<answer>\n4\n</answer>\n", {}, 1.0),
        ("<think>steps</think><answer></answer>", {}, 0.0),
        ("<think>steps</think><answer> </answer>", {"partial_credit": True}, 0.0),
        ("<think>a</think><answer>1</answer><think>b</think><answer>2</answer>", {}, 0.0),
        ("<think>steps</think><answer>4</answer> and more", {}, 0.0),
        ("<think></think><answer>4</answer>", {}, 0.0),
        ("<answer>4</answer><think>steps</think>", {}, 0.0),
        ("<think>steps</think><answer>4", {}, 0.0),
        ("steps</think><answer>4</answer>", {}, 0.0),
        ("steps</think><answer>4</answer>", {"prefilled_think": True}, 1.0),
        ("<think>steps</think><answer>4</answer>", {"prefilled_think": True}, 0.0),
        ("<think>steps</think>The answer is 4.", {"answer_tag": None}, 1.0),
        ("<think>steps</think>  ", {"answer_tag": None}, 0.0),
        ("<reasoning>steps</reasoning><final>4</final>", {"think_tag": "reasoning", "answer_tag": "final"}, 1.0),
        ("<think>steps</think>", {"partial_credit": True}, 2 / 6),
        ("<think>steps</think><answer>4</answer> trailing", {"partial_credit": True}, 4 / 6),
        ("", {}, 0.0),
    ],
)
def test_think_format(completion, params, expected):
    assert think_format(**params)(completion, "4") == pytest.approx(expected)


# ---- json ----------------------------------------------------------------------------------------

GOLD = '{"name": "Ada", "born": 1815, "fields": {"main": "math", "also": ["poetry"]}}'


@pytest.mark.parametrize(
    "completion, params, expected",
    [
        ('```json\n{"name": "Ada", "born": 1815, "fields": {"main": "math", "also": ["poetry"]}}\n```', {}, 1.0),
        ('{"name": "Ada", "born": 1815.0, "fields": {"main": "math", "also": ["poetry"]}}', {}, 1.0),
        ('{"name": "Ada", "born": 1816, "fields": {"main": "math", "also": []}}', {}, 0.5),
        ('{"name": "Ada", "born": "1815", "fields": {"main": "math", "also": ["poetry"]}}', {}, 0.75),
        ('{"name": "Ada", "born": 1815, "fields": {"main": "math", "also": ["poetry"]}, "x": 1}', {"compare": "exact"}, 0.0),
        ('{"name": "Ada"', {}, 0.0),
        ('{"name": NaN}', {"compare": "none"}, 0.0),
        ("[" * 50_000 + "]" * 50_000, {}, 0.0),
        ('<answer>{"name": "Ada"}</answer>', {"schema": {"type": "object", "required": ["born"]}, "compare": "none"}, 0.0),
        ('<answer>{"born": 1}</answer>', {"schema": {"type": "object", "required": ["born"]}, "compare": "none"}, 1.0),
        ("", {}, 0.0),
    ],
)
def test_json_answer(completion, params, expected):
    assert json_answer(**params)(completion, GOLD) == expected


def test_json_booleans_are_not_numbers():
    assert json_answer(compare="exact")("[true]", "[1]") == 0.0


def test_json_invalid_schema_is_a_parameter_error():
    with pytest.raises(ValidationError, match="schema"):
        json_answer(schema={"type": "objekt"})


def test_json_gold_must_be_json():
    with pytest.raises(GoldUnparseable, match="not JSON"):
        json_answer()("{}", "Ada")


# ---- similarity ----------------------------------------------------------------------------------


def test_rouge_l_agrees_with_googles_rouge_score():
    from rewardbox.library.similarity import rouge_l
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"])
    rng = random.Random(0)
    words = "the a cat dog sat on mat rug ran 42 x-ray don't Café".split()
    for _ in range(50):
        candidate = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        reference = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        assert rouge_l(candidate, reference) == pytest.approx(scorer.score(reference, candidate)["rougeL"].fmeasure)


@pytest.mark.parametrize(
    "params, completion, expected",
    [
        ({}, "<answer>The cat sat.</answer>", 1.0),
        ({"normalize": []}, "THE CAT SAT.", pytest.approx(1 / 3)),  # Indel: "T", two spaces and "." of 12 + 12 characters
        ({"metric": "bleu"}, "the cat sat.", 1.0),
        ({"metric": "bleu"}, "dogs run fast", 0.0),
        ({"metric": "rouge_l"}, "the cat sat down", pytest.approx(6 / 7)),
        ({"metric": "rouge_l", "floor": 0.5}, "the cat sat down", pytest.approx((6 / 7 - 0.5) / 0.5)),
        ({"metric": "rouge_l", "pass_threshold": 0.9}, "the cat sat down", 0.0),
        ({"metric": "rouge_l", "pass_threshold": 0.8}, "the cat sat down", 1.0),
        ({}, "<answer></answer>", 0.0),
        ({}, "", 0.0),
    ],
)
def test_text_similarity(params, completion, expected):
    assert text_similarity(**params)(completion, "The cat sat.") == expected


def test_similarity_scaling_parameters_exclude_each_other():
    with pytest.raises(ValidationError, match="not both"):
        text_similarity(floor=0.2, pass_threshold=0.5)


# ---- penalties -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, words, expected",
    [
        ({"max_length": 10}, 10, 0.0),
        ({"max_length": 10}, 11, -1.0),
        ({"max_length": 10, "buffer": 4}, 6, 0.0),
        ({"max_length": 10, "buffer": 4}, 8, -0.5),
        ({"max_length": 10, "buffer": 4}, 10, -1.0),
        ({"max_length": 10, "buffer": 4}, 50_000, -1.0),
        ({"target": 10}, 10, 0.0),
        ({"target": 10}, 15, -0.5),
        ({"target": 10}, 0, -1.0),
        ({"target": 10}, 40, -1.0),
        ({"target": 10, "max_length": 12, "buffer": 4}, 11, -0.75),
    ],
)
def test_length_penalty(params, words, expected):
    assert length_penalty(**params)(" ".join(["word"] * words), "") == pytest.approx(expected)


def test_length_penalty_in_characters():
    assert length_penalty(max_length=4, unit="chars")("a b c d e", "") == -1.0


@pytest.mark.parametrize("params", [{}, {"max_length": 5, "buffer": 6}, {"target": 0}])
def test_length_penalty_needs_a_consistent_limit(params):
    with pytest.raises(ValidationError):
        length_penalty(**params)


@pytest.mark.parametrize(
    "completion, params, expected",
    [
        ("the cat sat on the mat", {}, 0.0),
        ("yes yes yes yes yes yes", {}, -0.75),
        ("the cat sat " * 20_000, {}, pytest.approx(-(1 - 3 / 59_998))),
        ("a b", {}, 0.0),
        ("", {}, 0.0),
        ("哈哈哈哈哈", {"unit": "chars", "ngram_size": 2}, -0.75),
    ],
)
def test_repetition_penalty(completion, params, expected):
    assert repetition_penalty(**params)(completion, "") == expected


@settings(max_examples=40, deadline=None)
@given(
    letter=st.sampled_from("ABCDEFGHIJ"),
    template=st.sampled_from(
        [r"\boxed{{{}}}", r"\boxed{{\text{{{}}}}}", "Answer: {}", "**Answer:** ({})", "The correct option is {}.", "<answer>{}</answer>", "{}", "({})"]
    ),
    reasoning=st.sampled_from(["", "Option A fails the check and so does D. ", "Let me compare (B) and (C) first.\n"]),
)
def test_choice_gold_in_common_formats_scores_one(letter, template, reasoning):
    bare = template in ("{}", "({})")  # a bare letter is an answer only when it is all the completion says
    completion = template.format(letter) if bare else reasoning + template.format(letter)
    reward = choice_answer()
    assert reward(completion, letter) == 1.0
    assert reward(completion, "J" if letter != "J" else "A") == 0.0
