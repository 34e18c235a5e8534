"""The pure numbers of a GRPO step: advantages, constant groups, datums, KL, learning rates."""

from __future__ import annotations

import math

import pytest

from rewardbox.runner.training.grpo.advantages import build_datum, centre_rewards, drop_constant_groups, kl_sample_train
from rewardbox.runner.training.grpo.schedule import learning_rate


def test_centre_rewards_subtracts_the_group_mean_without_dividing_by_the_std():
    assert centre_rewards([1.0, 0.0, 0.0, 0.0]) == [0.75, -0.25, -0.25, -0.25]
    assert centre_rewards([0.2, 0.4]) == pytest.approx([-0.1, 0.1])
    assert centre_rewards([3.0, 3.0]) == [0.0, 0.0]


def test_constant_groups_are_dropped():
    rewards_P = [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.5, 0.5], [0.25, 0.75], [0.3, 0.3 + 1e-12]]
    assert drop_constant_groups(rewards_P) == [True, False, False, False, False, True, False]


def test_a_datum_masks_prompt_positions_and_shifts_targets_by_one():
    datum = build_datum([10, 11, 12], [20, 21], [-0.5, -1.5], 0.25)
    assert datum.model_input.to_ints() == [10, 11, 12, 20]
    inputs = {key: value.to_numpy().tolist() for key, value in datum.loss_fn_inputs.items()}
    assert inputs["target_tokens"] == [11, 12, 20, 21]
    assert inputs["logprobs"] == [0.0, 0.0, -0.5, -1.5]
    assert inputs["advantages"] == [0.0, 0.0, 0.25, 0.25]
    assert datum.loss_fn_inputs["target_tokens"].dtype == "int64"
    assert datum.loss_fn_inputs["advantages"].dtype == "float32"
    assert set(datum.loss_fn_inputs) == {"target_tokens", "logprobs", "advantages"}  # no "mask": the service rejects unknown keys


def test_a_datum_needs_tokens_and_one_logprob_per_token():
    with pytest.raises(ValueError, match="at least one"):
        build_datum([1], [], [], 1.0)
    with pytest.raises(ValueError, match="2 sampled tokens but 1 logprobs"):
        build_datum([1], [2, 3], [-1.0], 1.0)


def test_kl_sample_train_over_every_sampled_token():
    kl = kl_sample_train([[-1.0, -2.0], [-0.5]], [[-1.5, -2.0], [-0.5]])
    assert kl.kl_sample_train == pytest.approx(0.5 / 3)
    assert kl.kl_sample_train_v2 == pytest.approx(0.5 * 0.25 / 3)
    assert kl.entropy == pytest.approx(3.5 / 3)
    assert kl_sample_train([[-0.3]], [[-0.3]]).kl_sample_train == 0.0
    with pytest.raises(ValueError, match="2 sampler logprobs against 1"):
        kl_sample_train([[-1.0, -1.0]], [[-1.0]])


def test_learning_rate_is_constant_by_default():
    assert [
        learning_rate(s, base=0.1, schedule="constant", total_steps=None, warmup_steps=0, warm_up=True) for s in (0, 5, 500)
    ] == [0.1] * 3


def test_linear_and_cosine_decay_to_zero_at_the_horizon_and_stay_there():
    linear = [learning_rate(s, base=2.0, schedule="linear", total_steps=4, warmup_steps=0, warm_up=True) for s in range(6)]
    assert linear == [2.0, 1.5, 1.0, 0.5, 0.0, 0.0]
    cosine = [learning_rate(s, base=2.0, schedule="cosine", total_steps=4, warmup_steps=0, warm_up=True) for s in range(6)]
    assert cosine == pytest.approx([2.0, 1.0 + math.cos(math.pi / 4), 1.0, 1.0 - math.cos(math.pi / 4), 0.0, 0.0])
    with pytest.raises(ValueError, match="scheduler_total_steps"):
        learning_rate(0, base=1.0, schedule="cosine", total_steps=None, warmup_steps=0, warm_up=True)


def test_warmup_applies_only_when_asked_for_a_fresh_run():
    fresh = [learning_rate(s, base=1.0, schedule="linear", total_steps=10, warmup_steps=4, warm_up=True) for s in range(5)]
    assert fresh == pytest.approx([0.25 * 1.0, 0.5 * 0.9, 0.75 * 0.8, 1.0 * 0.7, 0.6])
    resumed = [learning_rate(s, base=1.0, schedule="linear", total_steps=10, warmup_steps=4, warm_up=False) for s in range(2, 5)]
    assert resumed == pytest.approx([0.8, 0.7, 0.6])
