"""The numbers of one GRPO step, as pure functions: advantages, constant groups, datums, KL.

Shape suffixes name the axes: ``_G`` one value per completion of a group, ``_P`` one per
prompt (group) of the step, ``_D`` one per datum.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
from tinker import types

from rewardbox.graders.hygiene import SCORE_TOLERANCE


def centre_rewards(rewards_G: Sequence[float]) -> list[float]:
    """Advantages of one group: each reward minus the group's mean (no division by the std).

    >>> centre_rewards([1.0, 0.0, 0.0, 1.0])
    [0.5, -0.5, -0.5, 0.5]
    """
    mean = sum(rewards_G) / len(rewards_G)
    return [reward - mean for reward in rewards_G]


def drop_constant_groups(rewards_P: Sequence[Sequence[float]]) -> list[bool]:
    """Which groups to keep: those whose rewards differ (a constant group's advantages are all zero).

    Rewards closer than the hygiene report's tolerance count as equal, so a dropped group is
    exactly one the step's figures count as ALL-min, ALL-max or another constant.

    >>> drop_constant_groups([[0.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.5, 0.5 + 1e-12]])
    [True, False, False, False]
    """
    return [max(rewards_G) - min(rewards_G) > SCORE_TOLERANCE for rewards_G in rewards_P]


def build_datum(
    prompt_tokens: Sequence[int], sampled_tokens: Sequence[int], sampled_logprobs: Sequence[float], advantage: float
) -> types.Datum:
    """A ``Datum`` for ``importance_sampling``/``ppo``: position i predicts token i+1; prompt positions get advantage 0.

    ``model_input`` is prompt + sample without its last token; ``target_tokens`` the same
    shifted by one; the ``len(prompt) - 1`` prompt targets carry logprob 0 and advantage 0.
    """
    if not prompt_tokens or not sampled_tokens:
        raise ValueError("a datum needs at least one prompt token and one sampled token")
    if len(sampled_logprobs) != len(sampled_tokens):
        raise ValueError(f"{len(sampled_tokens)} sampled tokens but {len(sampled_logprobs)} logprobs")
    tokens = [*prompt_tokens, *sampled_tokens]
    prompt_targets = len(prompt_tokens) - 1
    return types.Datum(
        model_input=types.ModelInput.from_ints(tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": np.asarray(tokens[1:], dtype=np.int64),
            "logprobs": np.asarray([0.0] * prompt_targets + list(sampled_logprobs), dtype=np.float32),
            "advantages": np.asarray([0.0] * prompt_targets + [advantage] * len(sampled_tokens), dtype=np.float32),
        },
    )


class KL(NamedTuple):
    """Sampler-vs-learner logprob gaps over sampled tokens (cookbook's ``kl_sample_train_v1``/``_v2``) and sampling entropy."""

    kl_sample_train: float
    kl_sample_train_v2: float
    entropy: float


def kl_sample_train(sampler_logprobs_D: Sequence[Sequence[float]], learner_logprobs_D: Sequence[Sequence[float]]) -> KL:
    """``mean(lp_sampler - lp_learner)``, ``0.5 * mean((lp_sampler - lp_learner)**2)`` and ``-mean(lp_sampler)`` over every sampled token.

    On-policy, with the sampler a snapshot of the learner, both gaps are ~0; a large one
    means stale weights or misaligned datums.

    >>> kl_sample_train([[-1.0, -2.0]], [[-1.0, -1.0]])
    KL(kl_sample_train=-0.5, kl_sample_train_v2=0.25, entropy=1.5)
    """
    sampler = np.concatenate([np.asarray(row, dtype=np.float64) for row in sampler_logprobs_D])
    learner = np.concatenate([np.asarray(row, dtype=np.float64) for row in learner_logprobs_D])
    if sampler.shape != learner.shape or not sampler.size:
        raise ValueError(f"{sampler.size} sampler logprobs against {learner.size} learner logprobs")
    gap = sampler - learner
    return KL(float(gap.mean()), float(0.5 * (gap**2).mean()), float(-sampler.mean()))
