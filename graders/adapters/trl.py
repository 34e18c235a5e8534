"""TRL ``GRPOTrainer`` reward functions backed by the sandbox.

TRL calls a custom reward as ``f(prompts=..., completions=..., completion_ids=..., **reward_kwargs)``,
where ``reward_kwargs`` holds every other dataset column as a list plus
``trainer_state``, ``log_extra`` and ``log_metric`` (trl/trainer/grpo_trainer.py,
``_calculate_rewards``), names it by ``__name__`` and awaits it when its
``__call__`` is a coroutine function (trl/trainer/utils.py, ``is_async_callable``).

>>> reward = TRLReward("examples/gsm8k/reward.py")       # doctest: +SKIP
>>> trainer = GRPOTrainer(model=..., reward_funcs=[reward], train_dataset=dataset)  # doctest: +SKIP
"""

from __future__ import annotations

import collections
from typing import Mapping, Sequence

from ..results import GradeResult
from .base import RewardSpec, SandboxedReward, completion_text

Completion = str | Sequence[Mapping[str, object]]


class TRLReward(SandboxedReward):
    """``(prompts, completions, **columns) -> list[float | None]`` for ``GRPOTrainer(reward_funcs=[...])``.

    The ground truth comes from the dataset column ``ground_truth_column``.
    Conversational completions are graded on the last assistant message. A failed
    call (exception, timeout, crash, invalid return) scores ``failure_score``, or
    ``None`` with ``failed_as_none=True``, which TRL leaves out of that sample's sum.
    When TRL passes ``log_metric``, the share of failed calls and each status are
    logged as ``rewardkit/<name>/<status>``.
    """

    def __init__(
        self,
        reward: RewardSpec,
        *,
        ground_truth_column: str = "ground_truth",
        failed_as_none: bool = False,
        name: str | None = None,
        params: dict | None = None,
        **grader_options: object,
    ) -> None:
        self.ground_truth_column = ground_truth_column
        self.failed_as_none = failed_as_none
        super().__init__(reward, name=name, params=params, **grader_options)

    def __call__(self, prompts: list, completions: list[Completion], **kwargs: object) -> list[float | None]:
        texts, truths = self._inputs(completions, kwargs)
        return self._scores(self.grade_pairs(texts, truths), kwargs)

    def _inputs(self, completions: list[Completion], kwargs: Mapping[str, object]) -> tuple[list[str], list]:
        truths = kwargs.get(self.ground_truth_column)
        if truths is None:
            columns = sorted(key for key in kwargs if key not in ("trainer_state", "log_extra", "log_metric", "completion_ids", "environments"))
            raise ValueError(
                f"{self.__name__}: the dataset has no column {self.ground_truth_column!r} with the ground truths "
                f"(columns passed by TRL: {columns}); set ground_truth_column="
            )
        return [completion_text(c) for c in completions], list(truths)

    def _scores(self, results: list[GradeResult], kwargs: Mapping[str, object]) -> list[float | None]:
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and results:
            counts = collections.Counter(result.status.value for result in results)
            for status, count in counts.items():
                log_metric(f"rewardkit/{self.__name__}/{status}", count / len(results))
        return [None if (self.failed_as_none and not result.ok) else result.score for result in results]


class AsyncTRLReward(TRLReward):
    """``TRLReward`` with an ``async __call__``: TRL gathers it with the other async rewards."""

    async def __call__(self, prompts: list, completions: list[Completion], **kwargs: object) -> list[float | None]:
        texts, truths = self._inputs(completions, kwargs)
        return self._scores(await self.agrade_pairs(texts, truths), kwargs)
