"""What the small-step API returns: pydantic reports an agent can read before it decides what to do next."""

from __future__ import annotations

from pydantic import BaseModel, JsonValue

from rewardbox.graders.hygiene import SignalFigures

from .data import Prompt


class StepReport(SignalFigures):
    """One GRPO step: the hygiene figures of its groups, what was trained, and how long it took; one line of ``metrics.jsonl``."""

    step: int
    status_counts: dict[str, int]  # grading statuses of the step's completions
    recommendations: list[str]  # the hygiene report's findings for this step, "severity code: finding"
    hacking_signals: dict[str, int] = {}  # signs of reward hacking among the step's top-scored completions, by name
    learning_rate: float
    num_datums: int
    groups_dropped: int
    kl_sample_train: float | None  # None when no datum was trained on
    kl_sample_train_v2: float | None
    entropy: float | None
    kl_spike: bool
    loss: float | None
    step_seconds: float
    sampling_seconds: float  # submit to the last group sampled
    grading_tail_seconds: float  # the last group sampled to the last completion graded
    training_seconds: float
    eval_reward_mean: float | None = None
    checkpoint: str | None = None  # the state path saved after this step, if one was


class TrainReport(BaseModel):
    """The steps one ``train_grpo_step`` call ran."""

    steps: list[StepReport]
    next_step: int
    log_dir: str
    last_checkpoint: str | None


class SampledCompletion(BaseModel):
    text: str
    stop_reason: str
    num_tokens: int
    score: float | None = None  # None when not graded (no ground truth, and the reward needs one)
    status: str | None = None
    error: str | None = None


class SampledPrompt(BaseModel):
    prompt: Prompt
    ground_truth: JsonValue = None
    reference: str | None = None  # the record's reference response (SFT data), to compare with
    completions: list[SampledCompletion]


class SampleReport(BaseModel):
    """Completions from the current weights; scored where a ground truth was given."""

    step: int
    prompts: list[SampledPrompt]
    reward_mean: float | None


class CheckpointReport(BaseModel):
    """A saved state: its name, the step the run will continue at, and the path that loads it."""

    name: str
    step: int
    prompts_consumed: int
    state_path: str


class LoadReport(BaseModel):
    """A loaded state, and whether the run's own checkpoint list knew it (then its step and rotation came back too)."""

    state_path: str
    step: int
    prompts_consumed: int
    loop_state_restored: bool
