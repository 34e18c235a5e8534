"""The training configs: pydantic models of a flat TOML file (``runner/training/configs.py`` reads it), the keys both
methods share and GRPO's here, SFT's in ``runner/training/sft``.

``method`` picks the model. Each key's description lives once, in ``DESCRIPTIONS``; the models, the ``rewardbox train``
flags that overlap a key, and the table in docs/training.md all read it. A bad value raises
``ConfigError`` naming the file, the line when the key is written there, and the key.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ...datasource import (
    ANSWER_COLUMN_DESC,
    MESSAGES_COLUMN,
    PROMPT_COLUMN_DESC,
    RESPONSE_COLUMN_DESC,
    SOURCE_DESC,
    SPLIT_DESC,
    Columns,
)
from ...options import CALLS_PER_PROCESS_DESC, MODE_DESC, REWARD_DESC, TIMEOUT_DESC, WORKERS_DESC
from .errors import ConfigError
from .schedule import Schedule

DESCRIPTIONS: dict[str, str] = {
    "method": "grpo (reinforcement learning with the reward) or sft (supervised fine-tuning on reference responses)",
    "reward": f"the reward: {REWARD_DESC} (a file is relative to the config file)",
    "reward_params": "parameters for a library reward, as a TOML table",
    "prompts": f"the prompts: {SOURCE_DESC} (a path is relative to the config file)",
    "data": f"the SFT examples (prompt and reference response): {SOURCE_DESC} (a path is relative to the config file)",
    "split": SPLIT_DESC,
    "prompt_column": PROMPT_COLUMN_DESC,
    "answer_column": ANSWER_COLUMN_DESC,
    "response_column": f"{RESPONSE_COLUMN_DESC} (a '{MESSAGES_COLUMN}' column ending with the assistant's reply also works)",
    "base_model": "the model to train (a Tinker model name; the offline backend only records it)",
    "backend": "tinker (the Tinker service; needs TINKER_API_KEY) or offline (a small numpy policy, for dry runs)",
    "steps": "total steps of the run; a resumed run continues up to it (default: one pass over the training prompts)",
    "num_epochs": "passes over the training examples `rewardbox train` makes; a resumed run continues up to it",
    "batch_size": "examples per SFT step (one forward_backward and optim_step)",
    "max_length": "most tokens of one example (prompt and response); longer ones are cut at the end and counted",
    "validation_split": "share of the examples held out to measure validation loss, from 0 to 0.5",
    "overfit_patience": "evaluations in a row with validation loss rising while training loss falls that count as overfitting",
    "stop_on_overfit": "stop training when the overfitting signature appears (the best checkpoint is named)",
    "save_best": "save a checkpoint each time validation loss reaches a new low, so the best one can be named",
    "spot_checks": "validation prompts sampled at each evaluation and written to sampling_debug.log (0: none)",
    "log_dir": "the run directory (default: runs/<config file name>)",
    "lora_rank": "LoRA rank of the trained adapter",
    "learning_rate": "the peak learning rate (AdamW, betas 0.9 and 0.95, eps 1e-8)",
    "lr_schedule": (
        "constant, linear or cosine; linear and cosine decay to 0 at scheduler_total_steps "
        "(SFT without it: at the end of the num_epochs `rewardbox train` runs, constant in small train_sft_step calls)"
    ),
    "scheduler_total_steps": "the horizon of a linear or cosine schedule (required for them in GRPO)",
    "warmup_steps": "steps of linear warmup at the start of a fresh run (never again on resume)",
    "group_size": "completions sampled per prompt (the GRPO group)",
    "prompts_per_step": "prompts (groups) per step",
    "max_tokens": "most tokens sampled per completion",
    "temperature": "sampling temperature (0: greedy)",
    "loss": "importance_sampling or ppo (tinker's clipped objective, clip 0.8 to 1.2)",
    "holdout_fraction": "share of the prompts held out of training for evaluation, from 0 to 0.5",
    "eval_interval": (
        "GRPO: evaluate on held-out prompts every N steps (0: never); SFT: measure validation loss every N steps "
        "besides each epoch's end (default: 4 times an epoch when an epoch has 40 steps or more; 0: epoch ends only)"
    ),
    "save_interval": "save a checkpoint every N steps (0: only at the end of `rewardbox train`)",
    "curriculum": "train the first pass over the prompts from the lowest difficulty up",
    "request_timeout": "seconds any wait on the backend or the grader may take before the run stops with an error",
    "reward_timeout": f"reward calls: {TIMEOUT_DESC}",
    "grader_workers": f"reward {WORKERS_DESC}",
    "reward_mode": f"reward calls: {MODE_DESC}",
    "reward_calls_per_process": f"reward {CALLS_PER_PROCESS_DESC}",
    "score_range": (
        "the reward's range [LO, HI]: scores outside it are invalid, and LO and HI tell ALL-min from ALL-max groups "
        "(default: any finite score stands; [0, 1] widened to the scores seen tells them apart)"
    ),
    "stop_after_failed_steps": (
        "stop the run when the reward failed on every call of this many steps in a row; such a step is not trained on "
        "and is a warning in the log with the first error's traceback (0: never stop)"
    ),
    "kl_spike_threshold": "flag a step whose |kl_sample_train| exceeds this",
    "renderer": (
        "tinker backend: how prompts become tokens and sampled tokens text. auto (default: the chat template the model "
        "calls for, chosen from base_model as tinker-cookbook does), a renderer name (llama3, qwen3, qwen3_instruct, "
        "qwen3_disable_thinking, role_colon, chat_template, ...), plain (prompt text as is, stop at EOS), or "
        "'file.py:function' / 'module:function' making a renderer from the tokenizer (a file is relative to the config file)"
    ),
    "tokenizer": (
        "tinker backend: the tokenizer, a local folder or a Hugging Face name (default: base_model's, which the SDK "
        "downloads from the Hugging Face Hub; a folder is relative to the config file)"
    ),
    "wandb_project": "log each step's metrics to this Weights & Biases project (needs rewardbox[wandb])",
    "seed": "seed for the holdout or validation split, the training order and the new adapter's initial weights",
    "sampling_seed": (
        "seed every sampling request (default: none, as tinker-cookbook does). On the Tinker service a seeded request "
        "for a whole group can return identical completions, which leaves the group without signal; set it only to "
        "repeat a debugging run"
    ),
    "checkpoint_ttl_seconds": (
        "how long the service keeps the periodic checkpoints (save_interval), from 3600 (1 hour); 0 keeps them "
        "forever. The final checkpoint and ones saved by name are kept forever (default 604800: 7 days, as tinker-cookbook)"
    ),
}

TTL_RANGE = (3600, 10 * 365 * 86400)  # what the Tinker SDK documents for ttl_seconds


class RunConfig(BaseModel):
    """The keys both methods read; ``TrainConfig`` (GRPO) and ``SFTConfig`` add their own. See ``DESCRIPTIONS``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str
    base_model: str
    backend: Literal["tinker", "offline"] = "tinker"
    log_dir: str | None = None
    split: str | None = None
    prompt_column: str = "prompt"
    lora_rank: int = Field(32, ge=1)
    learning_rate: float = Field(4e-5, gt=0)
    lr_schedule: Schedule = "constant"
    scheduler_total_steps: int | None = Field(None, ge=1)
    warmup_steps: int = Field(0, ge=0)
    max_tokens: int = Field(256, ge=1)
    temperature: float = Field(1.0, ge=0)
    save_interval: int = Field(0, ge=0)
    request_timeout: float = Field(600.0, gt=0)
    renderer: str = Field("auto", min_length=1)
    tokenizer: str | None = None
    wandb_project: str | None = None
    seed: int = 0
    sampling_seed: int | None = None
    checkpoint_ttl_seconds: int = Field(604800, ge=0)

    @field_validator("checkpoint_ttl_seconds")
    @classmethod
    def _ttl_in_range(cls, value: int) -> int:
        if value and not TTL_RANGE[0] <= value <= TTL_RANGE[1]:
            raise ValueError(f"expected 0 (keep forever) or {TTL_RANGE[0]} to {TTL_RANGE[1]} seconds (1 hour to 10 years)")
        return value

    @property
    def checkpoint_ttl(self) -> int | None:
        """``ttl_seconds`` for periodic checkpoints: None keeps them forever."""
        return self.checkpoint_ttl_seconds or None


class TrainConfig(RunConfig):
    """Everything a GRPO run needs; see ``DESCRIPTIONS`` for each key."""

    method: Literal["grpo"] = "grpo"
    reward: str
    reward_params: dict = Field(default_factory=dict)
    prompts: str
    answer_column: str = "ground_truth"
    steps: int | None = Field(None, ge=1)
    group_size: int = Field(16, ge=2)
    prompts_per_step: int = Field(8, ge=1)
    loss: Literal["importance_sampling", "ppo"] = "importance_sampling"
    holdout_fraction: float = Field(0.0, ge=0, le=0.5)
    eval_interval: int = Field(0, ge=0)
    curriculum: bool = False
    reward_timeout: float = Field(10.0, gt=0)
    grader_workers: int | None = Field(None, ge=1)
    reward_mode: Literal["fresh", "warm"] | None = None
    reward_calls_per_process: int | None = Field(None, ge=1)
    score_range: tuple[float, float] | None = None
    kl_spike_threshold: float = Field(0.01, gt=0)
    stop_after_failed_steps: int = Field(1, ge=0)

    @property
    def columns(self) -> Columns:
        return Columns(prompt=self.prompt_column, answer=self.answer_column)

    @field_validator("score_range")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not (all(map(math.isfinite, value)) and value[0] < value[1]):
            raise ValueError("expected [LO, HI] with LO < HI")
        return value

    @model_validator(mode="after")
    def _schedule_horizon(self) -> TrainConfig:
        if self.lr_schedule != "constant" and self.scheduler_total_steps is None:
            raise ValueError(f"lr_schedule = {self.lr_schedule!r} needs scheduler_total_steps (the horizon it decays over)")
        if self.eval_interval and not self.holdout_fraction:
            raise ValueError("eval_interval needs holdout_fraction > 0 (evaluation uses held-out prompts)")
        return self
