"""One prompt's sampled and graded group: what a step learns from and what the run logs."""

from __future__ import annotations

from dataclasses import dataclass

from rewardbox.graders import GradeResult

from .data import PromptRecord


@dataclass(frozen=True)
class SampledGroup:
    """A prompt, its ``group_size`` completions (tokens, sampler logprobs, text, stop reason) and their grades.

    ``results_G`` is empty for a prompt without a ground truth (``Trainer.sample`` spot checks).
    """

    record: PromptRecord
    prompt_tokens: list[int]
    tokens_G: list[list[int]]
    logprobs_G: list[list[float]]
    completions_G: list[str]
    stop_reasons_G: list[str]
    results_G: list[GradeResult]

    @property
    def scores_G(self) -> list[float]:
        return [result.score for result in self.results_G]

    def sample_line(self, step: int) -> dict:
        """The group as a line of a sample-groups file (what ``rewardbox report`` reads)."""
        return {
            "step": step,
            "id": self.record.id,
            "label": self.record.id,
            "prompt": self.record.prompt,
            "ground_truth": self.record.ground_truth,
            "completions": self.completions_G,
            "stop_reasons": self.stop_reasons_G,
            "num_tokens": [len(tokens) for tokens in self.tokens_G],
            "scores": self.scores_G,
            "statuses": [result.status.value for result in self.results_G],
            "components": [result.components for result in self.results_G],
        }
