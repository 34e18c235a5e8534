"""Sampling a step's groups and grading them in the sandbox as each group arrives.

::

    sample(prompt 0) ... sample(prompt P-1)        all submitted first
          │ as each response arrives (bounded wait)
          ▼
    decode ──▶ grader.grade_batch(group) on a thread ──▶ the sandbox's workers
          (grading of early groups overlaps sampling of late ones)
          ▼
    wait for every group's grades (bounded wait) ──▶ SampledGroup per prompt, in prompt order
"""

from __future__ import annotations

import functools
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

from tinker import types

from rewardbox.graders import Grader, GradeResult

from .data import PromptRecord
from .errors import BackendError
from .groups import SampledGroup
from .protocols import Renderer, SamplingClient
from .tokenizer import as_messages, message_text
from .waiting import Waiter


@dataclass
class RolloutProgress:
    """Counts the heartbeat reads while a step samples and grades (written from several threads)."""

    phase: str = "idle"
    groups_total: int = 0
    groups_sampled: int = 0
    completions_total: int = 0
    graded_by_group: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def completions_graded(self) -> int:
        return sum(self.graded_by_group.values())

    def record_graded(self, group: int, done: int, _total: int | None) -> None:
        self.graded_by_group[group] = done

    def start(self, phase: str, groups: int, completions: int) -> None:
        with self.lock:
            self.phase, self.groups_total, self.groups_sampled = phase, groups, 0
            self.completions_total, self.graded_by_group = completions, {}


@dataclass(frozen=True)
class Rollout:
    """A step's groups in prompt order, and when sampling and grading finished."""

    groups_P: list[SampledGroup]
    sampling_seconds: float
    grading_tail_seconds: float


def sample_and_grade(
    sampler: SamplingClient,
    grader: Grader | None,
    renderer: Renderer,
    records_P: Sequence[PromptRecord],
    *,
    num_samples: int,
    params_P: Sequence[types.SamplingParams],
    waiter: Waiter,
    progress: RolloutProgress,
    overlap: bool = True,
) -> Rollout:
    """Sample ``num_samples`` completions per prompt and grade them; grading starts per group as it arrives unless ``overlap`` is off.

    Without a ``grader``, or for a prompt without a ground truth when the reward needs one, nothing is graded (an empty
    result list). Each completion is graded as its record's row (``PromptRecord.row``).
    """
    started = time.monotonic()
    progress.start("sampling", len(records_P), len(records_P) * num_samples)
    prompts_P = [renderer.build_generation_prompt(as_messages(record.prompt)) for record in records_P]
    futures_P = [
        sampler.sample(prompt=prompt, num_samples=num_samples, sampling_params=params)
        for prompt, params in zip(prompts_P, params_P)
    ]
    responses_P: dict[int, types.SampleResponse] = {}
    completions_P: dict[int, list[str]] = {}
    grading_P: dict[int, Future[list[GradeResult]]] = {}
    with ThreadPoolExecutor(max(1, len(records_P)), thread_name_prefix="rewardbox-grading") as pool:

        def grade(index: int) -> None:
            record = records_P[index]
            if grader is None or (record.ground_truth is None and grader.binding.needs_ground_truth):
                grading_P[index] = pool.submit(list)
                return
            items = [record.row(completion) for completion in completions_P[index]]
            grading_P[index] = pool.submit(grader.grade_batch, items, functools.partial(progress.record_graded, index))

        pending = [future.future() for future in futures_P]
        try:
            for index in waiter.as_completed(pending, lambda p: f"sampling request for prompt {p} ({records_P[p].id})"):
                responses_P[index] = waiter.result(futures_P[index], f"sampling request for prompt {index} ({records_P[index].id})")
                completions_P[index] = [_content(renderer, sequence.tokens) for sequence in responses_P[index].sequences]
                progress.groups_sampled += 1
                if overlap:
                    grade(index)
        except BaseException:
            for future in pending:  # a step that stops abandons its other requests: the service is told (tinker cancels samples)
                future.cancel()
            raise
        sampled = time.monotonic()
        progress.phase = "grading"
        if not overlap:
            for index in range(len(records_P)):
                grade(index)
        results_P = [
            waiter.result(grading_P[index], f"grading the completions of prompt {index} ({records_P[index].id})")
            for index in range(len(records_P))
        ]
    groups_P = [
        _group(record, prompt, responses_P[index], completions_P[index], results_P[index])
        for index, (record, prompt) in enumerate(zip(records_P, prompts_P))
    ]
    return Rollout(groups_P, sampled - started, time.monotonic() - sampled)


def _group(
    record: PromptRecord,
    prompt: types.ModelInput,
    response: types.SampleResponse,
    completions_G: list[str],
    results_G: list[GradeResult],
) -> SampledGroup:
    sequences = response.sequences
    if any(
        sequence.logprobs is None or len(sequence.logprobs) != len(sequence.tokens) or not sequence.tokens
        for sequence in sequences
    ):
        raise BackendError(
            f"the sampler returned a sequence without tokens or without a logprob per token for prompt {record.id}"
        )
    return SampledGroup(
        record=record,
        prompt_tokens=prompt.to_ints(),
        tokens_G=[list(sequence.tokens) for sequence in sequences],
        logprobs_G=[list(sequence.logprobs) for sequence in sequences],
        completions_G=completions_G,
        stop_reasons_G=[sequence.stop_reason for sequence in sequences],
        results_G=results_G,
    )


def _content(renderer: Renderer, tokens: list[int]) -> str:
    message, _ = renderer.parse_response(list(tokens))
    return message_text(message)
