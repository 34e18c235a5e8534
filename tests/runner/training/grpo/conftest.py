"""Fixtures for the GRPO loop tests: the toy example's config with overrides, and trainers closed at teardown."""

from __future__ import annotations

import os
from typing import Callable

import pytest

from rewardbox.runner.training.grpo import TrainConfig, Trainer, load_config, open_trainer

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "examples", "toy_copy")
EXAMPLE_CONFIG = os.path.join(EXAMPLE, "config.toml")


@pytest.fixture
def toy_config() -> Callable[..., "TrainConfig"]:
    """The toy_copy example's config, with keys overridden."""
    return lambda **overrides: load_config(EXAMPLE_CONFIG, **overrides)


@pytest.fixture
def trainers(tmp_path):
    """``open(config, name="run", **options)`` opens an offline trainer in ``tmp_path/name``; all are closed at teardown."""
    opened: list = []

    def open_(config: "TrainConfig", name: str = "run", **options) -> "Trainer":
        options.setdefault("heartbeat_seconds", 0.2)
        trainer = open_trainer(config, backend="offline", log_dir=str(tmp_path / name), **options)
        opened.append(trainer)
        return trainer

    yield open_
    for trainer in opened:
        trainer.close()
