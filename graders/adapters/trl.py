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

from ..runtime.frames import Status
from ..runtime.results import GradeResult
from .base import RewardSpec, SandboxedReward, completion_text

Completion = str | Sequence[Mapping[str, object]]
_NOT_COLUMNS = ("trainer_state", "log_extra", "log_metric", "completion_ids", "environments")  # what TRL adds to the columns


class TRLReward(SandboxedReward):
    """``(prompts, completions, **columns) -> list[float | None]`` for ``GRPOTrainer(reward_funcs=[...])``.

    Each completion is graded as a row: the ground truth is the dataset column
    ``ground_truth_column``, passed as it is (a dict, a number, a list, a string;
    ``None`` means the reward takes no ground truth), and a reward that names other
    columns (or takes ``**kwargs``) gets them, with ``prompt``. Conversational
    completions are graded on the last assistant message. A failed call
    (exception, timeout, crash, invalid return) scores ``failure_score``, or ``None``
    with ``failed_as_none=True``, which TRL leaves out of that sample's sum. When
    TRL passes ``log_metric``, the share of each status is logged as
    ``rewardbox/<name>/<status>``; a batch that failed entirely is also a warning in
    the log, and ``stop_after_failed_batches`` of them in a row stop training with
    ``RewardFailing``.
    """

    def __init__(
        self,
        reward: RewardSpec,
        *,
        ground_truth_column: str | None = "ground_truth",
        failed_as_none: bool = False,
        name: str | None = None,
        params: dict | None = None,
        **grader_options: object,
    ) -> None:
        self.ground_truth_column = ground_truth_column
        self.failed_as_none = failed_as_none
        super().__init__(reward, name=name, params=params, **grader_options)

    def __call__(self, prompts: list, completions: list[Completion], **kwargs: object) -> list[float | None]:
        return self._scores(self.grade_rows(self._rows(prompts, completions, kwargs)), kwargs)

    def _rows(self, prompts: list, completions: list[Completion], kwargs: Mapping[str, object]) -> list[dict]:
        columns = {key: value for key, value in kwargs.items() if key not in _NOT_COLUMNS}
        binding = self.grader().binding
        if self.ground_truth_column is not None and self.ground_truth_column not in columns and binding.ground_truth != "none":
            raise ValueError(
                f"{self.__name__}: the dataset has no column {self.ground_truth_column!r} with the ground truths "
                f"(columns passed by TRL: {sorted(columns)}); set ground_truth_column= (None for a reward without one)"
            )
        missing = [name for name in binding.required if name not in columns and name != "prompt"]
        if missing:
            raise ValueError(f"{self.__name__}: {binding.signature} needs the dataset column(s) {missing}; TRL passed {sorted(columns)}")
        truths = columns.pop(self.ground_truth_column, None) if self.ground_truth_column is not None else None
        rows = []
        for i, completion in enumerate(completions):
            row = {name: values[i] for name, values in columns.items() if isinstance(values, (list, tuple)) and len(values) == len(completions)}
            row["prompt"] = prompts[i] if prompts is not None and i < len(prompts) else None
            row["completion"] = completion_text(completion)
            if truths is not None:
                row["ground_truth"] = truths[i]
            rows.append(row)
        return rows

    def _scores(self, results: list[GradeResult], kwargs: Mapping[str, object]) -> list[float | None]:
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and results:
            counts = collections.Counter(result.status.value for result in results)
            for status, count in counts.items():
                log_metric(f"rewardbox/{self.__name__}/{status}", count / len(results))
        return [None if result.status is Status.abstained or (self.failed_as_none and not result.ok) else result.score for result in results]


class AsyncTRLReward(TRLReward):
    """``TRLReward`` with an ``async __call__``: TRL gathers it with the other async rewards."""

    async def __call__(self, prompts: list, completions: list[Completion], **kwargs: object) -> list[float | None]:
        rows = self._rows(prompts, completions, kwargs)
        return self._scores(await self.agrade_rows(rows), kwargs)
