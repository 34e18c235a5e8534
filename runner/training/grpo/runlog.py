"""The run directory: every file a run writes, flushed as it goes, and the progress heartbeat.

::

    metrics.jsonl          GRPO: one StepReport per step; SFT: one line per step and per evaluation
    samples.jsonl          GRPO: every group (prompt, completions, scores...): `rewardbox report` reads it
    sampling_debug.log     prompts and completions (SFT: spot checks), readable
    reward_debug.log       GRPO: one line per completion: score, status, error
    training_debug.log     what the run did and why it stopped
    grading_function.py    the exact reward source the run graded with
    checkpoints.jsonl      one CheckpointReport per saved state
    renderer.json          the renderer (which, from where, why), its stop sequences and one prompt as sent
    progress.txt           rewritten every heartbeat while the run is open

Files are opened for appending and each record is flushed when written, so a run that
stops (an error, Ctrl-C) keeps everything it logged.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
import time
from typing import IO, Callable, Sequence

from pydantic import BaseModel

from rewardbox.graders import RewardSource

from .errors import ConfigError, TrainError
from .groups import SampledGroup
from .reports import CheckpointReport, SampleReport, StepReport

LOG_FILES = ("metrics.jsonl", "samples.jsonl", "sampling_debug.log", "reward_debug.log", "checkpoints.jsonl")  # GRPO's


class RunLog:
    """Writes a run directory; a directory that already holds a run is only reopened with ``resume``."""

    def __init__(self, log_dir: str, *, resume: bool, files: Sequence[str] = LOG_FILES, resume_hint: str = "pass --resume") -> None:
        self.log_dir = os.path.abspath(log_dir)
        if not resume and any(_has_lines(os.path.join(self.log_dir, name)) for name in ("metrics.jsonl", "checkpoints.jsonl")):
            raise TrainError(f"{self.log_dir} already holds a run (metrics.jsonl); {resume_hint} to continue it, or choose another run directory")
        os.makedirs(self.log_dir, exist_ok=True)
        self._files: dict[str, IO[str]] = {name: open(self.path(name), "a", encoding="utf-8") for name in files}
        self.logger = logging.getLogger(f"rewardbox.train.{self.log_dir}")
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self._handler = logging.FileHandler(self.path("training_debug.log"), encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(self._handler)
        self._wandb = None

    def path(self, name: str) -> str:
        return os.path.join(self.log_dir, name)

    def start_wandb(self, project: str, config: dict) -> None:
        """Log metrics to W&B too (``WANDB_MODE=offline`` keeps them on disk)."""
        try:
            import wandb
        except ImportError:
            raise ConfigError("wandb_project is set but wandb is not installed: pip install 'rewardbox[wandb]'") from None
        self._wandb = wandb.init(project=project, dir=self.log_dir, name=os.path.basename(self.log_dir), config=config)

    def write_grading_function(self, source: RewardSource) -> None:
        """Keep the exact reward code: the file's or string's source, or how to rebuild a module or library reward."""
        if source.kind == "file":
            with open(source.target, encoding="utf-8") as stream:
                text = stream.read()
        elif source.kind == "code":
            text = source.target
        else:
            text = (
                f"# rewardbox graded this run with {source.describe()}\n# params: {json.dumps(source.params, sort_keys=True)}\n"
            )
            if source.kind == "library":
                text += f"from rewardbox.library import build\n\ncompute_reward = build({source.target!r}, {source.params!r})\n"
        with open(self.path("grading_function.py"), "w", encoding="utf-8") as out:
            out.write(text)

    def write_json(self, name: str, record: dict) -> None:
        """Write one JSON file of the run directory whole (a resumed run rewrites it)."""
        with open(self.path(name), "w", encoding="utf-8") as out:
            json.dump(record, out, indent=2, ensure_ascii=False, default=str)
            out.write("\n")

    def log_step(self, report: StepReport, groups_P: Sequence[SampledGroup]) -> None:
        """The step's metrics line, its groups, readable samples and per-completion grades."""
        for index, group in enumerate(groups_P):
            self._write("samples.jsonl", json.dumps(group.sample_line(report.step), ensure_ascii=False))
            self._write("sampling_debug.log", _readable_group(report.step, index, group))
            self._write("reward_debug.log", _reward_lines(report.step, index, group))
        self.log_metrics(report)

    def log_metrics(self, report: BaseModel) -> None:
        """One line of metrics.jsonl (and W&B): a report with a ``step``."""
        self._write("metrics.jsonl", report.model_dump_json())
        if self._wandb is not None:
            numbers = {
                key: value
                for key, value in report.model_dump().items()
                if isinstance(value, (int, float)) and not isinstance(value, bool)
            }
            self._wandb.log(numbers, step=report.step)  # type: ignore[attr-defined]

    def log_checkpoint(self, checkpoint: CheckpointReport) -> None:
        self._write("checkpoints.jsonl", checkpoint.model_dump_json())
        self.logger.info("saved checkpoint %s at step %d: %s", checkpoint.name, checkpoint.step, checkpoint.state_path)

    def log_samples(self, label: str, report: SampleReport) -> None:
        """Spot-check completions, readable, in sampling_debug.log."""
        lines = [f"== {label}"]
        for prompt in report.prompts:
            lines.append(f"  prompt: {prompt.prompt!r}" + (f" reference: {prompt.reference!r}" if prompt.reference is not None else ""))
            lines += [f"    ({completion.stop_reason}) {completion.text!r}" for completion in prompt.completions]
        self._write("sampling_debug.log", "\n".join(lines))

    def read_metrics(self) -> list[dict]:
        """Every line metrics.jsonl holds so far."""
        with open(self.path("metrics.jsonl"), encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]

    def checkpoints(self) -> list[CheckpointReport]:
        """Every checkpoint this run directory has recorded, oldest first."""
        with open(self.path("checkpoints.jsonl"), encoding="utf-8") as stream:
            return [CheckpointReport.model_validate_json(line) for line in stream if line.strip()]

    def close(self) -> None:
        """Close every file (also when W&B fails to finish: its error comes after the files are safe)."""
        for stream in self._files.values():
            stream.close()
        self.logger.removeHandler(self._handler)
        self._handler.close()
        if self._wandb is not None:
            run, self._wandb = self._wandb, None
            run.finish()

    def _write(self, name: str, text: str) -> None:
        stream = self._files[name]
        stream.write(text + "\n")
        stream.flush()


class Heartbeat:
    """Rewrites ``progress.txt`` from ``describe()`` every ``interval`` seconds, on its own thread."""

    def __init__(self, path: str, describe: Callable[[], str], interval: float) -> None:
        self.path, self.describe, self.interval = path, describe, interval
        self._stop = threading.Event()
        self._writing = threading.Lock()
        self.beat()  # the file exists as soon as the run is open, not a thread switch later
        self._thread = threading.Thread(target=self._run, name="rewardbox-heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> None:
        """Rewrite the file now (atomically: readers never see half a file)."""
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        try:
            text = self.describe()
        except Exception as exc:  # noqa: BLE001 - the heartbeat must keep beating
            text = f"progress unavailable: {exc!r}"
        with self._writing, open(self.path + ".tmp", "w", encoding="utf-8") as out:
            out.write(f"{text}\nupdated {stamp} (every {self.interval:g} s)\n")
            out.close()
            os.replace(self.path + ".tmp", self.path)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.beat()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.beat()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))


def _has_lines(path: str) -> bool:
    """Whether ``path`` holds a record: a run that stopped before its first step or checkpoint holds nothing to protect."""
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def _readable_group(step: int, index: int, group: SampledGroup) -> str:
    record = group.record
    lines = [f"== step {step} group {index} ({record.id}) prompt: {record.prompt!r} ground_truth: {record.ground_truth!r}"]
    for number, (text, reason, result) in enumerate(zip(group.completions_G, group.stop_reasons_G, group.results_G)):
        lines.append(f"  [{number}] ({reason}, score {result.score:g}) {text!r}")
    return "\n".join(lines)


def _reward_lines(step: int, index: int, group: SampledGroup) -> str:
    return "\n".join(
        f"step={step} group={index} id={group.record.id} sample={number} score={result.score:g} "
        f"status={result.status.value} ms={result.duration_ms:.1f} error={json.dumps(result.error)}"
        for number, result in enumerate(group.results_G)
    )
