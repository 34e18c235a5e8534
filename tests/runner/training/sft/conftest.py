"""Fixtures for the SFT tests: the sft_toy example's config and trainers closed at teardown."""

from __future__ import annotations

import os
from typing import Callable

import pytest

from rewardbox.runner.training.grpo import load_config, offline_backend
from rewardbox.runner.training.sft import Example, SFTConfig, SFTTrainer, open_sft_trainer

from sft_helpers import EXAMPLE
EXAMPLE_CONFIG = os.path.join(EXAMPLE, "config.toml")


@pytest.fixture
def toy_config() -> Callable[..., SFTConfig]:
    """The sft_toy example's config, with keys overridden."""
    return lambda **overrides: load_config(EXAMPLE_CONFIG, **overrides)  # type: ignore[return-value]


@pytest.fixture
def trainers(tmp_path):
    """``open(config, name="run", examples=None, **options)``: an offline SFT trainer in ``tmp_path/name``, closed at teardown."""
    opened: list[SFTTrainer] = []

    def open_(config: SFTConfig, name: str = "run", examples: list[Example] | None = None, **options) -> SFTTrainer:
        options.setdefault("heartbeat_seconds", 0.2)
        if examples is None:
            trainer = open_sft_trainer(config, backend="offline", log_dir=str(tmp_path / name), **options)
        else:
            backend = offline_backend(examples, str(tmp_path / name / "offline_state"))
            trainer = SFTTrainer(config, backend, log_dir=str(tmp_path / name), examples=examples, **options)
        opened.append(trainer)
        return trainer

    yield open_
    for trainer in opened:
        trainer.close()
