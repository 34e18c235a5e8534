"""One real GRPO step on the Tinker service. Runs only when TINKER_API_KEY is set (it costs money and needs the network).

The only test that constructs a real ``tinker.ServiceClient``. Set TINKER_SMOKE_MODEL to pick
the base model (default meta-llama/Llama-3.2-1B); its tokenizer is downloaded from the
Hugging Face Hub by ``training_client.get_tokenizer()``.
"""

from __future__ import annotations

import os

import pytest
from rewardbox.runner.training.grpo import open_trainer

pytestmark = pytest.mark.skipif(not os.environ.get("TINKER_API_KEY"), reason="TINKER_API_KEY is not set: the Tinker service is not reachable")


def test_one_step_and_a_checkpoint_on_the_tinker_service(toy_config, tmp_path):
    config = toy_config(
        backend="tinker",
        base_model=os.environ.get("TINKER_SMOKE_MODEL", "meta-llama/Llama-3.2-1B"),
        learning_rate=4e-5,
        group_size=4,
        prompts_per_step=2,
        max_tokens=8,
        eval_interval=0,
        save_interval=1,
        request_timeout=900.0,
    )
    with open_trainer(config, log_dir=str(tmp_path / "run")) as trainer:
        report = trainer.train_grpo_step().steps[0]
        assert report.num_completions == 8 and report.status_counts.get("ok") == 8
        if report.num_datums:
            assert abs(report.kl_sample_train) < 0.05  # sampler and learner agree on-policy
        assert report.checkpoint and report.checkpoint.startswith("tinker://")
        spot = trainer.sample(["abc>"], num_samples=2)
        assert len(spot.prompts[0].completions) == 2
