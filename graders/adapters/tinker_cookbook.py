"""Scoring a tinker-cookbook ``Env.step`` with a sandboxed reward.

tinker-cookbook's single-turn environments parse the sampled tokens with the
renderer, score the text and return a ``StepResult(reward, episode_done,
next_observation, next_stop_condition, metrics, logs)``
(tinker_cookbook/rl/problem_env.py, ``ProblemEnv.step``). In an ``Env``::

    async def step(self, action):
        return await self.reward.step_result(self.renderer, action, self.answer)
"""

from __future__ import annotations

from .base import SandboxedReward


class TinkerCookbookReward(SandboxedReward):
    """A sandboxed reward for tinker-cookbook environments: ``score`` for text, ``step_result`` for an action."""

    async def score(self, response: str, ground_truth: object, **fields: object) -> tuple[float, dict[str, float]]:
        """The reward of ``response`` and metrics for the training log (``rewardbox_ok`` and the reward's components).

        ``ground_truth`` is any JSON value; ``fields`` reach a reward that names them."""
        result = await self.agrade_row({**fields, "completion": response, "ground_truth": ground_truth})
        return result.score, {"rewardbox_ok": float(result.ok), **result.components}

    async def step_result(self, renderer: object, action: list[int], ground_truth: object, **fields: object) -> object:
        """Parse ``action`` with ``renderer``, score its text and end the episode with a ``StepResult``.

        ``truncated`` is 1.0 in the metrics when the response did not end cleanly
        (no stop sequence), so the hygiene of truncation shows in the run's logs.
        """
        import tinker
        from tinker_cookbook import renderers
        from tinker_cookbook.rl.types import StepResult

        message, termination = renderer.parse_response(action)
        clean = termination if isinstance(termination, bool) else termination.is_clean
        reward, metrics = await self.score(renderers.get_text_content(message), ground_truth, **fields)
        return StepResult(
            reward=reward,
            episode_done=True,
            next_observation=tinker.ModelInput.empty(),
            next_stop_condition=renderer.get_stop_sequences(),
            metrics={**metrics, "truncated": float(not clean)},
        )
