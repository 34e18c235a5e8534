"""The GRPO loop, and the small-step API around it: ``train_grpo_step``, ``sample``, ``save``, ``load``.

One step (``Trainer._step``) reads top to bottom in the order of tinker-cookbook's ``rl_loop.py``:

1. the step's learning rate (constant, or a schedule with an explicit horizon; warmup only in a fresh run);
2. a sampling client on a snapshot of the current weights;
3. the next prompts of the rotation, all sampled at once, each group graded in the sandbox as it arrives;
4. the step's reward figures; a step where the reward failed on every call stops the run;
5. rewards centred within each group, constant groups dropped (ALL-min / ALL-max counted);
6. datums with prompt positions masked, ``forward_backward`` and ``optim_step`` submitted together;
7. KL between sampler and learner logprobs (flagged when it spikes), the metrics line, eval, checkpoint.

Every wait is bounded (``waiting.Waiter``); a failure names the last good checkpoint and
leaves every line already logged in the run directory.
"""

from __future__ import annotations

import time
from typing import Sequence

from tinker import types

from rewardbox.graders import Grader
from rewardbox.graders.hygiene import SignalFigures

from .advantages import build_datum, centre_rewards, drop_constant_groups, kl_sample_train
from .backends import Backend, open_backend
from .config import TrainConfig
from .data import PromptPool, PromptRecord, read_prompts
from .errors import DataError, RewardFailing
from .figures import step_figures
from .groups import SampledGroup
from .reports import StepReport, TrainReport
from .rollouts import sample_and_grade
from .runlog import LOG_FILES
from .schedule import learning_rate
from .session import ADAM, TrainingSession, run_directory
from .waiting import RESUME_HINT


class Trainer(TrainingSession):
    """A GRPO run: a backend, a sandboxed grader, a prompt pool and a run directory.

    The trainer owns the backend: ``close()`` (also when the constructor fails) ends its session.

    >>> trainer = Trainer(config, backend, log_dir="runs/toy")      # doctest: +SKIP
    >>> trainer.train_grpo_step(num_iterations=1).steps[0].reward_mean  # doctest: +SKIP
    """

    LOG_FILES = LOG_FILES
    config: TrainConfig

    def __init__(
        self,
        config: TrainConfig,
        backend: Backend,
        *,
        log_dir: str,
        resume: bool = False,
        records: Sequence[PromptRecord] | None = None,
        overlap_grading: bool = True,
        heartbeat_seconds: float = 1.0,
        resume_hint: str = RESUME_HINT,
    ) -> None:
        self.overlap_grading = overlap_grading  # off only to measure what overlapping saves
        self._records = records
        super().__init__(config, backend, log_dir=log_dir, resume=resume, heartbeat_seconds=heartbeat_seconds, resume_hint=resume_hint)

    def _open_data(self) -> None:
        config = self.config
        records = list(self._records or read_prompts(config.prompts, columns=config.columns, split=config.split, ground_truth_required=False))
        self.grader = Grader(
            config.reward,
            params=config.reward_params,
            timeout=config.reward_timeout,
            workers=config.grader_workers,
            calls_per_process=config.reward_calls_per_process,
            mode=config.reward_mode,
            score_range=config.score_range,
            seed=config.seed,
        )
        self.log.write_grading_function(self.grader.source)
        self.failed_steps = 0  # steps in a row on which every reward call failed
        if self.grader.binding.needs_ground_truth:
            missing = next((record for record in records if record.ground_truth is None), None)
            if missing is not None:
                self.grader.close()
                raise DataError(
                    f"{config.prompts}: prompt {missing.id!r} has no ground truth ({config.columns.why('answer')}), and "
                    f"{self.grader.binding.signature} takes one; give the parameter a default if the reward needs none"
                )
        self.pool = PromptPool(records, holdout_fraction=config.holdout_fraction, seed=config.seed, curriculum=config.curriculum)

    def _default_sample_records(self) -> list[PromptRecord]:
        return self.pool.holdout

    def _prompts(self) -> list:
        return [record.prompt for record in [*self.pool.train, *self.pool.holdout]]

    def _progress_details(self) -> list[str]:
        progress = self.progress
        return [
            f"groups sampled {progress.groups_sampled}/{progress.groups_total}",
            f"completions graded {progress.completions_graded}/{progress.completions_total}",
        ]

    # ---- the small-step API -----------------------------------------------------

    def train_grpo_step(self, num_iterations: int = 1) -> TrainReport:
        """Run ``num_iterations`` GRPO steps; checkpoints and evaluations happen at their intervals."""
        reports = [self._logged(self._step) for _ in range(num_iterations)]
        return TrainReport(steps=reports, next_step=self.step, log_dir=self.log.log_dir, last_checkpoint=self.last_checkpoint)

    # ---- one step -----------------------------------------------------------------

    def _step(self) -> StepReport:
        config, step = self.config, self.step
        self.step_started = started = time.monotonic()
        lr = learning_rate(
            step,
            base=config.learning_rate,
            schedule=config.lr_schedule,
            total_steps=config.scheduler_total_steps,
            warmup_steps=config.warmup_steps,
            warm_up=self.warm_up,
        )

        self.progress.phase = "snapshot"
        sampler = self.waiter.request(
            "save_weights_and_get_sampling_client", self.training_client.save_weights_and_get_sampling_client
        )
        records_P = self.pool.batch(self.prompts_consumed, config.prompts_per_step)
        rollout = sample_and_grade(
            sampler, self.grader, self.renderer, records_P,
            num_samples=config.group_size, params_P=[self._sampling_params("train", step, p) for p in range(len(records_P))],
            waiter=self.waiter, progress=self.progress, overlap=self.overlap_grading,
        )  # fmt: skip
        groups_P = rollout.groups_P

        hygiene = step_figures(step, groups_P, config.score_range)
        reward_failing = not hygiene.status_counts.get("ok")
        keep_P = drop_constant_groups([group.scores_G for group in groups_P])

        datums_D, sampler_logprobs_D, prompt_targets_D = [], [], []
        for group, keep in zip(groups_P, keep_P):
            if not keep or reward_failing:
                continue
            for tokens, logprobs, advantage in zip(group.tokens_G, group.logprobs_G, centre_rewards(group.scores_G)):
                datums_D.append(build_datum(group.prompt_tokens, tokens, logprobs, advantage))
                sampler_logprobs_D.append(logprobs)
                prompt_targets_D.append(len(group.prompt_tokens) - 1)

        self.progress.phase = "training"
        training_started = time.monotonic()
        kl, loss = None, None
        if datums_D:
            forward_backward = self.waiter.submit(
                "forward_backward", self.training_client.forward_backward, datums_D, loss_fn=config.loss
            )
            optim_step = self.waiter.submit(
                "optim_step", self.training_client.optim_step, types.AdamParams(learning_rate=lr, **ADAM)
            )
            output = self.waiter.result(forward_backward, "forward_backward")
            self.waiter.result(optim_step, "optim_step")
            learner_logprobs_D = [
                out["logprobs"].to_numpy()[targets:] for out, targets in zip(output.loss_fn_outputs, prompt_targets_D)
            ]
            kl = kl_sample_train(sampler_logprobs_D, learner_logprobs_D)
            loss = output.metrics.get("loss:sum")
        report = StepReport(
            **{name: getattr(hygiene, name) for name in SignalFigures.model_fields},
            step=step,
            status_counts={status: count for status, count in hygiene.status_counts.items() if count},
            recommendations=[f"{r.severity} {r.code}: {r.finding}" for r in hygiene.recommendations],
            hacking_signals=hygiene.hacking.counts(),
            learning_rate=lr,
            num_datums=len(datums_D),
            groups_dropped=keep_P.count(False),
            kl_sample_train=None if kl is None else kl.kl_sample_train,
            kl_sample_train_v2=None if kl is None else kl.kl_sample_train_v2,
            entropy=None if kl is None else kl.entropy,
            kl_spike=kl is not None and abs(kl.kl_sample_train) > config.kl_spike_threshold,
            loss=loss,
            step_seconds=0.0,
            sampling_seconds=rollout.sampling_seconds,
            grading_tail_seconds=rollout.grading_tail_seconds,
            training_seconds=time.monotonic() - training_started,
        )

        self.failed_steps = self.failed_steps + 1 if reward_failing else 0
        if reward_failing:
            failing = self._reward_failing(report, groups_P)
            if config.stop_after_failed_steps and self.failed_steps >= config.stop_after_failed_steps:
                self.log.log_step(report.model_copy(update={"step_seconds": time.monotonic() - started}), groups_P)
                raise failing
            self.log.logger.warning("%s (not trained on; stop_after_failed_steps=%d)", failing, config.stop_after_failed_steps)
        self.step, self.prompts_consumed = step + 1, self.prompts_consumed + len(records_P)
        if config.eval_interval and self.step % config.eval_interval == 0:
            report = report.model_copy(update={"eval_reward_mean": self._evaluate()})
        if config.save_interval and self.step % config.save_interval == 0:
            report = report.model_copy(update={"checkpoint": self._save(f"step-{self.step:06d}", config.checkpoint_ttl).state_path})
        report = report.model_copy(update={"step_seconds": time.monotonic() - started})
        self.log.log_step(report, groups_P)
        self.log.logger.info(summary_line(report))
        if report.hacking_signals:
            self.log.logger.warning(
                "step %d: signs of reward hacking among the top-scored completions (%s): see samples.jsonl, "
                "`rewardbox report %s` and `rewardbox check --examples` for the exploit families", step,
                _counts(report.hacking_signals), self.log.path("samples.jsonl"),
            )
        if report.kl_spike:
            self.log.logger.warning(
                "step %d: kl_sample_train %.4g exceeds %g: the sampler and learner disagree",
                step,
                report.kl_sample_train,
                config.kl_spike_threshold,
            )
        self.step_started = None
        return report

    def _reward_failing(self, report: StepReport, groups_P: Sequence[SampledGroup]) -> RewardFailing:
        errors = (result.error.strip().splitlines() for group in groups_P for result in group.results_G if result.error)
        first_error = next(("\n".join(lines) for lines in errors if lines), "no error text")
        in_a_row = f" ({self.failed_steps} steps in a row)" if self.failed_steps > 1 else ""
        return RewardFailing(
            f"the reward failed on all {report.num_completions} calls of step {report.step}{in_a_row} ({_counts(report.status_counts)}), "
            f"so the run stopped instead of training on failure scores. Every call is in {self.log.path('reward_debug.log')}. "
            f"First error:\n{first_error}",
            status=next(iter(report.status_counts), "exception"),
            batches=self.failed_steps,
        )

    # ---- evaluation ----------------------------------------------------------------

    def _evaluate(self) -> float:
        """Mean reward of ``group_size`` samples on each of the first ``prompts_per_step`` held-out prompts."""
        report = self._sample(self.pool.holdout[: self.config.prompts_per_step], self.config.group_size, phase="eval")
        self.log.logger.info(
            "step %d: eval reward %.4f on %d held-out prompts", self.step - 1, report.reward_mean, len(report.prompts)
        )
        return report.reward_mean


def summary_line(report: StepReport) -> str:
    """One line per step, for the terminal and training_debug.log."""
    kl = "-" if report.kl_sample_train is None else f"{report.kl_sample_train:+.4f}" + (" SPIKE" if report.kl_spike else "")
    parts = [
        f"step {report.step}",
        f"reward {report.reward_mean:.3f}",
        f"no-signal {report.no_signal_fraction:.2f} (ALL-min {report.all_min_fraction:.2f}, ALL-max {report.all_max_fraction:.2f})",
        f"kl {kl}",
        f"lr {report.learning_rate:.3g}",
        f"datums {report.num_datums}",
        f"{report.step_seconds:.1f} s",
    ]
    if report.eval_reward_mean is not None:
        parts.append(f"eval {report.eval_reward_mean:.3f}")
    if report.truncation_fraction:
        parts.append(f"truncated {report.truncation_fraction:.2f}")
    failed = {status: count for status, count in report.status_counts.items() if status != "ok"}
    if failed:
        parts.append(f"reward errors {_counts(failed)}")
    if report.hacking_signals:
        parts.append(f"hacking? {_counts(report.hacking_signals)}")
    return "  ".join(parts)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {count}" for status, count in counts.items())


def open_trainer(
    config: TrainConfig, *, backend: str | None = None, log_dir: str | None = None, resume: bool = False, **options: object
) -> Trainer:
    """A ``Trainer`` on the named backend (default: the config's), writing to ``log_dir`` (default: the config's)."""
    log_dir = run_directory(config, log_dir)
    records = read_prompts(config.prompts, columns=config.columns, split=config.split, ground_truth_required=False)
    chosen = open_backend(backend or config.backend, config, records, log_dir)
    return Trainer(config, chosen, log_dir=log_dir, resume=resume, records=records, **options)  # closes the backend if it fails
