"""Opening a training run from its config: the trainer its method asks for, in its run directory."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

from ..errors import UsageError
from .grpo.config import TrainConfig

if TYPE_CHECKING:
    from .grpo.session import TrainingSession
    from .grpo.trainer import Trainer
    from .sft.config import SFTConfig

RESUME_DESC = (
    "continue the run in the run directory from its last checkpoint: its step count, data position and "
    "optimizer state come back, and warmup is not applied again"
)


def open_run(
    config: TrainConfig | SFTConfig, config_path: str, *, resume: bool = False, runs_root: str = "runs", resume_hint: str | None = None
) -> TrainingSession:
    """The trainer the config's method asks for, in its ``log_dir``, else in ``runs_root/<config file name>``.

    Raises ``UsageError`` when training cannot be imported here, ``DataError`` for a bad data
    source, ``TrainError`` when the run cannot start.
    """
    try:
        from .grpo.trainer import open_trainer  # tinker and numpy load only for training
        from .sft.trainer import open_sft_trainer
    except ImportError as exc:
        raise UsageError(f"{exc}: training needs Python 3.11+ and the train extra: pip install 'rewardbox[train]'") from None
    log_dir = config.log_dir or os.path.join(runs_root, os.path.splitext(os.path.basename(config_path))[0])
    opener = open_trainer if isinstance(config, TrainConfig) else open_sft_trainer
    options = {} if resume_hint is None else {"resume_hint": resume_hint}
    return opener(config, log_dir=log_dir, resume=resume, **options)  # type: ignore[arg-type]


def grpo_total_steps(trainer: Trainer) -> int:
    """The step a GRPO run ends at: the config's ``steps``, else one pass over the training prompts."""
    return trainer.config.steps or math.ceil(len(trainer.pool.train) / trainer.config.prompts_per_step)
