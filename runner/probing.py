"""Probing a reward with completions derived from each ground truth: can it tell a right answer from a wrong one?

Shared by ``rewardbox preflight`` and ``rewardbox advise``: ``probe_results`` grades
``probes.probe_completions`` of each ground truth in the sandbox, ``probe_summary``
(pure) turns the results into the figures both commands judge by.
"""

from __future__ import annotations

from typing import Any, Sequence

from pydantic import BaseModel, Field
from rich.console import Console

from rewardbox.graders import Grader, GradeResult
from rewardbox.graders.checks.report import Row, Truth, answer_text, as_row, kind_of
from rewardbox.graders.checks.probes import probe_completions

from .progress import progress_bar


class ProbeSummary(BaseModel):
    """How the reward scored completions derived from each probed ground truth."""

    prompts: int
    signal_fraction: float  # prompts where the best right answer scores above every wrong, cut-off, unrelated and empty one
    gold_max_fraction: float  # prompts where the answer scores the maximum in at least one common format
    wrong_min_fraction: float  # prompts where every wrong, unrelated and empty completion scores the minimum
    status_counts: dict[str, int]
    no_signal_examples: list[str] = Field(default_factory=list)  # ground truths without signal (a few)
    skipped: int = 0  # ground truths left out: neither text nor a number, so no answer to write (dicts, lists, null)
    skipped_kinds: list[str] = Field(default_factory=list)  # what they were: "dict", "list", "bool", "null"


def probeable(truths: Sequence[Truth]) -> tuple[list[Truth], list[Truth]]:
    """``truths`` split into those the probes can write an answer for (text, numbers) and the rest."""
    kept = [truth for truth in truths if answer_text(truth) is not None]
    return kept, [truth for truth in truths if answer_text(truth) is None]


def as_truth(value: Any) -> Truth:
    """A row (a mapping: its ``ground_truth`` and other fields) or a bare ground truth value, as the probes take it."""
    if isinstance(value, Row) or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return Row.of(value.get("ground_truth"), {k: v for k, v in value.items() if k not in ("ground_truth", "completion")})
    return Row.of(value)



def probe_rows(truths: Sequence[Truth]) -> tuple[list[dict[str, list[str]]], list]:
    """Each ground truth's probe completions by kind, and all of them as the rows a ``Grader`` takes, in order."""
    probes = [probe_completions(answer_text(truth)) for truth in truths]
    rows = [as_row((completion, truth)) for truth, kinds in zip(truths, probes) for completions in kinds.values() for completion in completions]
    return probes, rows


def probe_results(grader: Grader, truths: Sequence[Truth], console: Console | None = None) -> list[dict[str, list[GradeResult]]]:
    """Each ground truth's probe completions graded, by probe kind (what ``probe_summary`` reads); a bar on a terminal.

    ``truths`` are strings or ``Row``s whose ``answer_text`` is not None (``probeable``); a
    number ground truth is probed with its text and reaches the reward as the number."""
    probes, items = probe_rows(truths)
    results: list[GradeResult] = [None] * len(items)  # type: ignore[list-item]  # every index is filled below
    with progress_bar(console or Console(stderr=True, quiet=True), len(items), "probing") as advance:
        for index, result in grader.iter_results(items):
            results[index] = result
            advance()
    ordered = iter(results)
    return [{kind: [next(ordered) for _ in completions] for kind, completions in kinds.items()} for kinds in probes]


def probe_summary(
    ground_truths: Sequence[Truth],
    results: Sequence[dict[str, list[GradeResult]]],
    score_range: tuple[float, float],
    skipped: Sequence[Truth] = (),
) -> ProbeSummary:
    """Figures over probed prompts: ``results[i][kind]`` are the results of the ``kind`` probes of ``ground_truths[i]``;
    ``skipped`` are the ground truths the probes could not write an answer for."""
    low, high = score_range
    signal, gold_max, wrong_min, status_counts, no_signal = 0, 0, 0, {}, []
    for ground_truth, results_K in zip(ground_truths, results):
        right = [result.score for result in results_K["correct_formats"]]
        wrong = [result.score for kind, group in results_K.items() if kind != "correct_formats" for result in group]
        unambiguous_wrong = [result.score for kind in ("wrong", "unrelated", "empty") for result in results_K.get(kind, [])]
        for group in results_K.values():
            for result in group:
                status_counts[result.status.value] = status_counts.get(result.status.value, 0) + 1
        if right and max(right) > max(wrong, default=low):
            signal += 1
        elif len(no_signal) < 5:
            no_signal.append(str(ground_truth))
        gold_max += bool(right) and max(right) >= high
        wrong_min += all(score <= low for score in unambiguous_wrong)
    count = max(len(ground_truths), 1)
    return ProbeSummary(
        prompts=len(ground_truths),
        signal_fraction=signal / count,
        gold_max_fraction=gold_max / count,
        wrong_min_fraction=wrong_min / count,
        status_counts=status_counts,
        no_signal_examples=no_signal,
        skipped=len(skipped),
        skipped_kinds=sorted({kind_of(truth) for truth in skipped}),
    )
