"""A ``verifiers`` rubric reward function backed by the sandbox.

verifiers' ``Rubric`` inspects a reward function's signature, passes the
rollout's ``prompt, completion, answer, state, task, info, parser`` (all of them
when it takes ``**kwargs``) and awaits the result when it is awaitable
(verifiers/rubrics/rubric.py, ``_call_individual_reward_func``)::

    rubric = vf.Rubric(funcs=[VerifiersReward("my_reward.py")], weights=[1.0])
"""

from __future__ import annotations

from .base import SandboxedReward, completion_text


class VerifiersReward(SandboxedReward):
    """``async (completion, answer, **kwargs) -> float``: the last assistant message graded against ``answer``.

    The reward runs in the sandbox with a hard timeout, so a hang or a crash costs
    one call (scored ``failure_score``), not the rollout worker.
    """

    async def __call__(self, completion: object, answer: object, **kwargs: object) -> float:
        result = (await self.agrade_pairs([completion_text(completion)], [answer]))[0]
        return result.score
