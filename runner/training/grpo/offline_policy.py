"""The offline backend's model: a small log-linear language model in numpy, its losses and AdamW.

The logits for the token after position ``i`` are a sum of weight rows, one per feature of
the context up to ``i``:

- a bias row;
- for each distance ``d < window``, the row of (``d``, the token at ``i - d``);
- the row of the bigram (token at ``i - 1``, token at ``i``).

That is enough to learn copying, fixed formats and stop tokens from a reward, and small
enough that one step costs milliseconds. Row 0 is padding for features a short context
lacks; it is never trained. All functions here are pure apart from the in-place
``accumulate_gradient`` and ``adamw_step``, which update the arrays they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
from tinker import types

PAD_ROW, BIAS_ROW = 0, 1
PPO_CLIP = {"clip_low_threshold": 0.8, "clip_high_threshold": 1.2}  # tinker's defaults


@dataclass(frozen=True)
class PolicyShape:
    """The vocabulary size and how many previous tokens the features see."""

    vocab_size: int
    window: int = 4

    @property
    def num_rows(self) -> int:
        return 2 + self.window * self.vocab_size + self.vocab_size**2

    @property
    def features_per_position(self) -> int:
        return 2 + self.window


@dataclass
class OptimizerState:
    """AdamW's first and second moments and its step count."""

    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    step: int = 0

    @classmethod
    def zeros(cls, shape: tuple[int, ...]) -> OptimizerState:
        return cls(np.zeros(shape), np.zeros(shape), 0)


@dataclass(frozen=True)
class Sample:
    """One sampled continuation: its tokens, their logprobs, and whether a stop condition ended it."""

    tokens: list[int]
    logprobs: list[float]
    stopped: bool


def initial_weights(shape: PolicyShape) -> np.ndarray:
    """All-zero weights: the uniform distribution over the vocabulary."""
    return np.zeros((shape.num_rows, shape.vocab_size))


def feature_rows(tokens_S_L: np.ndarray, positions: np.ndarray, shape: PolicyShape) -> np.ndarray:
    """Feature rows ``(S, len(positions), features)`` for the token after each position of each sequence."""
    size, window = shape.vocab_size, shape.window
    rows = np.full((tokens_S_L.shape[0], len(positions), shape.features_per_position), PAD_ROW, dtype=np.int64)
    rows[:, :, 0] = BIAS_ROW
    for distance in range(window):
        source = positions - distance
        present = source >= 0
        rows[:, present, 1 + distance] = 2 + distance * size + tokens_S_L[:, source[present]]
    present = positions >= 1
    previous, current = tokens_S_L[:, positions[present] - 1], tokens_S_L[:, positions[present]]
    rows[:, present, 1 + window] = 2 + window * size + previous * size + current
    return rows


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def sample(
    weights: np.ndarray,
    shape: PolicyShape,
    prompt: list[int],
    num_samples: int,
    max_tokens: int,
    temperature: float,
    is_stop: Callable[[list[int]], bool],
    rng: np.random.Generator,
) -> list[Sample]:
    """Sample ``num_samples`` continuations of ``prompt`` with the logprob of each token drawn.

    A logprob is taken under the distribution the token was drawn from (logits divided by
    ``temperature``); at temperature 0 the argmax is taken and its logprob is 0.
    """
    sequences = np.tile(np.asarray(prompt, dtype=np.int64), (num_samples, 1))
    tokens: list[list[int]] = [[] for _ in range(num_samples)]
    logprobs: list[list[float]] = [[] for _ in range(num_samples)]
    stopped = [False] * num_samples
    alive = list(range(num_samples))
    for _ in range(max_tokens):
        last = np.array([sequences.shape[1] - 1])
        logits = weights[feature_rows(sequences, last, shape)[:, 0]].sum(axis=1)
        uniform = rng.random(num_samples)
        if temperature == 0:
            drawn = logits.argmax(axis=1)
            drawn_logprobs = np.zeros(num_samples)
        else:
            distribution = log_softmax(logits / temperature)
            cumulative = np.cumsum(np.exp(distribution), axis=1)
            drawn = np.minimum((cumulative < uniform[:, None] * cumulative[:, -1:]).sum(axis=1), shape.vocab_size - 1)
            drawn_logprobs = distribution[np.arange(num_samples), drawn]
        sequences = np.concatenate([sequences, drawn[:, None]], axis=1)
        for index in list(alive):
            tokens[index].append(int(drawn[index]))
            logprobs[index].append(float(drawn_logprobs[index]))
            if is_stop(tokens[index]):
                stopped[index] = True
                alive.remove(index)
        if not alive:
            break
    return [Sample(tokens[i], logprobs[i], stopped[i]) for i in range(num_samples)]


def target_logprobs(
    weights: np.ndarray, shape: PolicyShape, input_tokens: np.ndarray, target_tokens: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logprob of each target token given the inputs up to its position; also the feature rows and probabilities."""
    rows = feature_rows(input_tokens[None, :], np.arange(len(input_tokens)), shape)[0]
    distribution = log_softmax(weights[rows].sum(axis=1))
    return distribution[np.arange(len(target_tokens)), target_tokens], rows, np.exp(distribution)


def loss_and_gradient(
    loss_fn: types.LossFnType, logprobs: np.ndarray, inputs: Mapping[str, np.ndarray], config: Mapping[str, float]
) -> tuple[float, np.ndarray]:
    """A token-summed loss and its derivative with respect to each target logprob, as tinker defines them.

    - ``cross_entropy``: ``-sum(logprobs * weights)``;
    - ``importance_sampling``: ``-sum(exp(logprobs - sampler_logprobs) * advantages)``;
    - ``ppo``: ``-sum(min(ratio * A, clip(ratio, low, high) * A))`` (tinker's defaults 0.8 and 1.2).
    """
    if loss_fn == "cross_entropy":
        weights = inputs["weights"]
        return float(-(logprobs * weights).sum()), -weights
    advantages = inputs["advantages"]
    ratio = np.exp(logprobs - inputs["logprobs"])
    if loss_fn == "importance_sampling":
        return float(-(ratio * advantages).sum()), -ratio * advantages
    if loss_fn == "ppo":
        low = config.get("clip_low_threshold", PPO_CLIP["clip_low_threshold"])
        high = config.get("clip_high_threshold", PPO_CLIP["clip_high_threshold"])
        unclipped, clipped = ratio * advantages, np.clip(ratio, low, high) * advantages
        return float(-np.minimum(unclipped, clipped).sum()), np.where(unclipped <= clipped, -ratio * advantages, 0.0)
    raise ValueError(f"loss_fn {loss_fn!r} is not implemented here")


def accumulate_gradient(
    gradient: np.ndarray, rows: np.ndarray, probabilities: np.ndarray, targets: np.ndarray, dloss_dlogprob: np.ndarray
) -> None:
    """Add one datum's gradient to ``gradient`` (``dlogprob/dlogits = onehot(target) - softmax``)."""
    dlogits = -probabilities * dloss_dlogprob[:, None]
    dlogits[np.arange(len(targets)), targets] += dloss_dlogprob
    np.add.at(gradient, rows, dlogits[:, None, :])
    gradient[PAD_ROW] = 0.0


def adamw_step(weights: np.ndarray, gradient: np.ndarray, state: OptimizerState, params: types.AdamParams) -> float:
    """One AdamW step as ``torch.optim.AdamW`` takes it (decoupled weight decay, global-norm clipping); returns the gradient norm."""
    norm = float(np.sqrt((gradient**2).sum()))
    if params.grad_clip_norm > 0 and norm > params.grad_clip_norm:
        gradient = gradient * (params.grad_clip_norm / norm)
    state.step += 1
    weights *= 1.0 - params.learning_rate * params.weight_decay
    state.exp_avg *= params.beta1
    state.exp_avg += (1.0 - params.beta1) * gradient
    state.exp_avg_sq *= params.beta2
    state.exp_avg_sq += (1.0 - params.beta2) * gradient**2
    corrected_avg = state.exp_avg / (1.0 - params.beta1**state.step)
    corrected_sq = state.exp_avg_sq / (1.0 - params.beta2**state.step)
    weights -= params.learning_rate * corrected_avg / (np.sqrt(corrected_sq) + params.eps)
    return norm
