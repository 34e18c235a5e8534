"""``rewardbox train CONFIG.toml``: a GRPO or SFT run (``method`` in the config) on Tinker, or offline.

GRPO prints one summary line per step; SFT one line per evaluation (training and validation
loss), with the truncation counts of its data first. A progress bar shows the phase on a terminal.

Exit status: 0 when the run reached its last step (or SFT stopped on the overfitting signature
with ``stop_on_overfit``), 1 when a backend request, a timeout or a failing reward stopped it
(the message names the last good checkpoint), 2 for a bad config, data source, reward, tokenizer
or a base_model the service does not offer, 130 when interrupted. Every failure is one message;
closing the session is best-effort (a failure there is a warning and keeps the exit status).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable

from rich.console import Console
from rich.markup import escape

from rewardbox.graders.errors import RewardboxError

from ..datasource import add_column_options
from ..errors import UsageError
from ..training.configs import load_config
from ..training.grpo.config import DESCRIPTIONS, TrainConfig
from ..training.grpo.errors import ConfigError, DataError, TrainError
from ..training.runs import RESUME_DESC, grpo_total_steps, open_run
from ..progress import progress_bar

if TYPE_CHECKING:
    from ..training.grpo.session import TrainingSession
    from ..training.sft.config import SFTConfig

Say = Callable[[str], None]


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="run GRPO with a reward, or SFT on reference responses, on Tinker or offline for a dry run",
        description="Train with the method the config names (method = grpo or sft). GRPO: sample groups of completions, "
        "grade them in the sandbox as they arrive, centre rewards per group, drop constant groups, train. SFT: train on "
        "reference responses (prompt tokens weighted 0), measure validation loss, flag overfitting. Everything is logged "
        "to a run directory. Config keys are described in docs/training.md.",
    )
    parser.add_argument("config", metavar="CONFIG.toml", help="the training config (TOML, flat keys)")
    parser.add_argument(
        "--backend", choices=("tinker", "offline"), help=f"{DESCRIPTIONS['backend']} (default: the config's backend key)"
    )
    parser.add_argument("--steps", type=int, metavar="N", help=f"GRPO: {DESCRIPTIONS['steps']}")
    parser.add_argument("--epochs", type=int, metavar="N", help=f"SFT: {DESCRIPTIONS['num_epochs']}")
    parser.add_argument("--log-dir", metavar="DIR", help=DESCRIPTIONS["log_dir"])
    parser.add_argument("--resume", action="store_true", help=RESUME_DESC)
    add_column_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)

    def say(text: str) -> None:
        console.print(text, highlight=False, soft_wrap=True)

    try:
        config = load_config(
            args.config,
            backend=args.backend,
            steps=args.steps,
            num_epochs=args.epochs,
            log_dir=args.log_dir,
            prompt_column=args.prompt_column,
            answer_column=args.answer_column,
            response_column=args.response_column,
            split=args.split,
        )
        trainer = open_run(config, args.config, resume=args.resume)
    except (ConfigError, DataError) as exc:
        raise UsageError(str(exc)) from None
    except TrainError as exc:
        say(f"[bold red]rewardbox train: {escape(str(exc))}[/]")
        return 1
    except RewardboxError:  # a reward that cannot load, ...: cli.main says it and exits 2
        raise
    except Exception as exc:  # noqa: BLE001 - a foreign error while opening: one line, no traceback
        say(f"[bold red]rewardbox train: the run could not start: {type(exc).__name__}: {escape(str(exc))}[/]")
        return 1
    try:
        with trainer:
            if isinstance(config, TrainConfig):
                _train_grpo(trainer, config, console, say)
            else:
                _train_sft(trainer, config, console, say)
    except TrainError as exc:
        say(f"[bold red]rewardbox train: stopped at step {trainer.step}: {escape(str(exc))}[/]\nlogs in {trainer.log.log_dir}")
        return 1
    except KeyboardInterrupt:
        say(f"[yellow]interrupted at step {trainer.step}; logs in {trainer.log.log_dir}; last checkpoint {trainer.last_checkpoint or 'none'}[/]")
        return 130
    except Exception as exc:  # noqa: BLE001 - the traceback is in training_debug.log (TrainingSession.__exit__)
        say(
            f"[bold red]rewardbox train: stopped at step {trainer.step}: {type(exc).__name__}: {escape(str(exc))}[/]\n"
            f"the traceback is in {trainer.log.path('training_debug.log')}; last checkpoint {trainer.last_checkpoint or 'none'}"
        )
        return 1
    finally:
        for warning in trainer.close_warnings:
            say(f"[yellow]warning: {escape(warning)}[/]")
    return 0


def _train_grpo(trainer: TrainingSession, config: TrainConfig, console: Console, say: Say) -> None:
    from ..training.grpo.trainer import Trainer, summary_line

    assert isinstance(trainer, Trainer)
    total = grpo_total_steps(trainer)
    say(f"run directory {trainer.log.log_dir} (backend {trainer.backend.name}); steps {trainer.step} to {total - 1}")
    with progress_bar(console, total, "training", completed=trainer.step, status=lambda: _grpo_status(trainer)) as advance:
        while trainer.step < total:
            say(summary_line(trainer.train_grpo_step(num_iterations=1).steps[0]))
            advance()
    _finish(trainer, total, say)


def _train_sft(trainer: TrainingSession, config: SFTConfig, console: Console, say: Say) -> None:
    from ..training.sft.reports import SFTStepReport
    from ..training.sft.trainer import SFTTrainer, eval_line

    assert isinstance(trainer, SFTTrainer)
    per_epoch = trainer.steps_per_epoch
    total = config.num_epochs * per_epoch
    say(f"run directory {trainer.log.log_dir} (backend {trainer.backend.name}, method sft)")
    say(f"data: {trainer.data_report.summary()}")
    say(f"steps {trainer.step} to {total - 1}: {config.num_epochs} epochs of {per_epoch} steps")
    report = None
    with progress_bar(console, total, "training", completed=trainer.step, status=lambda: trainer.progress.phase) as advance:
        if trainer.step < total:

            def show(item: object) -> None:
                advance() if isinstance(item, SFTStepReport) else say(eval_line(item))  # type: ignore[arg-type]

            report = trainer.train_sft_step(
                num_epochs=config.num_epochs - trainer.step // per_epoch, planned_steps=total, on_report=show
            )
    if report is not None and report.overfitting is not None:
        say(f"[yellow]{report.overfitting.message()}[/]")
    if trainer.best_checkpoint:
        say(f"best checkpoint {trainer.best_checkpoint}")
    _finish(trainer, total, say)


def _finish(trainer: TrainingSession, total: int, say: Say) -> None:
    if trainer.checkpoint is None or trainer.checkpoint.step != trainer.step:
        trainer.save("final")
    say(f"done: step {trainer.step} of {total}; last checkpoint {trainer.last_checkpoint}; logs in {trainer.log.log_dir}")


def _grpo_status(trainer: TrainingSession) -> str:
    progress = trainer.progress
    return (
        f"{progress.phase} · groups {progress.groups_sampled}/{progress.groups_total}"
        f" · graded {progress.completions_graded}/{progress.completions_total}"
    )

