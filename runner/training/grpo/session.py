"""What a GRPO run and an SFT run share: the backend session, the run directory, checkpoints and spot checks.

``TrainingSession`` owns a backend, a ``RunLog`` and a heartbeat; it checks the model and makes the
renderer, then opens a training client fresh or from the run's last checkpoint, and gives both
methods the same small-step calls around their own training call (``train_grpo_step``,
``train_sft_step``): ``sample`` (spot checks), ``save``, ``load``, ``close``. Subclasses fill the
hooks: ``_open_data`` (before anything on the service), ``_prompts`` (what renderer.json shows and
the context check measures), ``_renderer_made`` (the renderer suits the method), ``_opened`` (after
the training client exists), ``_restore_loop_state`` (a checkpoint of this run was loaded) and
``_progress_details`` (heartbeat lines).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable, Sequence, TypeVar, Union

import numpy as np
from tinker import types

from rewardbox.graders import Grader

from .backends import Backend, bounded
from .config import RunConfig
from .data import Prompt, PromptRecord
from .errors import ConfigError, TrainError
from .groups import SampledGroup
from .protocols import TrainingClient
from .renderers import rendered_example
from .reports import CheckpointReport, LoadReport, SampledCompletion, SampledPrompt, SampleReport
from .rollouts import RolloutProgress, sample_and_grade
from .runlog import Heartbeat, RunLog
from .waiting import RESUME_HINT, Waiter

ADAM = {"beta1": 0.9, "beta2": 0.95, "eps": 1e-8}  # tinker-cookbook's settings
_PURPOSES = {"train": 0, "eval": 1, "sample": 2}  # keeps the seeds of training, eval and spot-check samples apart
SampleInput = Union[Prompt, PromptRecord, dict]
T = TypeVar("T")


class TrainingSession:
    """A backend session writing one run directory; the base of the GRPO ``Trainer`` and the ``SFTTrainer``.

    The session owns the backend: ``close()`` (also when the constructor fails) ends it.
    """

    LOG_FILES: tuple[str, ...] = ("metrics.jsonl", "sampling_debug.log", "checkpoints.jsonl")

    def __init__(
        self,
        config: RunConfig,
        backend: Backend,
        *,
        log_dir: str,
        resume: bool = False,
        heartbeat_seconds: float = 1.0,
        resume_hint: str = RESUME_HINT,
    ) -> None:
        self.config = config
        self.backend = backend
        self.progress = RolloutProgress()
        self.started = time.monotonic()
        self.step_started: float | None = None
        self.checkpoint: CheckpointReport | None = None  # the last good one
        self.waiter = Waiter(config.request_timeout, lambda: self.last_checkpoint, resume_hint)
        self.grader: Grader | None = None  # GRPO grades samples; SFT spot checks are not graded
        self.step, self.prompts_consumed, self.warm_up = 0, 0, True  # a fresh run's; a checkpoint sets them on resume
        self.heartbeat: Heartbeat | None = None
        self.close_warnings: list[str] = []
        self._closed = False
        try:
            self.log = RunLog(log_dir, resume=resume, files=self.LOG_FILES, resume_hint=resume_hint.replace("continue with ", ""))
        except BaseException:
            backend.close("errored")
            raise
        try:
            self._open_data()
            if config.wandb_project:
                self.log.start_wandb(config.wandb_project, config.model_dump())
            self.heartbeat = Heartbeat(self.log.path("progress.txt"), self._describe_progress, heartbeat_seconds)
            self._open_training_client(resume)
            self._opened()
        except BaseException as exc:
            self.log.logger.error("the run could not open: %s: %s", type(exc).__name__, exc, exc_info=not isinstance(exc, TrainError))
            self.close("errored")
            raise

    # ---- hooks ----------------------------------------------------------------------

    def _open_data(self) -> None:
        """Read the data (and start anything else the method needs) before the training client exists."""

    def _opened(self) -> None:
        """Finish opening once ``self.training_client`` and ``self.renderer`` exist."""

    def _renderer_made(self) -> None:
        """Check the renderer suits the method, before any model exists."""

    def _restore_loop_state(self, checkpoint: CheckpointReport) -> None:
        """A checkpoint this run saved was loaded: bring back what the method keeps beside step and position."""

    def _progress_details(self) -> list[str]:
        """Heartbeat lines about the current phase's work."""
        return []

    def _default_sample_records(self) -> list[PromptRecord]:
        """The prompts ``sample()`` uses when given none."""
        return []

    # ---- opening ----------------------------------------------------------------------

    def _open_training_client(self, resume: bool) -> None:
        service = self.backend.service_client
        checkpoints = self.log.checkpoints() if resume else []
        if resume and not checkpoints:
            raise TrainError(f"nothing to resume: {self.log.path('checkpoints.jsonl')} lists no checkpoint")
        self._open_renderer()
        if checkpoints:
            latest = checkpoints[-1]
            self.training_client: TrainingClient = self._create(
                f"loading checkpoint {latest.state_path}", service.create_training_client_from_state_with_optimizer, latest.state_path
            )
            self.step, self.prompts_consumed, self.checkpoint = latest.step, latest.prompts_consumed, latest
            self.warm_up = False
            self._restore_loop_state(latest)
            self.log.logger.info(
                "resumed from %s at step %d (%d records consumed); no warmup", latest.state_path, self.step, self.prompts_consumed
            )
        else:
            self.training_client = self._create(
                f"creating a LoRA training client on {self.config.base_model}",
                service.create_lora_training_client,
                base_model=self.config.base_model,
                rank=self.config.lora_rank,
                seed=self.config.seed,
            )
            self.log.logger.info(
                "fresh run on %s (backend %s): %s", self.config.base_model, self.backend.name, self.config.model_dump_json()
            )

    def _open_renderer(self) -> None:
        """Before any model exists: the service offers base_model, the renderer is made, and the run directory says which."""
        self.progress.phase = "checking the model and its renderer"
        context = self.backend.context_length(self.config.base_model)
        self.renderer, choice = self.backend.make_renderer()
        self._renderer_made()
        example = self._example_prompt()
        record = {
            **dataclasses.asdict(choice),
            "base_model": self.config.base_model,
            "tokenizer": self.config.tokenizer,
            "stop": list(self.renderer.get_stop_sequences()),
            "context_length": context,
            "example": None if example is None else rendered_example(self.renderer, example),
        }
        self.log.write_json("renderer.json", record)
        self.log.logger.info("renderer %s (%s): %s", choice.name, choice.implementation, choice.reason)
        longest = self._longest_prompt()
        if context is not None and longest is not None:
            tokens = rendered_example(self.renderer, longest)["tokens"]
            if tokens + self.config.max_tokens > context:
                raise ConfigError(
                    f"the longest prompt ({tokens} tokens) and max_tokens = {self.config.max_tokens} pass "
                    f"{self.config.base_model}'s context length of {context} tokens: shorten it or lower max_tokens"
                )

    def _prompts(self) -> Sequence[str | list]:
        """The prompts of the run's data (a subclass's); the first is rendered into renderer.json."""
        return []

    def _example_prompt(self) -> str | list | None:
        prompts = self._prompts()
        return prompts[0] if prompts else None

    def _longest_prompt(self) -> str | list | None:
        prompts = self._prompts()
        return max(prompts, key=lambda prompt: len(str(prompt))) if prompts else None

    def _create(self, what: str, method: Callable[..., object], *args: object, **kwargs: object) -> TrainingClient:
        """Create a training client; the SDK may block for minutes creating its session, so the whole call is bounded."""
        self.progress.phase = what
        return bounded(what, lambda: self.waiter.request(what, method, *args, **kwargs), self.config.request_timeout)  # type: ignore[return-value]

    @property
    def last_checkpoint(self) -> str | None:
        """The state path of the last good checkpoint, if any."""
        return None if self.checkpoint is None else self.checkpoint.state_path

    # ---- the small-step API shared by both methods ------------------------------------

    def sample(self, prompts: Sequence[SampleInput] | None = None, num_samples: int = 1) -> SampleReport:
        """Completions from the current weights for ``prompts`` (default: held-out prompts); scored where a reward and a ground truth are given."""
        given = prompts if prompts is not None else self._default_sample_records()
        records = [_as_record(prompt, index) for index, prompt in enumerate(given)]
        if not records:
            raise ValueError("no prompts to sample: pass some, or hold some out (holdout_fraction, validation_split)")
        return self._logged(lambda: self._sample(records, num_samples))

    def save(self, name: str) -> CheckpointReport:
        """Save weights and optimizer state with the loop's position; ``load`` or ``--resume`` continues from it."""
        return self._logged(lambda: self._save(name))

    def load(self, path: str) -> LoadReport:
        """Continue from a saved state; if this run saved it, its step and data position come back too."""
        return self._logged(lambda: self._load(path))

    def close(self, status: str = "success") -> list[str]:
        """Stop the heartbeat, the grader and the backend session; the run directory keeps everything.

        Best-effort: each part is closed even if another fails, and a failure is a warning (returned,
        kept in ``close_warnings`` and logged), never an exception that would hide the run's own error.
        """
        if self._closed:
            return self.close_warnings
        self._closed = True
        parts: list[tuple[str, Callable[[], None]]] = []
        if self.heartbeat is not None:
            self.progress.phase = f"closed ({status})"
            parts.append(("the heartbeat", self.heartbeat.stop))
        if self.grader is not None:
            parts.append(("the grader", self.grader.close))
        parts.append((f"the {self.backend.name} session", lambda: self.backend.close(status)))  # type: ignore[arg-type]
        try:
            for what, close in parts:
                try:
                    close()
                except Exception as exc:  # noqa: BLE001 - a warning: the run's results are saved already
                    warning = f"closing {what} failed ({type(exc).__name__}: {exc}); the run directory has everything"
                    self.close_warnings.append(warning)
                    self.log.logger.warning(warning)
        finally:
            self.heartbeat = self.grader = None
            self.log.close()
        return self.close_warnings

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: object) -> None:
        if exc_type is not None and issubclass(exc_type, Exception) and not issubclass(exc_type, TrainError) and not self._closed:
            self.log.logger.error("the run stopped at step %d", self.step, exc_info=(exc_type, exc, traceback))  # type: ignore[arg-type]
        self.close("success" if exc_type is None else "errored" if issubclass(exc_type, Exception) else "interrupted")

    # ---- the same calls, unlogged ------------------------------------------------------

    def _sample(self, records: list[PromptRecord], num_samples: int, phase: str = "sample") -> SampleReport:
        sampler = self.waiter.request(
            "save_weights_and_get_sampling_client", self.training_client.save_weights_and_get_sampling_client
        )
        rollout = sample_and_grade(
            sampler, self.grader, self.renderer, records,
            num_samples=num_samples, params_P=[self._sampling_params(phase, self.step, p) for p in range(len(records))],
            waiter=self.waiter, progress=self.progress,
        )  # fmt: skip
        prompts = [
            SampledPrompt(
                prompt=group.record.prompt,
                ground_truth=group.record.ground_truth,
                reference=(group.record.model_extra or {}).get("response"),
                completions=[
                    SampledCompletion(text=text, stop_reason=reason, num_tokens=len(tokens), **_grade_fields(group, index))
                    for index, (text, reason, tokens) in enumerate(zip(group.completions_G, group.stop_reasons_G, group.tokens_G))
                ],
            )
            for group in rollout.groups_P
        ]
        scores = [score for group in rollout.groups_P for score in group.scores_G]
        return SampleReport(step=self.step, prompts=prompts, reward_mean=float(np.mean(scores)) if scores else None)

    def _save(self, name: str, ttl_seconds: int | None = None) -> CheckpointReport:
        """Save a checkpoint the service keeps ``ttl_seconds`` (None: forever)."""
        self.progress.phase = f"saving {name}"
        saved = self.waiter.request(f"save_state({name!r})", self.training_client.save_state, name, ttl_seconds=ttl_seconds)
        checkpoint = CheckpointReport(name=name, step=self.step, prompts_consumed=self.prompts_consumed, state_path=saved.path)
        self.log.log_checkpoint(checkpoint)
        self.checkpoint = checkpoint
        return checkpoint

    def _load(self, path: str) -> LoadReport:
        self.training_client = self.waiter.request(
            f"loading checkpoint {path}", self.backend.service_client.create_training_client_from_state_with_optimizer, path
        )
        known = [checkpoint for checkpoint in self.log.checkpoints() if checkpoint.state_path == path]
        if known:
            self.step, self.prompts_consumed = known[-1].step, known[-1].prompts_consumed
            self._restore_loop_state(known[-1])
        self.warm_up = False
        self.checkpoint = (
            known[-1]
            if known
            else CheckpointReport(name=path, step=self.step, prompts_consumed=self.prompts_consumed, state_path=path)
        )
        self.log.logger.info("loaded %s; continuing at step %d", path, self.step)
        return LoadReport(
            state_path=path, step=self.step, prompts_consumed=self.prompts_consumed, loop_state_restored=bool(known)
        )

    def _sampling_params(self, purpose: str, step: int, index: int) -> types.SamplingParams:
        """Sampling settings; no seed (as tinker-cookbook), unless ``sampling_seed`` asks for one per step and prompt."""
        seed = None
        if self.config.sampling_seed is not None:
            seed = int(np.random.SeedSequence([self.config.sampling_seed, step, index, _PURPOSES[purpose]]).generate_state(1)[0])
        return types.SamplingParams(
            max_tokens=self.config.max_tokens,
            temperature=self.config.temperature,
            stop=list(self.renderer.get_stop_sequences()),
            seed=seed,
        )

    def _logged(self, action: Callable[[], T]) -> T:
        """Run one API call; an error is written to training_debug.log and progress.txt before it propagates."""
        try:
            return action()
        except BaseException as exc:
            self.progress.phase = f"stopped: {type(exc).__name__}: {exc}"
            self.log.logger.error("stopped at step %d: %s: %s", self.step, type(exc).__name__, exc)
            if self.heartbeat is not None:
                self.heartbeat.beat()
            raise

    def _describe_progress(self) -> str:
        now = time.monotonic()
        lines = [
            f"step {self.step}",
            f"phase {self.progress.phase}",
            *self._progress_details(),
            f"step running {now - self.step_started:.1f} s" if self.step_started is not None else "step not running",
            f"run open {now - self.started:.0f} s",
            f"last checkpoint {self.last_checkpoint or 'none'}",
        ]
        return "\n".join(lines)


def run_directory(config: RunConfig, log_dir: str | None) -> str:
    """``log_dir``, else the config's; ``TrainError`` when neither names one."""
    chosen = log_dir or config.log_dir
    if not chosen:
        raise TrainError("no run directory: pass log_dir or set log_dir in the config")
    return chosen


def _grade_fields(group: SampledGroup, index: int) -> dict:
    if not group.results_G:  # not graded: no reward, or no ground truth
        return {}
    result = group.results_G[index]
    return {"score": result.score, "status": result.status.value, "error": result.error}


def _as_record(prompt: SampleInput, index: int) -> PromptRecord:
    if isinstance(prompt, PromptRecord):
        return prompt
    if isinstance(prompt, dict) and "prompt" in prompt:
        return PromptRecord.model_validate({"id": f"sample-{index}", **prompt})
    return PromptRecord(prompt=prompt, id=f"sample-{index}")
