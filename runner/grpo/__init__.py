"""rewardkit.runner.grpo: a thin GRPO loop on Tinker's protocols, with an offline numpy backend.

>>> from rewardkit.runner.grpo import load_config, open_trainer       # doctest: +SKIP
>>> with open_trainer(load_config("examples/toy_copy/config.toml"), backend="offline", log_dir="runs/toy") as trainer:  # doctest: +SKIP
...     print(trainer.train_grpo_step(num_iterations=5).steps[-1].reward_mean)
"""

from __future__ import annotations

from .backends import Backend, offline_backend, tinker_backend
from .config import DESCRIPTIONS, TrainConfig, load_config
from .errors import BackendError, ConfigError, DataError, RequestTimeout, RewardFailing, TrainError
from .reports import CheckpointReport, LoadReport, SampleReport, StepReport, TrainReport
from .trainer import Trainer, open_trainer

__all__ = [
    "Backend", "BackendError", "CheckpointReport", "ConfigError", "DESCRIPTIONS", "DataError", "LoadReport",
    "RequestTimeout", "RewardFailing", "SampleReport", "StepReport", "TrainConfig", "TrainError", "TrainReport",
    "Trainer", "load_config", "offline_backend", "open_trainer", "tinker_backend",
]
