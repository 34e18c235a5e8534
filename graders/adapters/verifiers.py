"""A ``verifiers`` rubric reward function backed by the sandbox.

verifiers' ``Rubric`` inspects a reward function's signature, passes the
rollout's ``prompt, completion, answer, state, task, info, parser`` (all of them
when it takes ``**kwargs``) and awaits the result when it is awaitable
(verifiers/rubrics/rubric.py, ``_call_individual_reward_func``)::

    rubric = vf.Rubric(funcs=[VerifiersReward("my_reward.py")], weights=[1.0])
"""

from __future__ import annotations

from .base import SandboxedReward, completion_text

_FIELDS = ("prompt", "task", "info")  # the rollout's JSON values a reward may name


class VerifiersReward(SandboxedReward):
    """``async (completion, answer, **kwargs) -> float``: the last assistant message graded against ``answer``.

    The reward runs in the sandbox with a hard timeout, so a hang or a crash costs
    one call (scored ``failure_score``), not the rollout worker. ``answer`` is the
    ground truth as it is; a reward naming ``prompt``, ``task`` or ``info`` gets
    them (``state`` and ``parser`` are live objects and stay outside).
    """

    async def __call__(self, completion: object, answer: object, **kwargs: object) -> float:
        row = {name: kwargs[name] for name in _FIELDS if name in kwargs}
        row.update(completion=completion_text(completion), ground_truth=answer)
        return (await self.agrade_row(row)).score
