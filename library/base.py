"""What every library reward is: a frozen pydantic model of its parameters that is called like a function.

A reward instance is built once (validating its parameters, importing heavy
libraries such as math-verify in ``_prepare``) and then called many times as
``reward(completion, ground_truth) -> float``. It is a class instance rather
than a closure so that it pickles: it can be shipped with
``Grader.from_function`` and handed to trainers that pickle reward functions
(TRL's async GRPO worker). Derived state (compiled patterns, schema validators)
is not pickled; ``_prepare`` rebuilds it after unpickling, so the import cost is
paid where the reward is loaded (the sandbox's zygote), never per call.
"""

from __future__ import annotations

import decimal
import math
from typing import Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict


class Example(NamedTuple):
    """A completion, its ground truth and the score the reward gives it (with the class's ``example_params``)."""

    completion: str
    ground_truth: Any  # what the reward takes: a string, a number, a list of accepted answers, a JSON value
    expected: float


class GoldUnparseable(ValueError):
    """The ground truth of an item is not in the form the reward needs (a math expression, a letter, JSON tests...).

    Raised during a call, so the item's result has status ``exception`` with this
    message instead of a silent 0.0 (or, worse, silent credit).
    """


class Reward(BaseModel):
    """A library reward: ``reward(completion, ground_truth) -> float`` in ``score_range``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    RANGE: ClassVar[tuple[float, float]] = (0.0, 1.0)
    examples: ClassVar[tuple[Example, ...]] = ()
    example_params: ClassVar[dict[str, Any]] = {}

    def __call__(self, completion: str, ground_truth: Any) -> float:
        raise NotImplementedError

    @property
    def score_range(self) -> tuple[float, float] | None:
        """The lowest and highest score this reward can return (None when unknown)."""
        return self.RANGE

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._prepare()  # after every validator (pydantic runs model_post_init before the "after" ones)

    def _prepare(self) -> None:
        """Import heavy libraries and build derived state; runs after construction and after unpickling."""

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["__dict__"] = {key: value for key, value in state["__dict__"].items() if not key.startswith("_")}
        state["__pydantic_private__"] = None
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._prepare()

    def warm_up(self) -> None:
        """Call the reward on its own examples (results discarded) to fill the caches of the libraries it uses.

        ``build`` does this in the sandbox's zygote, before calls are forked, so that
        no call pays math-verify's first-call cost.
        """
        for example in self.examples:
            try:
                self(example.completion, example.ground_truth)
            except Exception:  # noqa: BLE001 - examples of other parameters may not apply; nothing is scored here
                pass


def gold_text(ground_truth: object, reward: str, *, _forms: str = "a string or a number") -> str:
    """A ground truth as the text a reward compares with: a string as it is, a number as its plain decimal text.

    Anything else (no ground truth, a bool, a dict, a list) raises ``GoldUnparseable``
    naming the forms ``reward`` takes.
    """
    if type(ground_truth) is str:
        return ground_truth
    if isinstance(ground_truth, (int, float)) and not isinstance(ground_truth, bool):
        return number_text(ground_truth)
    forms = _forms
    if ground_truth is None:
        raise GoldUnparseable(f"{reward}: the row has no ground truth; this reward compares with one ({forms})")
    raise GoldUnparseable(f"{reward}: a ground truth of type {type(ground_truth).__name__} is not one it takes ({forms}): {str(ground_truth)[:200]!r}")


def gold_texts(ground_truth: object, reward: str) -> list[str]:
    """``gold_text`` for a reward that also takes a list of accepted answers (any one matches): always a list."""
    forms = "a string, a number or a non-empty list of them (the accepted answers)"
    if isinstance(ground_truth, (list, tuple)) and ground_truth:
        return [gold_text(value, reward, _forms=forms) for value in ground_truth]
    return [gold_text(ground_truth, reward, _forms=forms)]


def number_text(value: int | float) -> str:
    """``42`` -> ``"42"``, ``0.5`` -> ``"0.5"``, ``1e-07`` -> ``"0.0000001"``, ``2.0`` -> ``"2"``: how an answer is written."""
    if isinstance(value, int):
        return str(int(value))
    if not math.isfinite(value):
        raise GoldUnparseable(f"the ground truth {value!r} is not a finite number")
    text = format(decimal.Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def require(module: str, extra: str) -> None:
    """Import ``module`` now (so it is loaded once, where the reward is built), or say which extra installs it."""
    import importlib

    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.split(".")[0]:
            raise
        raise ModuleNotFoundError(f"this reward needs {module}: pip install 'rewardbox[{extra}]'", name=exc.name) from None
