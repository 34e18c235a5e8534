"""``rewardkit train CONFIG.toml``: a GRPO run on Tinker (or offline), a progress bar and one summary line per step.

Exit status: 0 when the run reached its last step, 1 when a backend request, a timeout or a
failing reward stopped it (the message names the last good checkpoint), 2 for a bad config,
prompts file or reward, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
from typing import TYPE_CHECKING

from rich.console import Console

from .errors import UsageError
from .grpo.config import DESCRIPTIONS, load_config
from .grpo.errors import ConfigError, DataError, TrainError
from .progress import progress_bar

if TYPE_CHECKING:
    from .grpo.trainer import Trainer

RESUME_DESC = (
    "continue the run in the run directory from its last checkpoint: its step count, prompt rotation and "
    "optimizer state come back, and warmup is not applied again"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="run GRPO with a reward on Tinker, or offline for a dry run",
        description="Train with GRPO: sample groups of completions, grade them in the sandbox as they arrive, "
        "centre rewards per group, drop constant groups, train, and log everything to a run directory. "
        "Config keys are described in the README (section 'Training').",
    )
    parser.add_argument("config", metavar="CONFIG.toml", help="the training config (TOML, flat keys)")
    parser.add_argument(
        "--backend", choices=("tinker", "offline"), help=f"{DESCRIPTIONS['backend']} (default: the config's backend key)"
    )
    parser.add_argument("--steps", type=int, metavar="N", help=DESCRIPTIONS["steps"])
    parser.add_argument("--log-dir", metavar="DIR", help=DESCRIPTIONS["log_dir"])
    parser.add_argument("--resume", action="store_true", help=RESUME_DESC)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)

    def say(text: str) -> None:
        console.print(text, highlight=False, soft_wrap=True)

    try:
        trainer = open_run(args.config, backend=args.backend, steps=args.steps, log_dir=args.log_dir, resume=args.resume)
    except (ConfigError, DataError) as exc:
        raise UsageError(str(exc)) from None
    except TrainError as exc:
        say(f"[bold red]rewardkit train: {exc}[/]")
        return 1
    from .grpo.trainer import summary_line  # importable: open_run imported the trainer

    total = total_steps(trainer)
    say(f"run directory {trainer.log.log_dir} (backend {trainer.backend.name}); steps {trainer.step} to {total - 1}")
    bar = progress_bar(console, total, "training", completed=trainer.step, status=lambda: _status(trainer))
    try:
        with trainer, bar as advance:
            while trainer.step < total:
                say(summary_line(trainer.train_grpo_step(num_iterations=1).steps[0]))
                advance()
            if trainer.checkpoint is None or trainer.checkpoint.step != trainer.step:
                trainer.save("final")
    except TrainError as exc:
        say(f"[bold red]rewardkit train: stopped at step {trainer.step}: {exc}[/]\nlogs in {trainer.log.log_dir}")
        return 1
    except KeyboardInterrupt:
        say(f"[yellow]interrupted at step {trainer.step}; logs in {trainer.log.log_dir}; last checkpoint {trainer.last_checkpoint or 'none'}[/]")
        return 130
    say(f"done: step {trainer.step} of {total}; last checkpoint {trainer.last_checkpoint}; logs in {trainer.log.log_dir}")
    return 0


def open_run(
    config_path: str,
    *,
    backend: str | None = None,
    steps: int | None = None,
    log_dir: str | None = None,
    resume: bool = False,
    runs_root: str = "runs",
) -> Trainer:
    """A trainer for the TOML config at ``config_path`` (the arguments that are not None override its keys).

    The run directory is ``log_dir``, else the config's, else ``runs_root/<config file name>``.
    Raises ``UsageError`` when training cannot be imported here, ``ConfigError``/``DataError``
    for a bad config or prompts file, ``TrainError`` when the run cannot start.
    """
    try:
        from .grpo.trainer import open_trainer  # tinker and numpy load only for training
    except ImportError as exc:
        raise UsageError(f"{exc}: training needs Python 3.11+ and the train extra: pip install 'rewardkit[train]'") from None
    config = load_config(config_path, backend=backend, steps=steps, log_dir=log_dir)
    run_dir = config.log_dir or os.path.join(runs_root, os.path.splitext(os.path.basename(config_path))[0])
    return open_trainer(config, log_dir=run_dir, resume=resume)


def total_steps(trainer: Trainer) -> int:
    """The step a run ends at: the config's ``steps``, else one pass over the training prompts."""
    return trainer.config.steps or math.ceil(len(trainer.pool.train) / trainer.config.prompts_per_step)


def _status(trainer: Trainer) -> str:
    progress = trainer.progress
    return (
        f"{progress.phase} · groups {progress.groups_sampled}/{progress.groups_total}"
        f" · graded {progress.completions_graded}/{progress.completions_total}"
    )
