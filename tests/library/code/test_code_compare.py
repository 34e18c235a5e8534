"""Comparators that are right where the usual ones are not (LiveCodeBench's exact Decimals, open-r1's zip)."""

from __future__ import annotations

import pytest
from rewardbox.library.code.compare import exact, lines, tokens


@pytest.mark.parametrize(
    "output, expected",
    [
        ("0.333333333333\n", "0.333333"),  # more digits than the reference (LiveCodeBench rejects it)
        ("3 \n", "3\n"),  # trailing space
        ("1\r\n2\r\n", "1\n2"),  # CRLF and no final newline
        ("1e3\n", "1000.0"),  # the same number written otherwise
        ("1000000.0000001", "1000000.0"),  # relative tolerance on a large number
        ("123456789012345678901234567890\n", "123456789012345678901234567890"),  # big integers, exactly
    ],
)
def test_tokens_accepts_what_is_right(output, expected):
    assert tokens(output, expected) is None


@pytest.mark.parametrize(
    "output, expected, message",
    [
        ("1\n", "1\n2\n", "expected '2' on line 2, found the end of the output"),  # truncated output (open-r1's zip passes it)
        ("1\n2\n3\n", "1\n2\n", "expected the end of the output, found '3' on line 3"),
        ("7\n8\n", "7\n9\n", "expected '9', found '8' on line 2"),
        ("123456789012345678901234567891", "123456789012345678901234567890", "expected"),  # integers are not floats
        ("0.34", "0.333333", "expected '0.333333', found '0.34'"),
        ("YES", "yes", "expected 'yes', found 'YES'"),
    ],
)
def test_tokens_names_the_first_difference(output, expected, message):
    assert message in tokens(output, expected)


def test_lines_counts_lines_and_ignores_trailing_whitespace():
    assert lines("a b  \r\nc\n", "a b\nc") is None
    assert lines("a  b\n", "a b\n") == "expected 'a b', found 'a  b' on line 1"
    assert lines("a\n", "a\nb\n") == "expected 2 lines, found 1"


def test_exact_only_forgives_line_endings_and_a_final_newline():
    assert exact("x\r\ny\n", "x\ny") is None
    assert "line 2" in exact("x\ny \n", "x\ny\n")


def test_integers_beyond_the_str_conversion_limit_compare_as_text():
    big = "9" * 5000
    assert tokens(big, big) is None and tokens("+" + "0" + big, big) is None
    assert "expected" in tokens("8" + big[1:], big)  # a wrong big integer is a wrong answer, not an error of the judge
    assert tokens("-0", "0") is None
