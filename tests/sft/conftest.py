"""Fixtures for the SFT tests: the sft_toy example's config, a tiny set that overfits, and trainers closed at teardown."""

from __future__ import annotations

import os
import random
from typing import Callable

import pytest

from rewardkit.runner.grpo import load_config, offline_backend
from rewardkit.runner.sft import Example, SFTConfig, SFTTrainer, open_sft_trainer

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "sft_toy")
EXAMPLE_CONFIG = os.path.join(EXAMPLE, "config.toml")


@pytest.fixture
def toy_config() -> Callable[..., SFTConfig]:
    """The sft_toy example's config, with keys overridden."""
    return lambda **overrides: load_config(EXAMPLE_CONFIG, **overrides)  # type: ignore[return-value]


def unrelated_examples(count: int = 16, seed: int = 1) -> list[Example]:
    """Prompts and responses drawn at random, independently: nothing to learn but the training set itself."""
    rng = random.Random(seed)
    word = lambda size: "".join(rng.choice("abcdef") for _ in range(size))  # noqa: E731
    return [Example(id=f"e{i}", prompt=word(3) + ">", response=word(4)) for i in range(count)]


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


def tiny_config(**overrides) -> SFTConfig:
    """An SFT config for ``unrelated_examples``: 12 training and 4 validation examples, 3 steps an epoch."""
    keys = dict(
        method="sft", data="unused", base_model="m", backend="offline", batch_size=4, learning_rate=0.1,
        validation_split=0.25, spot_checks=0, overfit_patience=3,
    )  # fmt: skip
    return SFTConfig(**{**keys, **overrides})
