"""The SFT loop, and the small-step API around it: ``train_sft_step``, ``sample``, ``save``, ``load``.

Opening a run renders every example once (prompt tokens weight 0, response tokens weight 1),
cuts those longer than ``max_length`` and counts them, and holds ``validation_split`` of the
examples out. One step (``SFTTrainer._step``) then reads top to bottom:

1. the step's learning rate: linear (or cosine) decay to 0 over the horizon when one is known
   up front (``scheduler_total_steps``, or the run's epochs when ``rewardbox train`` runs them),
   constant otherwise; warmup only during the first call of a fresh run;
2. the next batch of the epoch's seeded shuffle of the training examples;
3. ``forward_backward(loss_fn="cross_entropy")`` and ``optim_step`` submitted together;
4. the batch's mean loss per response token, the metrics line, a checkpoint at its interval.

At each epoch's end (and every ``eval_interval`` steps) the validation loss is measured with
``forward`` (no gradient), the best evaluation is checkpointed, the overfitting signature
(``monitor.overfitting``) is checked, and a few validation prompts are sampled as spot checks.
"""

from __future__ import annotations

import math
import time
from typing import Callable, NamedTuple, Sequence

import numpy as np
from tinker import types

from ..grpo.backends import Backend, open_backend
from ..grpo.data import PromptRecord, epoch_order, split_holdout
from ..grpo.errors import ConfigError, DataError
from ..grpo.reports import CheckpointReport
from ..grpo.schedule import learning_rate
from ..grpo.waiting import RESUME_HINT
from ..grpo.session import ADAM, TrainingSession, run_directory
from .config import SFTConfig
from .data import Example, read_examples
from .datums import mean_loss, supervised_datum, weighted_loss
from .monitor import EvalPoint, best_point, eval_interval, evaluation_due, overfitting
from .reports import IDS_SHOWN, DataReport, OverfitReport, SFTEvalReport, SFTStepReport, SFTTrainReport

OnReport = Callable[[SFTStepReport | SFTEvalReport], None]


class SFTTrainer(TrainingSession):
    """An SFT run: a backend, examples rendered into weighted datums, a validation split and a run directory.

    >>> with open_sft_trainer(load_config("examples/sft_toy/config.toml"), log_dir="runs/sft") as trainer:  # doctest: +SKIP
    ...     trainer.train_sft_step(num_epochs=1).evaluations[-1].val_loss
    """

    config: SFTConfig

    def __init__(
        self,
        config: SFTConfig,
        backend: Backend,
        *,
        log_dir: str,
        resume: bool = False,
        examples: Sequence[Example] | None = None,
        heartbeat_seconds: float = 1.0,
        resume_hint: str = RESUME_HINT,
    ) -> None:
        self._given_examples = examples
        super().__init__(config, backend, log_dir=log_dir, resume=resume, heartbeat_seconds=heartbeat_seconds, resume_hint=resume_hint)

    # ---- opening ----------------------------------------------------------------------

    def _open_data(self) -> None:
        config = self.config
        examples = list(self._given_examples or read_examples(config.data, columns=config.columns, split=config.split))
        held = split_holdout([example.id for example in examples], config.validation_split, config.seed, at_least_one=True)
        self.validation = [example for example in examples if example.id in held]
        self.train_examples = [example for example in examples if example.id not in held]
        self.evals: list[EvalPoint] = []
        self.overfit: OverfitReport | None = None
        self.best_checkpoint: str | None = None
        self._since_eval = (0.0, 0.0)  # training loss summed since the last evaluation, and its tokens
        self._last_lr: float | None = None
        self.steps_per_epoch = 0  # known once the examples are rendered

    def _prompts(self) -> list:
        return [example.prompt for example in [*self.train_examples, *self.validation]]

    def _renderer_made(self) -> None:
        if not callable(getattr(self.renderer, "build_supervised_example", None)):
            raise ConfigError(
                f"renderer = {self.config.renderer!r} has no build_supervised_example(messages), which SFT needs "
                "(tinker-cookbook's renderers, rewardbox's and 'plain' have it)"
            )

    def _opened(self) -> None:
        self.train_datums, train_seen = self._render(self.train_examples)
        self.validation_datums, validation_seen = self._render(self.validation)
        if not self.train_datums:
            raise DataError(f"{self.config.data}: no training example keeps a response token within max_length {self.config.max_length}")
        self.steps_per_epoch = math.ceil(len(self.train_datums) / self.config.batch_size)
        self.eval_interval = eval_interval(self.config.eval_interval, self.steps_per_epoch)
        self.data_report = _data_report(self.config, train_seen, validation_seen)
        logger = self.log.logger
        logger.info("data: %s; %d steps an epoch", self.data_report.summary(), self.steps_per_epoch)
        if self.data_report.truncated or self.data_report.untrainable:
            logger.warning("data: %s", self.data_report.model_dump_json())
        if not self.validation_datums:
            logger.warning("no validation examples (validation_split = %g): no validation loss, no overfitting check", self.config.validation_split)

    def _render(self, examples: Sequence[Example]) -> tuple[list[types.Datum], list[Rendered]]:
        """Datums of the examples that keep a response token, and per example: its length, whether it was cut or left out."""
        kept, seen = [], []
        for example in examples:
            model_input, weights = self.renderer.build_supervised_example(example.messages())  # type: ignore[attr-defined]
            made = supervised_datum(model_input.to_ints(), np.asarray(weights, dtype=np.float64).tolist(), self.config.max_length)
            if made.datum is not None:
                kept.append(made.datum)
            seen.append(Rendered(example.id, made.num_tokens, made.truncated, made.datum is None))
        return kept, seen

    def _restore_loop_state(self, checkpoint: CheckpointReport) -> None:
        """Evaluations up to the checkpoint come back from metrics.jsonl, so the best and the overfitting check continue."""
        lines = [line for line in self.log.read_metrics() if line.get("kind") == "eval" and line["step"] <= checkpoint.step]
        self.evals = [
            EvalPoint(step=line["step"], train_loss=line["train_loss"], val_loss=line["val_loss"])
            for line in lines
            if line["val_loss"] is not None
        ]
        self.best_checkpoint = lines[-1]["best_checkpoint"] if lines else None

    def _default_sample_records(self) -> list[PromptRecord]:
        source = self.validation or self.train_examples
        return [example.as_prompt() for example in source[: max(1, self.config.spot_checks)]]

    def _progress_details(self) -> list[str]:
        if not self.steps_per_epoch:
            return ["rendering the examples"]
        epoch, batch = divmod(self.step, self.steps_per_epoch)
        return [f"epoch {epoch} batch {batch}/{self.steps_per_epoch}", f"examples trained {self.prompts_consumed}"]

    # ---- the small-step API -----------------------------------------------------

    def train_sft_step(
        self,
        num_epochs: int = 1,
        *,
        num_steps: int | None = None,
        planned_steps: int | None = None,
        on_report: OnReport | None = None,
    ) -> SFTTrainReport:
        """Train until ``num_epochs`` more epochs end (or for exactly ``num_steps`` steps); evaluate and save on the way.

        ``planned_steps`` is the run's whole horizon when the caller knows it up front
        (``rewardbox train`` does): the learning rate then decays over it. Without it (and
        without ``scheduler_total_steps``) the rate is constant, so many small calls train
        alike. ``on_report`` sees each step and evaluation report as it is logged.
        """
        if num_epochs < 1 or (num_steps is not None and num_steps < 1):
            raise ValueError(f"num_epochs={num_epochs}, num_steps={num_steps}: expected at least 1")
        target = self.step + num_steps if num_steps is not None else (self.step // self.steps_per_epoch + num_epochs) * self.steps_per_epoch
        return self._logged(lambda: self._train(target, planned_steps, on_report or (lambda report: None)))

    # ---- the loop ---------------------------------------------------------------------

    def _train(self, target: int, planned_steps: int | None, on_report: OnReport) -> SFTTrainReport:
        steps: list[SFTStepReport] = []
        evaluations: list[SFTEvalReport] = []
        stopped = False
        try:
            if self.step == 0 and not self.evals and self.validation_datums:
                evaluations.append(self._evaluate())  # the starting point every later loss is compared with
                on_report(evaluations[-1])
            while self.step < target:
                steps.append(self._step(planned_steps))
                on_report(steps[-1])
                if evaluation_due(self.step, self.steps_per_epoch, self.eval_interval):
                    evaluations.append(self._evaluate())
                    on_report(evaluations[-1])
                    if evaluations[-1].overfitting and self.config.stop_on_overfit:
                        stopped = True
                        break
        finally:
            self.warm_up = False  # warmup belongs to the first call of a fresh run only
        self.progress.phase = "idle"
        if stopped and self.overfit is not None:
            self.overfit = self.overfit.model_copy(update={"stopped": True})
            self.log.logger.warning("stopped at step %d: %s", self.step, self.overfit.message())
        best = best_point(self.evals)
        return SFTTrainReport(
            steps=steps,
            evaluations=evaluations,
            next_step=self.step,
            epochs_done=self.step / self.steps_per_epoch,
            log_dir=self.log.log_dir,
            last_checkpoint=self.last_checkpoint,
            best_step=None if best is None else best.step,
            best_val_loss=None if best is None else best.val_loss,
            best_checkpoint=self.best_checkpoint,
            overfitting=self.overfit,
            stopped_early=stopped,
            data=self.data_report,
        )

    def _step(self, planned_steps: int | None) -> SFTStepReport:
        config, step = self.config, self.step
        self.step_started = started = time.monotonic()
        horizon = config.scheduler_total_steps or planned_steps
        lr = learning_rate(
            step,
            base=config.learning_rate,
            schedule=config.lr_schedule if horizon else "constant",
            total_steps=horizon,
            warmup_steps=config.warmup_steps,
            warm_up=self.warm_up,
        )
        epoch, index = divmod(step, self.steps_per_epoch)
        order = epoch_order(config.seed, epoch, len(self.train_datums))
        batch_D = [self.train_datums[i] for i in order[index * config.batch_size : (index + 1) * config.batch_size]]

        self.progress.phase = "training"
        forward_backward = self.waiter.submit("forward_backward", self.training_client.forward_backward, batch_D, loss_fn="cross_entropy")
        optim_step = self.waiter.submit("optim_step", self.training_client.optim_step, types.AdamParams(learning_rate=lr, **ADAM))
        output = self.waiter.result(forward_backward, "forward_backward")
        self.waiter.result(optim_step, "optim_step")
        loss, tokens = weighted_loss(
            [out["logprobs"].to_numpy() for out in output.loss_fn_outputs], [datum.loss_fn_inputs["weights"].to_numpy() for datum in batch_D]
        )
        self._since_eval = (self._since_eval[0] + loss, self._since_eval[1] + tokens)
        self._last_lr = lr
        self.step, self.prompts_consumed = step + 1, self.prompts_consumed + len(batch_D)

        report = SFTStepReport(
            step=step, epoch=epoch, learning_rate=lr, train_loss=loss / tokens, num_examples=len(batch_D),
            num_tokens=int(tokens), step_seconds=0.0,
        )  # fmt: skip
        if config.save_interval and self.step % config.save_interval == 0:
            report = report.model_copy(update={"checkpoint": self._save(f"step-{self.step:06d}", config.checkpoint_ttl).state_path})
        report = report.model_copy(update={"step_seconds": time.monotonic() - started})
        self.log.log_metrics(report)
        self.log.logger.info(step_line(report))
        self.step_started = None
        return report

    def _evaluate(self) -> SFTEvalReport:
        config, started = self.config, time.monotonic()
        self.progress.phase = "evaluating"
        loss, tokens = self._since_eval
        train_loss = loss / tokens if tokens else None
        self._since_eval = (0.0, 0.0)
        val_loss, signature = None, False
        if self.validation_datums:
            output = self.waiter.request(
                "forward (validation loss)", self.training_client.forward, self.validation_datums, loss_fn="cross_entropy"
            )
            val_loss = mean_loss(
                [out["logprobs"].to_numpy() for out in output.loss_fn_outputs],
                [datum.loss_fn_inputs["weights"].to_numpy() for datum in self.validation_datums],
            )
            point = EvalPoint(step=self.step, train_loss=train_loss, val_loss=val_loss)
            self.evals.append(point)
            if best_point(self.evals) is point:
                self.best_checkpoint = self._save(f"best-{self.step:06d}").state_path if self.step and config.save_best else None
            signature = overfitting(self.evals, config.overfit_patience)
            if signature and self.overfit is None:
                self.overfit = self._overfit_report()
                self.log.logger.warning("step %d: %s", self.step, self.overfit.message())
        if config.spot_checks and self.validation:
            records = [example.as_prompt() for example in self.validation[: config.spot_checks]]
            self.log.log_samples(f"step {self.step} spot check", self._sample(records, 1, phase="eval"))
        best = best_point(self.evals)
        report = SFTEvalReport(
            step=self.step,
            epoch=self.step / self.steps_per_epoch,
            train_loss=train_loss,
            val_loss=val_loss,
            learning_rate=self._last_lr,
            best_step=None if best is None else best.step,
            best_val_loss=None if best is None else best.val_loss,
            best_checkpoint=self.best_checkpoint,
            overfitting=signature,
            eval_seconds=time.monotonic() - started,
        )
        self.log.log_metrics(report)
        self.log.logger.info(eval_line(report))
        return report

    def _overfit_report(self) -> OverfitReport:
        window = self.evals[-(self.config.overfit_patience + 1) :]
        best = best_point(self.evals)
        assert best is not None  # the window is not empty
        return OverfitReport(
            detected_at_step=self.step,
            patience=self.config.overfit_patience,
            steps=[point.step for point in window],
            val_losses=[point.val_loss for point in window],
            train_losses=[point.train_loss for point in window],
            best_step=best.step,
            best_val_loss=best.val_loss,
            best_checkpoint=self.best_checkpoint,
            stopped=False,
        )


def step_line(report: SFTStepReport) -> str:
    """One line per step, for training_debug.log."""
    return (
        f"step {report.step}  epoch {report.epoch}  train_loss {report.train_loss:.4f}  lr {report.learning_rate:.3g}  "
        f"examples {report.num_examples}  tokens {report.num_tokens}  {report.step_seconds:.2f} s"
    )


def eval_line(report: SFTEvalReport) -> str:
    """One line per evaluation, for the terminal and training_debug.log."""
    parts = [f"eval at step {report.step}  epoch {report.epoch:.2f}"]
    parts.append("train_loss -" if report.train_loss is None else f"train_loss {report.train_loss:.4f}")
    parts.append("val_loss -" if report.val_loss is None else f"val_loss {report.val_loss:.4f}")
    if report.best_step is not None:
        parts.append(f"best {report.best_val_loss:.4f} at step {report.best_step}")
    if report.overfitting:
        parts.append("OVERFITTING")
    return "  ".join(parts)


class Rendered(NamedTuple):
    """What rendering did to one example: its length in tokens, whether it was cut, whether it was left out."""

    id: str
    num_tokens: int
    truncated: bool
    left_out: bool


def _data_report(config: SFTConfig, train: list[Rendered], validation: list[Rendered]) -> DataReport:
    seen = [*train, *validation]
    truncated = [item.id for item in seen if item.truncated]
    untrainable = [item.id for item in seen if item.left_out]
    lengths = [item.num_tokens for item in seen]
    return DataReport(
        source=config.data,
        num_examples=len(seen),
        num_train=sum(not item.left_out for item in train),
        num_validation=sum(not item.left_out for item in validation),
        max_length=config.max_length,
        longest_tokens=max(lengths, default=0),
        mean_tokens=float(np.mean(lengths)) if lengths else 0.0,
        truncated=len(truncated),
        truncated_ids=truncated[:IDS_SHOWN],
        untrainable=len(untrainable),
        untrainable_ids=untrainable[:IDS_SHOWN],
    )


def open_sft_trainer(
    config: SFTConfig, *, backend: str | None = None, log_dir: str | None = None, resume: bool = False, **options: object
) -> SFTTrainer:
    """An ``SFTTrainer`` on the named backend (default: the config's), writing to ``log_dir`` (default: the config's)."""
    log_dir = run_directory(config, log_dir)
    examples = read_examples(config.data, columns=config.columns, split=config.split)
    chosen = open_backend(backend or config.backend, config, examples, log_dir)
    return SFTTrainer(config, chosen, log_dir=log_dir, resume=resume, examples=examples, **options)  # closes the backend if it fails
