"""The reward-signal figures of one step, computed from its groups (pure).

These are the hygiene report's figures under its names; when ``rewardkit.graders.hygiene``
is available this function is the one place that changes to call it.
"""

from __future__ import annotations

import collections
import statistics
from typing import Sequence

from .advantages import group_kind
from .groups import SampledGroup
from .reports import StepFigures


def step_figures(groups_P: Sequence[SampledGroup], score_range: tuple[float, float]) -> StepFigures:
    """Mean and spread of the scores, the share of constant groups by kind, truncation, statuses."""
    scores = [score for group in groups_P for score in group.scores_G]
    kinds = collections.Counter(group_kind(group.scores_G, score_range) for group in groups_P)
    stop_reasons = [reason for group in groups_P for reason in group.stop_reasons_G]
    statuses = collections.Counter(result.status.value for group in groups_P for result in group.results_G)
    groups = len(groups_P)
    return StepFigures(
        num_groups=groups,
        num_completions=len(scores),
        reward_mean=statistics.fmean(scores),
        reward_std=statistics.pstdev(scores),
        no_signal_fraction=(groups - kinds["mixed"]) / groups,
        all_min_fraction=kinds["all_min"] / groups,
        all_max_fraction=kinds["all_max"] / groups,
        other_constant_fraction=kinds["other_constant"] / groups,
        truncation_fraction=stop_reasons.count("length") / len(stop_reasons),
        status_counts=dict(sorted(statuses.items())),
    )
