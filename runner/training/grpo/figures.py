"""The reward-signal figures of one step: the hygiene report of its groups (pure)."""

from __future__ import annotations

from typing import Sequence

from rewardbox.graders.hygiene import HygieneReport, SampleGroup, build_report

from .groups import SampledGroup


def step_figures(step: int, groups_P: Sequence[SampledGroup], score_range: tuple[float, float] | None) -> HygieneReport:
    """``build_report`` over the step's groups, with their grading latencies."""
    return build_report(
        [SampleGroup.model_validate(group.sample_line(step)) for group in groups_P],
        score_range=score_range,
        latencies_ms=[result.duration_ms for group in groups_P for result in group.results_G],
    )
