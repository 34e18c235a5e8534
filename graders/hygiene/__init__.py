"""Reward hygiene: is there a learning signal in sampled groups, and what to do about it.

::

    figures.py          SampleGroup in, HygieneReport out: no-signal groups (ALL-min / ALL-max), truncation,
                        errors, partial-credit granularity, length correlation, latency, per-step figures
    recommendations.py  named rules over a report (the GRPO playbook); docs/recommendations.md is generated from them
    build_report        (here) the two together: the report with its recommendations

Imports point one way: figures <- recommendations <- this package.
"""

from __future__ import annotations

from typing import Sequence

from .figures import (
    SCORE_TOLERANCE,
    TRUNCATED_STOP_REASONS,
    Bin,
    HygieneReport,
    MalformedLine,
    Recommendation,
    SampleGroup,
    Severity,
    SignalFigures,
    StepFigures,
    measure,
)
from .recommendations import RULES, THRESHOLDS, recommend

__all__ = [
    "SCORE_TOLERANCE", "TRUNCATED_STOP_REASONS", "Bin", "HygieneReport", "MalformedLine", "Recommendation", "SampleGroup",
    "Severity", "SignalFigures", "StepFigures", "RULES", "THRESHOLDS", "build_report", "measure", "recommend",
]


def build_report(
    groups: Sequence[SampleGroup],
    *,
    score_range: tuple[float, float] | None = None,
    fresh_scores: Sequence[Sequence[float]] | None = None,
    latencies_ms: Sequence[float] | None = None,
) -> HygieneReport:
    """The hygiene report of ``groups`` with its recommendations (``figures.measure``, then ``recommend``).

    The figures use ``fresh_scores`` (one list per group, from grading here) when given, else each
    group's stored ``scores``; with both, ``disagreement`` says where they differ. ``score_range`` is
    the reward's (minimum, maximum); without it the range is inferred as [0, 1] widened to include
    every observed score, and the report says so. ``latencies_ms`` are the grading times of this
    report's completions. Raises ``ValueError`` naming the group whose data does not fit.
    """
    report = measure(groups, score_range=score_range, fresh_scores=fresh_scores, latencies_ms=latencies_ms)
    return report.model_copy(update={"recommendations": recommend(report)})
