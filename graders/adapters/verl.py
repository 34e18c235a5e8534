"""verl custom reward functions backed by the sandbox.

verl loads ``custom_reward_function.path``/``name`` from a file and calls it as
``compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)``
(verl/workers/reward_manager/naive.py), possibly with more keywords from
``reward_kwargs``; its batch manager calls
``compute_score(data_sources=..., solution_strs=..., ground_truths=..., extra_infos=...)``
(verl/workers/reward_manager/batch.py). A float, or a dict with a ``"score"`` key
whose other keys go to ``reward_extra_info``, is returned.

The ground truth (``reward_model.ground_truth``: a string, a number or a dict)
reaches the reward as it is; a reward that takes ``data_source`` or
``extra_info`` (or ``**kwargs``) gets them too.

In the file verl loads::

    from rewardbox.graders.adapters import VerlReward
    compute_score = VerlReward("my_reward.py", timeout=5)
"""

from __future__ import annotations

from typing import Sequence

from ..runtime.results import GradeResult
from .base import RewardSpec, SandboxedReward


class _VerlOutput(SandboxedReward):
    def __init__(self, reward: RewardSpec, *, return_dict: bool = False, name: str | None = None, params: dict | None = None, **grader_options: object) -> None:
        self.return_dict = return_dict
        super().__init__(reward, name=name, params=params, **grader_options)

    def _output(self, result: GradeResult) -> float | dict[str, float]:
        """The score, or with ``return_dict`` the score, ``rewardbox_ok`` (1.0/0.0) and the reward's components."""
        if not self.return_dict:
            return result.score
        return {"score": result.score, "rewardbox_ok": float(result.ok), **result.components}


class VerlReward(_VerlOutput):
    """``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)`` for verl's per-sample managers.

    ``return_dict=True`` returns ``{"score", "rewardbox_ok", **components}`` so
    verl logs failures and sub-scores in ``reward_extra_info``. Keep the components
    the same for every sample (verl gathers each key into one column).
    """

    def __call__(self, data_source: str, solution_str: str, ground_truth: object, extra_info: dict | None = None, **kwargs: object) -> float | dict[str, float]:
        row = {**kwargs, "data_source": data_source, "extra_info": extra_info, "completion": solution_str, "ground_truth": ground_truth}
        return self._output(self.grade_row(row))


class VerlBatchReward(_VerlOutput):
    """``compute_score(data_sources, solution_strs, ground_truths, extra_infos, **kwargs)`` for verl's batch manager."""

    def __call__(
        self, data_sources: Sequence[str], solution_strs: Sequence[str], ground_truths: Sequence[object], extra_infos: Sequence[dict] | None = None, **kwargs: object
    ) -> list[float | dict[str, float]]:
        infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
        rows = [
            {"data_source": source, "extra_info": info, "completion": text, "ground_truth": truth}
            for source, text, truth, info in zip(data_sources, solution_strs, ground_truths, infos, strict=True)
        ]
        return [self._output(result) for result in self.grade_rows(rows)]
