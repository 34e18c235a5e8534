"""Each deliberately flawed reward is caught by the property made for its flaw, with the right likely cause.

The checks are derandomized (the same inputs every run) and sized so these catches do not depend
on luck; see the docstring of ``rewardbox.graders.checks``.
"""

from __future__ import annotations

import pytest
from rewardbox.graders import Status, run_checks
from rewardbox.graders.checks.report import CORE_PROPERTIES

from check_helpers import EXAMPLES, reward

MAX_EXAMPLES = 6


@pytest.mark.parametrize(
    "name, cause, differing_run",
    [
        ("flawed_random", "rng", "seed=1"),
        ("flawed_urandom", "os_randomness", "repeat"),
        ("flawed_uuid", "os_randomness", "repeat"),
        ("flawed_subsecond_clock", "clock", "repeat"),
        ("flawed_microsecond", "clock", "repeat"),
        ("flawed_hash", "hash_order", "PYTHONHASHSEED=1"),
        ("flawed_set_order", "hash_order", "PYTHONHASHSEED=1"),
        ("flawed_counter", "module_state", "one process"),
        ("flawed_cache", "module_state", "one process"),
        ("flawed_import_random", "import_time", "new sandbox"),
    ],
)
def test_nondeterministic_rewards_fail_determinism(name, cause, differing_run):
    result = run_checks(reward(name), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["determinism"]).result("determinism")
    assert not result.passed
    found = result.counterexample
    assert cause in [c.name for c in found.causes]
    assert all(c.lint_rule for c in found.causes)
    baseline = found.observations[0]
    assert baseline.run == "baseline"
    assert any(o.run.startswith(differing_run) and o.score != baseline.score for o in found.observations), found.observations
    assert found.problem.startswith(f"the score changed: baseline {baseline.score:g}, ")


def test_state_carried_between_calls_shows_the_calls_before_it():
    found = run_checks(reward("flawed_counter"), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["determinism"]).results[0].counterexample
    assert found.history == [(found.completion, found.ground_truth)]  # shrunk to one input, called twice in one process
    assert [(o.run, o.score) for o in found.observations if o.run.startswith("one process")] == [
        ("one process, call 1 of 2", 0.1),
        ("one process, call 2 of 2", 0.05),
    ]


def test_a_second_resolution_clock_is_caught_by_the_clock_probe_or_the_search():
    found = run_checks(reward("flawed_seconds_clock"), examples=EXAMPLES, max_examples=2, properties=["determinism"]).results[0].counterexample
    assert found is not None
    assert {c.name for c in found.causes} & {"seconds_clock", "clock"}
    assert len({o.score for o in found.observations}) == 2


@pytest.mark.parametrize(
    "name, prop, problem, cause",
    [
        ("flawed_out_of_range", "type_and_range", "score -0.5 is outside the declared range [0, 1]", "out_of_range"),
        ("flawed_nan", "type_and_range", "status invalid_return: reward returned nan, expected a finite number", "not_a_number"),
        ("flawed_crash_on_empty", "robustness", "status exception: IndexError: list index out of range", "unguarded_input"),
        ("flawed_crash_on_unicode", "robustness", "status exception: UnicodeEncodeError: 'latin-1' codec can't encode", "unguarded_input"),
        ("flawed_crash_on_large", "robustness", "status exception: ValueError: Exceeds the limit (4300 digits)", "unguarded_input"),
        ("flawed_only_hashes", "gold_consistency", "the ground truth in an answer format scored 0; expected the maximum 1", "strict_format"),
        ("flawed_rewards_garbage", "gold_consistency", "text with no answer scored 0.2; expected the minimum 0", "credit_without_answer"),
        ("flawed_containment", "gold_consistency", "a wrong answer or a hedge scored 1; expected less than the maximum 1", "containment"),
    ],
)
def test_each_flaw_fails_its_property(name, prop, problem, cause):
    result = run_checks(reward(name), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=[prop]).result(prop)
    assert not result.passed
    assert result.counterexample.problem.startswith(problem)
    assert result.details == result.counterexample.problem
    assert [c.name for c in result.counterexample.causes] == [cause]


def test_robustness_names_the_input_and_shows_the_error():
    found = run_checks(reward("flawed_crash_on_large"), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["robustness"]).results[0].counterexample
    assert found.input_name == "1 MiB of digits"
    assert found.completion_chars == 1 << 20 and len(found.completion) < 2100
    [observation] = found.observations
    assert observation.status is Status.exception and "int(run)" in observation.error


def test_gold_failures_show_the_format_that_was_refused():
    found = run_checks(reward("flawed_only_hashes"), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["gold_consistency"]).results[0].counterexample
    assert (found.completion, found.ground_truth) == ("42", "42")  # the plain answer, the first format tried
    only_hashes = run_checks(
        reward("flawed_only_hashes"), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["gold_consistency"], answer_formats=["hashes"]
    )
    assert only_hashes.passed  # a reward may demand one format, when the checks are told so


def test_a_slow_reward_fails_the_latency_budget():
    result = run_checks(reward("flawed_slow"), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=["latency"]).result("latency")
    assert not result.passed
    assert result.stats["p50_ms"] >= 150 and result.stats["calls"] >= 20
    assert result.counterexample.observations[0].duration_ms >= 150
    assert result.details.startswith("p50 ") and "(budget p50 100 ms, p99 1000 ms)" in result.details


@pytest.mark.parametrize(
    "name, failing",
    [("flawed_out_of_range", "type_and_range"), ("flawed_crash_on_unicode", "robustness"), ("flawed_hash", "determinism")],
)
def test_only_the_flawed_property_fails(name, failing):
    report = run_checks(reward(name), examples=EXAMPLES, max_examples=MAX_EXAMPLES, properties=CORE_PROPERTIES)
    assert [r.property for r in report.results if not r.passed] == [failing]
    assert not report.passed
