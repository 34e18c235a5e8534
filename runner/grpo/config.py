"""The training config: one pydantic model, loaded from a flat TOML file.

Each key's description lives once, in ``DESCRIPTIONS``; the model, the ``rewardkit train``
flags that overlap a key, and the README table all read it. A bad value raises
``ConfigError`` naming the file, the line when the key is written there, and the key.
"""

from __future__ import annotations

import math
import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..options import CALLS_PER_PROCESS_DESC, REWARD_DESC, TIMEOUT_DESC, WORKERS_DESC
from .errors import ConfigError
from .schedule import Schedule

DESCRIPTIONS: dict[str, str] = {
    "reward": f"the reward: {REWARD_DESC} (a file is relative to the config file)",
    "reward_params": "parameters for a library reward, as a TOML table",
    "prompts": 'prompts JSONL file (relative to the config file), one {"prompt", "ground_truth", "id"?, "difficulty"?} a line',
    "base_model": "the model to train (a Tinker model name; the offline backend only records it)",
    "backend": "tinker (the Tinker service; needs TINKER_API_KEY) or offline (a small numpy policy, for dry runs)",
    "steps": "total steps of the run; a resumed run continues up to it (default: one pass over the training prompts)",
    "log_dir": "the run directory (default: runs/<config file name>)",
    "lora_rank": "LoRA rank of the trained adapter",
    "learning_rate": "the peak learning rate (AdamW, betas 0.9 and 0.95, eps 1e-8)",
    "lr_schedule": "constant, linear or cosine; linear and cosine decay to 0 at scheduler_total_steps",
    "scheduler_total_steps": "the horizon of a linear or cosine schedule (required for them)",
    "warmup_steps": "steps of linear warmup at the start of a fresh run (never again on resume)",
    "group_size": "completions sampled per prompt (the GRPO group)",
    "prompts_per_step": "prompts (groups) per step",
    "max_tokens": "most tokens sampled per completion",
    "temperature": "sampling temperature",
    "loss": "importance_sampling or ppo (tinker's clipped objective, clip 0.8 to 1.2)",
    "holdout_fraction": "share of the prompts held out of training for evaluation, from 0 to 0.5",
    "eval_interval": "evaluate on held-out prompts every N steps (0: never)",
    "save_interval": "save a checkpoint every N steps (0: only at the end of `rewardkit train`)",
    "curriculum": "train the first pass over the prompts from the lowest difficulty up",
    "request_timeout": "seconds any wait on the backend or the grader may take before the run stops with an error",
    "reward_timeout": f"reward calls: {TIMEOUT_DESC}",
    "grader_workers": f"reward {WORKERS_DESC}",
    "reward_calls_per_process": f"reward {CALLS_PER_PROCESS_DESC}",
    "score_range": (
        "the reward's range [LO, HI]: scores outside it are invalid, and LO and HI tell ALL-min from ALL-max groups "
        "(default: any finite score stands; [0, 1] widened to the scores seen tells them apart)"
    ),
    "kl_spike_threshold": "flag a step whose |kl_sample_train| exceeds this",
    "renderer": "tinker backend: plain (prompt text as is, stop at EOS) or 'module:function' making a renderer from the tokenizer",
    "wandb_project": "log each step's metrics to this Weights & Biases project (needs rewardkit[wandb])",
    "seed": "seed for the holdout split, the prompt order and sampling",
}
_REWARD_FILE = re.compile(r"^[^\n]+\.py(:[A-Za-z_]\w*)?$")  # a reward spec that names a file
_ANY_PATH = re.compile(r".")


class TrainConfig(BaseModel):
    """Everything a GRPO run needs; see ``DESCRIPTIONS`` for each key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reward: str
    reward_params: dict = Field(default_factory=dict)
    prompts: str
    base_model: str
    backend: Literal["tinker", "offline"] = "tinker"
    steps: int | None = Field(None, ge=1)
    log_dir: str | None = None
    lora_rank: int = Field(32, ge=1)
    learning_rate: float = Field(4e-5, gt=0)
    lr_schedule: Schedule = "constant"
    scheduler_total_steps: int | None = Field(None, ge=1)
    warmup_steps: int = Field(0, ge=0)
    group_size: int = Field(16, ge=2)
    prompts_per_step: int = Field(8, ge=1)
    max_tokens: int = Field(256, ge=1)
    temperature: float = Field(1.0, ge=0)
    loss: Literal["importance_sampling", "ppo"] = "importance_sampling"
    holdout_fraction: float = Field(0.0, ge=0, le=0.5)
    eval_interval: int = Field(0, ge=0)
    save_interval: int = Field(0, ge=0)
    curriculum: bool = False
    request_timeout: float = Field(600.0, gt=0)
    reward_timeout: float = Field(10.0, gt=0)
    grader_workers: int | None = Field(None, ge=1)
    reward_calls_per_process: int = Field(1, ge=1)
    score_range: tuple[float, float] | None = None
    kl_spike_threshold: float = Field(0.01, gt=0)
    renderer: str = "plain"
    wandb_project: str | None = None
    seed: int = 0

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


def load_config(path: str, **overrides: object) -> TrainConfig:
    """Read a TOML config; ``reward`` and ``prompts`` files are relative to it; ``overrides`` (not None) win."""
    import tomllib  # Python 3.11+, as the tinker SDK is; imported here so `rewardkit --help` works on 3.10
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    data.update({key: value for key, value in overrides.items() if value is not None})
    folder = os.path.dirname(os.path.abspath(path))
    for key, pattern in (("reward", _REWARD_FILE), ("prompts", _ANY_PATH)):
        value = data.get(key)
        if isinstance(value, str) and not os.path.isabs(value) and pattern.match(value):
            data[key] = os.path.normpath(os.path.join(folder, value))
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(path, text, error) for error in exc.errors())) from None


def _describe(path: str, text: str, error: dict) -> str:
    if not error["loc"]:  # a rule across keys; its message names them
        return f"{path}: {error['msg'].removeprefix('Value error, ')}"
    key = ".".join(str(part) for part in error["loc"])
    top = str(error["loc"][0]) if error["loc"] else ""
    match = re.search(rf"^[ \t]*{re.escape(top)}[ \t]*=", text, re.MULTILINE) if top else None
    where = f"{path}:{text.count(chr(10), 0, match.start()) + 1}" if match else path
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key '{key}' (known keys: {', '.join(DESCRIPTIONS)})"
    if error["type"] == "missing":
        return f"{where}: key '{key}' is required: {DESCRIPTIONS.get(top, '')}"
    return f"{where}: key '{key}': {error['msg']}"
