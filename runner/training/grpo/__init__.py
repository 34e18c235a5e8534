"""rewardbox.runner.training.grpo: a thin GRPO loop on Tinker's protocols, with an offline numpy backend.

It also holds what the SFT loop (``rewardbox.runner.training.sft``) shares with it: the protocols, the
backends, the configs' loader (``load_config`` returns an ``SFTConfig`` for ``method = "sft"``),
the run directory and ``TrainingSession``, the base of both trainers.

>>> from rewardbox.runner.training.grpo import load_config, open_trainer       # doctest: +SKIP
>>> with open_trainer(load_config("examples/toy_copy/config.toml"), log_dir="runs/toy") as trainer:  # doctest: +SKIP
...     print(trainer.train_grpo_step(num_iterations=5).steps[-1].reward_mean)

Names are imported lazily, so ``rewardbox --help`` does not load tinker and numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewardbox.graders.lazy import lazy_exports

_EXPORTS = {
    "Backend": "backends",
    "offline_backend": "backends",
    "tinker_backend": "backends",
    "DESCRIPTIONS": "config",
    "RunConfig": "config",
    "TrainConfig": "config",
    "load_config": ".configs",  # rewardbox.runner.training.configs: it reads both methods' configs
    "BackendError": "errors",
    "ConfigError": "errors",
    "DataError": "errors",
    "RequestTimeout": "errors",
    "RewardFailing": "errors",
    "TrainError": "errors",
    "CheckpointReport": "reports",
    "LoadReport": "reports",
    "SampleReport": "reports",
    "StepReport": "reports",
    "TrainReport": "reports",
    "Trainer": "trainer",
    "TrainingSession": "session",
    "open_trainer": "trainer",
}
__all__ = [
    "Backend",
    "BackendError",
    "CheckpointReport",
    "ConfigError",
    "DESCRIPTIONS",
    "DataError",
    "LoadReport",
    "RequestTimeout",
    "RewardFailing",
    "RunConfig",
    "SampleReport",
    "StepReport",
    "TrainConfig",
    "TrainError",
    "TrainReport",
    "Trainer",
    "TrainingSession",
    "load_config",
    "offline_backend",
    "open_trainer",
    "tinker_backend",
]

if TYPE_CHECKING:
    from .backends import Backend, offline_backend, tinker_backend
    from ..configs import load_config
    from .config import DESCRIPTIONS, RunConfig, TrainConfig
    from .errors import (
        BackendError,
        ConfigError,
        DataError,
        RequestTimeout,
        RewardFailing,
        TrainError,
    )
    from .reports import (
        CheckpointReport,
        LoadReport,
        SampleReport,
        StepReport,
        TrainReport,
    )
    from .session import TrainingSession
    from .trainer import Trainer, open_trainer


__getattr__ = lazy_exports(__name__, _EXPORTS)
