"""Helpers for the SFT tests: a tiny set with nothing to learn but itself, and a config that overfits it."""

from __future__ import annotations

import os
import random

from rewardbox.runner.training.sft import Example, SFTConfig

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "examples", "sft_toy")


def unrelated_examples(count: int = 16, seed: int = 1) -> list[Example]:
    """Prompts and responses drawn at random, independently: nothing to learn but the training set itself."""
    rng = random.Random(seed)
    word = lambda size: "".join(rng.choice("abcdef") for _ in range(size))  # noqa: E731
    return [Example(id=f"e{i}", prompt=word(3) + ">", response=word(4)) for i in range(count)]


def tiny_config(**overrides) -> SFTConfig:
    """An SFT config for ``unrelated_examples``: 12 training and 4 validation examples, 3 steps an epoch."""
    keys = dict(
        method="sft", data="unused", base_model="m", backend="offline", batch_size=4, learning_rate=0.1,
        validation_split=0.25, spot_checks=0, overfit_patience=3,
    )  # fmt: skip
    return SFTConfig(**{**keys, **overrides})
