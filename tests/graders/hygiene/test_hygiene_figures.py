"""``build_report`` on synthetic groups whose figures are known by construction, and the rule each one fires."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from rewardbox.graders.hygiene import SampleGroup, build_report
from rewardbox.graders.hygiene.recommendations import THRESHOLDS, Severity, docs_page

from hygiene_samples import HEALTHY_LENGTHS, HEALTHY_SCORES, constant, group, healthy

HEALTHY_STD = math.sqrt(sum((s - 0.5) ** 2 for s in HEALTHY_SCORES) / 4)
DOCS_PAGE = Path(__file__).resolve().parents[3] / "docs" / "recommendations.md"


def codes(report) -> set[str]:
    return {item.code for item in report.recommendations}


def only(report, code: str):
    """The one recommendation of ``report``, which must be ``code``."""
    assert codes(report) == {code}, [item.model_dump() for item in report.recommendations]
    return report.recommendations[0]


def test_healthy_samples_give_their_figures_and_no_recommendation():
    report = build_report(healthy(20))
    assert (report.num_groups, report.num_completions, report.group_size, report.group_size_counts) == (20, 80, 4, {4: 20})
    assert report.reward_mean == 0.5
    assert report.reward_std == pytest.approx(HEALTHY_STD) and report.per_group_std_mean == pytest.approx(HEALTHY_STD)
    assert (report.no_signal_fraction, report.all_min_fraction, report.all_max_fraction, report.other_constant_fraction) == (0, 0, 0, 0)
    assert report.status_counts["ok"] == 80 and sum(report.status_counts.values()) == 80
    assert (report.error_fraction, report.truncation_fraction, report.empty_completion_fraction) == (0, 0, 0)
    assert report.distinct_values == 4
    assert report.length_unit == "tokens" and report.mean_length == 15
    assert report.length_reward_correlation == pytest.approx(0.0, abs=1e-12)
    assert (report.score_range, report.score_range_source, report.score_source) == ((0.0, 1.0), "inferred", "stored")
    assert report.latency_ms is None and report.disagreement is None and report.components == {} and report.steps == []
    assert report.recommendations == []


def test_no_signal_splits_into_all_min_all_max_and_other_constant():
    groups = constant(0.0, 6) + constant(1.0, 3) + constant(0.5, 1) + healthy(10)
    report = build_report(groups)
    assert report.all_min_fraction == 6 / 20
    assert report.all_max_fraction == 3 / 20
    assert report.other_constant_fraction == 1 / 20
    assert report.no_signal_fraction == 10 / 20
    assert report.per_group_std_mean == pytest.approx(10 * HEALTHY_STD / 20)
    assert report.group_std_histogram[0].count == 10 and sum(b.count for b in report.group_std_histogram) == 20
    advice = only(report, "mostly_no_signal")
    assert advice.severity is Severity.warning
    assert advice.finding == "50% of groups give no signal (ALL-min 30%, ALL-max 15%, other constant 5%)"


def test_mostly_all_zero_with_truncation_says_raise_max_tokens():
    truncated = constant(0.0, 4, stop_reasons=["length"] * 4)
    groups = truncated + constant(0.0, 8) + healthy(8)
    report = build_report(groups)
    assert report.all_min_fraction == 12 / 20
    assert report.truncation_fraction == 16 / 80
    assert report.truncated_mean_score == 0.0
    assert report.finished_mean_score == 8 * sum(HEALTHY_SCORES) / 64
    assert codes(report) == {"mostly_all_min", "truncation"}
    all_min = next(item for item in report.recommendations if item.code == "mostly_all_min")
    assert all_min.severity is Severity.warning
    assert all_min.finding == "60% of groups score the minimum (0) on every completion: no learning signal"
    assert "raise max_tokens (20% of completions were cut off)" in all_min.action
    assert "add partial credit" in all_min.action and "temperature" in all_min.action
    without_truncation = build_report(constant(0.0, 12) + healthy(8))
    assert codes(without_truncation) == {"mostly_all_min"}
    assert "max_tokens" not in without_truncation.recommendations[0].action


def test_nearly_all_all_one_is_an_error_that_asks_for_a_spot_check():
    report = build_report(constant(1.0, 19) + healthy(1))
    assert report.all_max_fraction == 19 / 20
    advice = only(report, "mostly_all_max")
    assert advice.severity is Severity.error
    assert "Spot-check" in advice.action and "raise the difficulty" in advice.action


@pytest.mark.parametrize(("failures", "severity"), [(["exception", "exception", "timeout"], Severity.warning), (["crashed"] * 5, Severity.error)])
def test_reward_errors_are_counted_by_status(failures, severity):
    groups = healthy(20)
    for index, status in enumerate(failures):
        groups[index] = group(HEALTHY_SCORES, lengths=HEALTHY_LENGTHS, statuses=[status, "ok", "ok", "ok"])
    report = build_report(groups)
    assert report.error_fraction == len(failures) / 80
    assert report.status_counts["ok"] == 80 - len(failures)
    for status in set(failures):
        assert report.status_counts[status] == failures.count(status)
    assert list(report.status_counts)[:6] == ["ok", "exception", "timeout", "invalid_return", "crashed", "memory_limit"]
    advice = only(report, "reward_errors")
    assert advice.severity is severity
    assert advice.finding.startswith(f"{len(failures) / 80:.0%} of graded completions failed")


def test_a_pass_fail_reward_with_dead_groups_is_told_to_add_partial_credit():
    report = build_report(constant(0.0, 6) + [group([0.0, 1.0, 0.0, 1.0], lengths=HEALTHY_LENGTHS) for _ in range(14)])
    assert report.distinct_values == 2
    assert report.no_signal_fraction == 6 / 20
    advice = only(report, "few_distinct_values")
    assert advice.severity is Severity.info and "partial credit" in advice.action
    assert [(b.low, b.count) for b in report.score_histogram] == [(0.0, 6 * 4 + 14 * 2), (1.0, 14 * 2)]


@pytest.mark.parametrize("direction", [1, -1])
def test_length_that_wins_within_groups_is_flagged(direction):
    scores = HEALTHY_SCORES
    lengths = [int(150 + direction * 100 * score) for score in scores]
    report = build_report([group(scores, lengths=lengths) for _ in range(20)] + constant(0.0, 2, lengths=[5, 5, 5, 5]))
    assert report.length_reward_correlation == pytest.approx(direction * 1.0)
    advice = only(report, "length_reward_correlation")
    assert ("longer" if direction > 0 else "shorter") in advice.finding


def test_empty_completions_are_counted_and_credit_for_them_is_an_error():
    texts = ["", "x" * 10, "x" * 20, "x" * 20]
    groups = [group(HEALTHY_SCORES, lengths=HEALTHY_LENGTHS, texts=texts) for _ in range(5)] + healthy(15)
    report = build_report(groups)
    assert report.empty_completion_fraction == 5 / 80
    assert (report.empty_mean_score, report.empty_credited) == (0.0, 0)
    assert only(report, "empty_completions").severity is Severity.warning

    credited = [group([1.0, 0.0, 0.25, 0.75], lengths=HEALTHY_LENGTHS, texts=texts), *healthy(19)]
    report = build_report(credited)
    assert (report.empty_completion_fraction, report.empty_mean_score, report.empty_credited) == (1 / 80, 1.0, 1)
    advice = only(report, "empty_completions_earn_credit")
    assert advice.severity is Severity.error and "containment" in advice.action


def test_constant_scores_inside_the_range():
    report = build_report(constant(0.5, 5) + healthy(15))
    assert report.other_constant_fraction == 5 / 20
    assert only(report, "other_constant").severity is Severity.warning


def test_groups_of_one_completion():
    report = build_report([group([1.0])] + healthy(19))
    assert report.group_size is None
    assert report.group_size_counts == {1: 1, 4: 19}
    assert report.num_completions == 77
    assert only(report, "groups_too_small").finding.startswith("1 group(s) have a single completion")


def test_components_summaries_and_a_component_without_signal():
    components = [{"format": 1.0, "correct": score} for score in HEALTHY_SCORES]
    report = build_report(healthy(10, components=components) + healthy(10))
    assert set(report.components) == {"format", "correct"}
    assert report.components["format"].model_dump() == {"count": 40, "mean": 1.0, "std": 0.0, "no_signal_fraction": 1.0}
    assert report.components["correct"].mean == 0.5 and report.components["correct"].no_signal_fraction == 0.0
    assert "'format'" in only(report, "component_without_signal").finding


def test_latency_percentiles_and_a_slow_reward():
    latencies = [float(n) for n in range(1, 81)]
    report = build_report(healthy(20), latencies_ms=latencies)
    p50, p90, p99 = np.percentile(latencies, [50, 90, 99])
    assert report.latency_ms.model_dump() == pytest.approx({"count": 80, "mean": 40.5, "p50": p50, "p90": p90, "p99": p99, "max": 80.0})
    assert report.recommendations == []
    slow = build_report(healthy(20), latencies_ms=[THRESHOLDS.slow_p99_ms * 2] * 80)
    assert only(slow, "slow_reward").finding == "grading is slow: p99 2000 ms (p50 2000 ms)"


def test_stored_and_fresh_scores_disagree():
    stored = healthy(20)
    fresh = [list(HEALTHY_SCORES) for _ in range(20)]
    fresh[3][1] = 0.0
    fresh[7][0] = 1.0
    fresh[7][2] = 0.3
    report = build_report(stored, fresh_scores=fresh)
    assert report.score_source == "fresh"
    assert report.reward_mean == pytest.approx((40 - 1.0 + 1.0 + 0.05) / 80)
    found = report.disagreement
    assert (found.compared, found.changed, found.changed_fraction) == (80, 3, 3 / 80)
    assert [(e.group, e.completion, e.stored, e.fresh, e.fresh_status) for e in found.examples] == [
        ("3", 1, 1.0, 0.0, "ok"), ("7", 0, 0.0, 1.0, "ok"), ("7", 2, 0.25, 0.3, "ok"),
    ]
    advice = only(report, "scores_changed")
    assert advice.severity is Severity.error
    assert advice.finding == "3 of 80 stored scores changed when graded again (e.g. group 3, completion 1: 1 -> 0)"
    assert "rewardbox check" in advice.action

    same = build_report(stored, fresh_scores=[list(HEALTHY_SCORES) for _ in range(20)])
    assert same.disagreement.changed == 0 and same.recommendations == []


def test_fresh_scores_stand_in_for_missing_stored_scores():
    groups = [SampleGroup(prompt=[{"role": "user", "content": "hi"}], ground_truth="1", completions=["a", "b"]) for _ in range(3)]
    report = build_report(groups, fresh_scores=[[0.0, 1.0]] * 3)
    assert (report.reward_mean, report.disagreement, report.length_unit) == (0.5, None, "characters")


def test_per_step_figures():
    groups = constant(0.0, 5, step=0) + healthy(5, step=0) + constant(0.0, 2, step=1) + healthy(8, step=1) + constant(1.0, 3)
    report = build_report(groups)
    assert [step.step for step in report.steps] == [0, 1]
    assert [(s.num_groups, s.all_min_fraction, s.no_signal_fraction) for s in report.steps] == [(10, 5 / 10, 5 / 10), (10, 2 / 10, 2 / 10)]
    assert report.steps[1].reward_mean == 8 * 2.0 / 40
    assert report.num_groups == 23 and report.all_max_fraction == 3 / 23


def test_score_range_given_or_inferred():
    minus_one = build_report(constant(-1.0, 2) + constant(1.0, 1) + [group([-1.0, 1.0, 0.0, 0.5])])
    assert (minus_one.score_range, minus_one.score_range_source) == ((-1.0, 1.0), "inferred")
    assert (minus_one.all_min_fraction, minus_one.all_max_fraction) == (2 / 4, 1 / 4)
    all_zero = build_report(constant(0.0, 3))
    assert (all_zero.score_range, all_zero.all_min_fraction) == ((0.0, 1.0), 1.0)
    judge = build_report(constant(1.0, 2) + constant(5.0, 1) + [group([1.0, 2.0, 3.0, 5.0])], score_range=(1.0, 5.0))
    assert (judge.score_range_source, judge.all_min_fraction, judge.all_max_fraction) == ("given", 2 / 4, 1 / 4)


def test_many_distinct_scores_are_binned():
    scores = [i / 99 for i in range(100)]
    report = build_report([group(scores[i : i + 4]) for i in range(0, 100, 4)])
    assert report.distinct_values == 100
    assert len(report.score_histogram) == 20 and [b.count for b in report.score_histogram] == [5] * 20
    assert (report.score_histogram[0].low, report.score_histogram[-1].high) == (0.0, 1.0)


def test_bad_input_names_the_field_or_group():
    with pytest.raises(ValidationError, match="'scores' has 3 entries but 'completions' has 4"):
        group([0.0, 1.0, 0.0], lengths=[1, 1, 1, 1], stop_reasons=["stop"] * 4, statuses=["ok"] * 4, texts=["a"] * 4)
    with pytest.raises(ValidationError, match="finite number"):
        group([0.0, math.nan])
    unscored = SampleGroup(prompt="p", ground_truth="1", completions=["a"], label="samples.jsonl:7")
    with pytest.raises(ValueError, match="group samples.jsonl:7 has no scores"):
        build_report(healthy(2) + [unscored])
    with pytest.raises(ValueError, match="fresh_scores for group 1 has 3 scores but the group has 4 completions"):
        build_report(healthy(2), fresh_scores=[HEALTHY_SCORES, [0.0, 1.0, 0.5]])
    with pytest.raises(ValueError, match="no groups"):
        build_report([])


def test_json_round_trips():
    report = build_report(constant(0.0, 12, step=2) + healthy(8, step=3), latencies_ms=[5.0] * 80)
    assert type(report).model_validate_json(report.model_dump_json()) == report


def test_the_recommendations_page_is_generated_from_the_rules():
    assert DOCS_PAGE.read_text() == docs_page(), "regenerate: python -m rewardbox.graders.hygiene > docs/recommendations.md"
