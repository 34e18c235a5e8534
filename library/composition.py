"""``compose``: several rewards as one, with weights, gates and formulas, every sub-score kept."""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable, ClassVar

from pydantic import Field, field_validator, model_validator

from .base import Example, Reward
from .formula import FUNCTIONS, bounds, evaluate, names, parse_formula

RewardFunction = Callable[[str, str], float]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
_NAME = re.compile(r"^[A-Za-z_]\w{0,63}$")
_MAX_PARTS = 32  # the number of components one call can record


class compose(Reward):
    """Combine named rewards into one score; each sub-score is recorded as a component of the result.

    How the sub-scores become one score:

    * ``formula``: an expression over the names with ``+ - * /``, ``min``, ``max``,
      ``abs`` and numbers, like OpenAI's multi grader (``"0.9 * correct + 0.1 * min(format, style)"``);
    * else ``weights``: the weighted sum over the rewards named in ``weights``
      (the others are only recorded, as metrics);
    * else the plain sum of every reward that is not a gate.

    ``gate`` names rewards that must score at least ``gate_threshold`` for the
    item to be scored at all; otherwise the score is ``gate_failed_score``. A
    format check should gate correctness, not be added to it: an added format
    term pays for well-formatted wrong answers, which GRPO's group normalization
    turns into a real incentive. ``gate_failed_score`` must not be above the
    lowest score the combination can give (failing the gate must never pay
    better than passing it), and this is checked when the bounds are known.

    Every sub-reward is called on every item, and its score recorded with
    ``record_components`` under its name (``GradeResult.components``), for the
    hygiene report. A compose cannot contain another compose (as with OpenAI's
    multi grader: write one formula instead).

    Parameters:
        rewards: name -> reward. From JSON (``library:compose``) a reward is a
            library name (``"math"``) or ``{"reward": "math", "params": {...}}``;
            from Python, any reward callable (library rewards or your own).
        formula: the combining expression.
        weights: name -> weight, for a weighted sum.
        gate: names of gating rewards.
        gate_threshold: the score a gate must reach (default 1.0).
        gate_failed_score: the score when a gate fails (default 0.0).

    Range: computed from the parts' ranges and the formula (None when a part's
    range is unknown or the formula divides by something that can be zero).

    >>> from rewardbox.library import math_answer, think_format
    >>> reward = compose(rewards={"format": think_format(), "correct": math_answer()}, gate=["format"])
    >>> reward("<think>6 * 7</think><answer>42</answer>", "42"), reward("The answer is 42", "42")
    (1.0, 0.0)
    >>> reward.parts("The answer is 42", "42")
    {'format': 0.0, 'correct': 1.0}
    """

    rewards: dict[str, RewardFunction] = Field(min_length=1)
    formula: str | None = None
    weights: dict[str, FiniteFloat] | None = None
    gate: tuple[str, ...] = ()
    gate_threshold: FiniteFloat = 1.0
    gate_failed_score: FiniteFloat = 0.0

    examples: ClassVar[tuple[Example, ...]] = (
        Example("<think>48 - 9 = 39</think>\n<answer>39</answer>", "39", 1.0),
        Example("<think>48 - 9 = 38</think>\n<answer>38</answer>", "39", 0.0),
        Example("48 - 9 = 39, so the answer is 39.", "39", 0.0),
        Example("<think>48 - 9 = 39</think>\n<answer></answer>", "39", 0.0),
        Example("", "39", 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {"rewards": {"format": "format", "correct": "math"}, "gate": ["format"]}

    @field_validator("rewards", mode="before")
    @classmethod
    def _build_specs(cls, rewards: Any) -> Any:
        """JSON specs (``"math"`` or ``{"reward": "math", "params": {...}}``) become reward instances."""
        from . import LibraryError, build

        if not isinstance(rewards, dict):
            return rewards
        built = {}
        for name, spec in rewards.items():
            if isinstance(spec, str):
                spec = {"reward": spec}
            if isinstance(spec, dict):
                if set(spec) - {"reward", "params"} or not isinstance(spec.get("reward"), str):
                    raise ValueError(f"{name!r}: expected a library name or {{'reward': NAME, 'params': {{...}}}}, got {spec!r}")
                if spec["reward"] == "compose":
                    raise ValueError(f"{name!r}: a compose cannot contain another compose; write one formula instead")
                try:
                    spec = build(spec["reward"], spec.get("params") or {})
                except LibraryError as exc:
                    raise ValueError(f"{name!r}: library:{spec['reward']}: {exc}") from None
            built[name] = spec
        return built

    @field_validator("rewards")
    @classmethod
    def _valid_names(cls, rewards: dict[str, RewardFunction]) -> dict[str, RewardFunction]:
        if len(rewards) > _MAX_PARTS:
            raise ValueError(f"at most {_MAX_PARTS} rewards (one component each)")
        for name, reward in rewards.items():
            if not _NAME.match(name) or name in FUNCTIONS:
                raise ValueError(f"{name!r} is not usable as a name: use a Python identifier of at most 64 characters, not min/max/abs")
            if isinstance(reward, compose):
                raise ValueError(f"{name!r}: a compose cannot contain another compose; write one formula instead")
        return rewards

    @field_validator("formula")
    @classmethod
    def _parses(cls, formula: str | None) -> str | None:
        if formula is not None:
            parse_formula(formula)
        return formula

    @model_validator(mode="after")
    def _consistent(self) -> compose:
        if self.formula is not None and self.weights is not None:
            raise ValueError("give formula or weights, not both")
        used = set(self.gate) | set(self.weights or {}) | (names(parse_formula(self.formula)) if self.formula else set())
        unknown = sorted(used - set(self.rewards))
        if unknown:
            raise ValueError(f"unknown reward name(s) {', '.join(unknown)}; the rewards are {', '.join(self.rewards)}")
        if self.gate and self.formula is None and self.weights is None and set(self.gate) == set(self.rewards):
            raise ValueError("every reward is a gate: add the reward the gates guard, or give a formula")
        low = self._combined_bounds()
        if self.gate and low is not None and self.gate_failed_score > low[0]:
            raise ValueError(
                f"gate_failed_score={self.gate_failed_score} is above the lowest score the combination can give ({low[0]}): "
                f"failing the gate would pay better than passing it; set gate_failed_score to {low[0]} or lower"
            )
        return self

    def _prepare(self) -> None:
        self._tree = parse_formula(self._combination())

    def _combination(self) -> str:
        """The formula, or the one ``weights`` (or the plain sum) stands for."""
        if self.formula is not None:
            return self.formula
        if self.weights is not None:
            return " + ".join(f"({weight!r}) * {name}" for name, weight in self.weights.items()) or "0"
        return " + ".join(name for name in self.rewards if name not in self.gate)

    def _combined_bounds(self) -> tuple[float, float] | None:
        ranges = {name: getattr(reward, "score_range", None) for name, reward in self.rewards.items()}
        return bounds(parse_formula(self._combination()), ranges)

    @property
    def score_range(self) -> tuple[float, float] | None:
        combined = self._combined_bounds()
        if combined is None or not self.gate:
            return combined
        return min(combined[0], self.gate_failed_score), max(combined[1], self.gate_failed_score)

    def parts(self, completion: str, ground_truth: object = None) -> dict[str, float]:
        """Every sub-reward's score, by name (what ``__call__`` records as components)."""
        return {name: float(reward(completion, ground_truth)) for name, reward in self.rewards.items()}

    def __call__(self, completion: str, ground_truth: object = None) -> float:
        from rewardbox.graders.runtime.frames import record_components

        scores = self.parts(completion, ground_truth)
        record_components(scores)
        if any(scores[name] < self.gate_threshold for name in self.gate):
            return self.gate_failed_score
        return evaluate(self._tree, scores)

    def warm_up(self) -> None:
        for reward in self.rewards.values():
            if isinstance(reward, Reward):
                reward.warm_up()
