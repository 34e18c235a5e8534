"""What the SFT small-step API returns and metrics.jsonl holds: pydantic reports an agent can read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

IDS_SHOWN = 20  # ids listed per count in a DataReport


class DataReport(BaseModel):
    """What tokenizing the examples did: how many were cut at ``max_length`` or left out (never silently)."""

    source: str
    num_examples: int
    num_train: int
    num_validation: int
    max_length: int
    longest_tokens: int
    mean_tokens: float
    truncated: int  # examples longer than max_length: cut at the end, still trained on
    truncated_ids: list[str]  # the first IDS_SHOWN of them
    untrainable: int  # examples with no response token left within max_length: left out
    untrainable_ids: list[str]

    def summary(self) -> str:
        """One line: sizes, and the cut and left-out counts when there are any."""
        text = (
            f"{self.num_examples} examples ({self.num_train} train, {self.num_validation} validation), "
            f"{self.mean_tokens:.0f} tokens on average, longest {self.longest_tokens}"
        )
        if self.truncated:
            text += f"; {self.truncated} longer than max_length {self.max_length} were cut at the end ({_ids(self.truncated_ids, self.truncated)})"
        if self.untrainable:
            text += f"; {self.untrainable} kept no response token within max_length and were left out ({_ids(self.untrainable_ids, self.untrainable)})"
        return text


class SFTStepReport(BaseModel):
    """One SFT step (a batch: ``forward_backward`` with ``cross_entropy``, then ``optim_step``); a line of metrics.jsonl."""

    kind: Literal["step"] = "step"
    step: int
    epoch: int
    learning_rate: float
    train_loss: float  # mean loss per response token of the batch, before the update
    num_examples: int
    num_tokens: int  # response tokens trained on
    step_seconds: float
    checkpoint: str | None = None  # the state path saved after this step, if one was


class SFTEvalReport(BaseModel):
    """One evaluation; a line of metrics.jsonl with ``kind = "eval"``."""

    kind: Literal["eval"] = "eval"
    step: int  # steps done when it was measured
    epoch: float  # epochs done
    train_loss: float | None  # mean training loss per token since the previous evaluation
    val_loss: float | None  # None without a validation set
    learning_rate: float | None  # the last step's
    best_step: int | None
    best_val_loss: float | None
    best_checkpoint: str | None  # None while the best is the model before training (step 0)
    overfitting: bool  # the overfitting signature holds at this evaluation
    eval_seconds: float


class OverfitReport(BaseModel):
    """The overfitting signature: validation loss rose at ``patience`` evaluations in a row while training loss fell."""

    detected_at_step: int
    patience: int
    steps: list[int]
    val_losses: list[float]
    train_losses: list[float | None]
    best_step: int
    best_val_loss: float
    best_checkpoint: str | None
    stopped: bool

    def message(self) -> str:
        best = self.best_checkpoint or "none saved (the best is the model before training)"
        return (
            f"overfitting: validation loss rose at {self.patience} evaluations in a row "
            f"({' -> '.join(f'{v:.4f}' for v in self.val_losses)} at steps {', '.join(map(str, self.steps))}) "
            f"while training loss fell; {'training stopped; ' if self.stopped else ''}"
            f"best validation loss {self.best_val_loss:.4f} at step {self.best_step}, checkpoint {best}"
        )


class SFTTrainReport(BaseModel):
    """What one ``train_sft_step`` call did."""

    steps: list[SFTStepReport]
    evaluations: list[SFTEvalReport]
    next_step: int
    epochs_done: float
    log_dir: str
    last_checkpoint: str | None
    best_step: int | None
    best_val_loss: float | None
    best_checkpoint: str | None
    overfitting: OverfitReport | None  # the first time the signature appeared in this run
    stopped_early: bool
    data: DataReport


def _ids(ids: list[str], count: int) -> str:
    return ", ".join(ids) + (f" and {count - len(ids)} more" if count > len(ids) else "")
