"""The training tools of ``rewardbox mcp``: one GRPO session, opened from a config file, driven a step at a time.

``Training`` wraps the small-step API of ``grpo.trainer.Trainer`` (``train_grpo_step``,
``sample``, ``save``, ``load``) for an agent: ``train_open(config_path)`` opens the
session explicitly (so the agent chooses the backend and run directory, and sees
the step it starts at), every later call acts on it, one call at a time, and
``train_close`` or the end of the server closes it. Results are compact; the run
directory holds everything (metrics.jsonl, samples.jsonl, the debug logs).

This module needs the train extra (tinker and numpy, Python 3.11+); the server
offers these tools only where it imports.
"""

from __future__ import annotations

import collections
import threading
from pathlib import Path
from typing import Annotated, Callable, Literal, TypeVar

from pydantic import BaseModel, Field

from ..errors import UsageError
from ..training.configs import load_config
from ..training.grpo.config import DESCRIPTIONS, TrainConfig
from ..training.grpo.data import read_prompts
from ..training.grpo.reports import CheckpointReport, LoadReport, SampleReport, StepReport
from ..training.grpo.trainer import Trainer, summary_line
from .tools import FIRST, Outputs, preview

RESUME_HINT = "continue with train_open(config_path, resume=true), or load(state_path)"  # what MCP users call, not --resume
from ..training.runs import RESUME_DESC, grpo_total_steps, open_run

MAX_STEP_LINES = 20  # summary lines one train_grpo_step call returns (the last ones)
RUN_FILES = ("metrics.jsonl", "samples.jsonl", "training_debug.log", "reward_debug.log", "checkpoints.jsonl", "progress.txt")
T = TypeVar("T")


class RunFiles(BaseModel):
    """Where the session's run keeps everything (docs/training.md)."""

    log_dir: str
    metrics: str  # one StepReport a line
    samples: str  # every sampled group with its scores (hygiene_report reads it)
    training_debug: str
    reward_debug: str
    checkpoints: str
    progress: str  # the heartbeat, rewritten every second while a step runs


class SessionSummary(BaseModel):
    """The open training session: its backend, position, prompts and run files."""

    config: str
    backend: str
    base_model: str
    step: int
    total_steps: int  # the config's steps, else one pass over the training prompts
    train_prompts: int
    holdout_prompts: int
    last_checkpoint: str | None
    files: RunFiles


class StepsSummary(BaseModel):
    """The steps one ``train_grpo_step`` call ran: a line each, the last step in full, where the run stands."""

    lines: list[str]  # one summary line per step (the last MAX_STEP_LINES)
    last: StepReport
    next_step: int
    total_steps: int
    last_checkpoint: str | None
    files: RunFiles


class SampleSummary(BaseModel):
    """Completions from the current weights: counts, the mean score, a few examples, and the file with all of them."""

    step: int
    prompts: int
    completions: int
    reward_mean: float | None
    status_counts: dict[str, int]
    examples: list[str]  # "prompt -> completion (score)", shortened
    outputs: dict[str, str]


class CheckpointSummary(CheckpointReport):
    """A saved state (``state_path`` is what ``load`` takes) and the run's list of checkpoints."""

    checkpoints: str


class ClosedSummary(BaseModel):
    """The session ``train_close`` ended; the run directory keeps everything."""

    step: int
    last_checkpoint: str | None
    files: RunFiles


class Training:
    """At most one open training session, used by one tool call at a time (a trainer is not thread-safe)."""

    def __init__(self, outputs: Outputs) -> None:
        self.outputs = outputs
        self._trainer: Trainer | None = None
        self._lock = threading.Lock()

    def train_open(
        self,
        config_path: Annotated[str, Field(description="the training config (TOML); its reward and prompts paths are relative to it")],
        backend: Annotated[Literal["offline", "tinker"] | None, Field(description=f"{DESCRIPTIONS['backend']} (default: the config's)")] = None,
        log_dir: Annotated[
            str | None, Field(description="the run directory (default: the config's log_dir, else runs/<config name> in the output directory)")
        ] = None,
        resume: Annotated[bool, Field(description=RESUME_DESC)] = False,
        tokenizer: Annotated[str | None, Field(description=f"{DESCRIPTIONS['tokenizer']}; a folder here is relative to the server's directory")] = None,
    ) -> SessionSummary:
        """Open a GRPO training session from a config file; train_grpo_step, sample, save and load then act on it.

        A session already open is closed first. Returns the backend, the step the run is at, the
        prompt counts and the run directory's files (metrics.jsonl, training_debug.log, progress.txt, ...).
        """
        with self._lock:
            self._close()
            config = load_config(config_path, backend=backend, log_dir=log_dir, tokenizer=tokenizer)
            if not isinstance(config, TrainConfig):
                raise UsageError(f"{config_path}: method = {config.method!r}: the training tools run GRPO; train SFT with `rewardbox train`")
            trainer = open_run(config, config_path, resume=resume, runs_root=str(self.outputs.root / "runs"), resume_hint=RESUME_HINT)
            assert isinstance(trainer, Trainer)
            self._trainer = trainer
            return SessionSummary(
                config=str(Path(config_path).resolve()),
                backend=trainer.backend.name,
                base_model=trainer.config.base_model,
                step=trainer.step,
                total_steps=grpo_total_steps(trainer),
                train_prompts=len(trainer.pool.train),
                holdout_prompts=len(trainer.pool.holdout),
                last_checkpoint=trainer.last_checkpoint,
                files=_run_files(trainer),
            )

    def train_grpo_step(
        self, num_iterations: Annotated[int, Field(ge=1, le=1000, description="GRPO steps to run in this call")] = 1
    ) -> StepsSummary:
        """Run GRPO steps on the open session: sample groups, grade them in the sandbox, train on the centred rewards.

        Checkpoints and evaluations happen at the config's intervals. Returns a summary line per
        step (reward, no-signal share, KL, ...), the last step's full figures and where the run
        stands; every step is a line of files.metrics, every sampled group is in files.samples.
        """

        def steps(trainer: Trainer) -> StepsSummary:
            report = trainer.train_grpo_step(num_iterations=num_iterations)
            return StepsSummary(
                lines=[summary_line(step) for step in report.steps[-MAX_STEP_LINES:]],
                last=report.steps[-1],
                next_step=report.next_step,
                total_steps=grpo_total_steps(trainer),
                last_checkpoint=report.last_checkpoint,
                files=_run_files(trainer),
            )

        return self._with_trainer(steps)

    def sample(
        self,
        prompts_path: Annotated[
            str | None,
            Field(description='a JSONL file of prompts, one {"prompt", "ground_truth"?, "id"?} a line; completions with a ground truth are graded'),
        ] = None,
        prompts: Annotated[list[str] | None, Field(description="a few prompts given inline instead (not graded)")] = None,
        num_samples: Annotated[int, Field(ge=1, le=64, description="completions per prompt")] = 1,
    ) -> SampleSummary:
        """Sample completions from the session's current weights (default prompts: the held-out ones).

        Returns the mean score, counts by status and a few examples; every completion, with its
        stop reason, token count, score and status, is in outputs["samples"].
        """
        if prompts_path is not None and prompts is not None:
            raise UsageError("pass prompts_path or prompts, not both")

        def sample(trainer: Trainer) -> SampleReport:
            if prompts_path is None:
                return trainer.sample(prompts, num_samples=num_samples)
            records = read_prompts(prompts_path, columns=trainer.config.columns, ground_truth_required=False)
            return trainer.sample(records, num_samples=num_samples)

        report = self._with_trainer(sample)
        outputs = self.outputs.write("sample", {"samples": ("samples.json", report.model_dump_json(indent=2))})
        completions = [(entry.prompt, completion) for entry in report.prompts for completion in entry.completions]
        statuses = collections.Counter(completion.status for _, completion in completions if completion.status is not None)
        return SampleSummary(
            step=report.step,
            prompts=len(report.prompts),
            completions=len(completions),
            reward_mean=report.reward_mean,
            status_counts=dict(statuses.most_common()),
            examples=[
                f"{preview(prompt)} -> {preview(completion.text)}" + ("" if completion.score is None else f" (score {completion.score:g})")
                for prompt, completion in completions[:FIRST]
            ],
            outputs=outputs,
        )

    def save(self, name: Annotated[str, Field(min_length=1, description="the checkpoint's name, e.g. step-10 or best")]) -> CheckpointSummary:
        """Save the session's weights and optimizer state with the loop's position; load(state_path) continues from it."""

        def save(trainer: Trainer) -> CheckpointSummary:
            checkpoint = trainer.save(name)
            return CheckpointSummary(**checkpoint.model_dump(), checkpoints=trainer.log.path("checkpoints.jsonl"))

        return self._with_trainer(save)

    def load(self, path: Annotated[str, Field(min_length=1, description="a state_path returned by save, or listed in files.checkpoints")]) -> LoadReport:
        """Continue the session from a saved state; if this run saved it, its step and prompt rotation come back too."""
        return self._with_trainer(lambda trainer: trainer.load(path))

    def train_close(self) -> ClosedSummary:
        """End the training session (and its backend session); the run directory keeps everything."""
        with self._lock:
            trainer = self._require_trainer()
            summary = ClosedSummary(step=trainer.step, last_checkpoint=trainer.last_checkpoint, files=_run_files(trainer))
            self._close()
            return summary

    def close(self) -> None:
        """Close the session, if one is open (when the server stops)."""
        with self._lock:
            self._close()

    def _with_trainer(self, action: Callable[[Trainer], T]) -> T:
        with self._lock:
            return action(self._require_trainer())

    def _require_trainer(self) -> Trainer:
        if self._trainer is None:
            raise UsageError("no training session is open: call train_open(config_path) first")
        return self._trainer

    def _close(self) -> None:
        if self._trainer is not None:
            self._trainer.close()
            self._trainer = None


def _run_files(trainer: Trainer) -> RunFiles:
    return RunFiles(log_dir=trainer.log.log_dir, **{name.split(".")[0]: trainer.log.path(name) for name in RUN_FILES})
