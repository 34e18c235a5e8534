"""The SFT config: ``method = "sft"`` in the same flat TOML file as GRPO's, loaded by ``runner.configs.load_config``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...datasource import Columns
from ..grpo.config import RunConfig
from ..grpo.schedule import Schedule


class SFTConfig(RunConfig):
    """Everything an SFT run needs; see ``grpo.config.DESCRIPTIONS`` for each key."""

    method: Literal["sft"]
    data: str
    response_column: str = "response"
    learning_rate: float = Field(1e-4, gt=0)
    lr_schedule: Schedule = "linear"
    num_epochs: int = Field(1, ge=1)
    batch_size: int = Field(32, ge=1)
    max_length: int = Field(8192, ge=2)
    validation_split: float = Field(0.1, ge=0, le=0.5)
    eval_interval: int | None = Field(None, ge=0)
    overfit_patience: int = Field(3, ge=2)
    stop_on_overfit: bool = False
    save_best: bool = True
    spot_checks: int = Field(2, ge=0)
    temperature: float = Field(0.0, ge=0)

    @property
    def columns(self) -> Columns:
        return Columns(prompt=self.prompt_column, response=self.response_column)
