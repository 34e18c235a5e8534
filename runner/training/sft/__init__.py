"""rewardbox.runner.training.sft: supervised fine-tuning on Tinker's protocols, sharing GRPO's backends and run directory.

>>> from rewardbox.runner.training.grpo import load_config                      # doctest: +SKIP
>>> from rewardbox.runner.training.sft import open_sft_trainer                  # doctest: +SKIP
>>> with open_sft_trainer(load_config("examples/sft_toy/config.toml"), log_dir="runs/sft") as trainer:  # doctest: +SKIP
...     print(trainer.train_sft_step(num_epochs=1).evaluations[-1].val_loss)

Names are imported lazily, so ``rewardbox --help`` does not load tinker and numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewardbox.graders.lazy import lazy_exports

_EXPORTS = {
    "SFTConfig": "config",
    "Example": "data",
    "read_examples": "data",
    "DataReport": "reports",
    "OverfitReport": "reports",
    "SFTEvalReport": "reports",
    "SFTStepReport": "reports",
    "SFTTrainReport": "reports",
    "SFTTrainer": "trainer",
    "open_sft_trainer": "trainer",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .config import SFTConfig
    from .data import Example, read_examples
    from .reports import DataReport, OverfitReport, SFTEvalReport, SFTStepReport, SFTTrainReport
    from .trainer import SFTTrainer, open_sft_trainer


__getattr__ = lazy_exports(__name__, _EXPORTS)
