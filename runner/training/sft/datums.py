"""The numbers of SFT, as pure functions: a weighted token sequence into a ``Datum``, and mean loss per token.

As in tinker-cookbook's ``datum_from_model_input_weights``: the renderer gives every token of
the conversation and a weight (0 on the prompt, 1 on the response); the sequence is cut to
``max_length`` tokens, then position i predicts token i+1, so ``model_input`` is the tokens
without the last, ``target_tokens`` the tokens without the first, ``weights`` likewise
shifted. ``cross_entropy`` on Tinker is ``-sum(logprobs * weights)``, a sum over tokens.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
from tinker import types


class SupervisedDatum(NamedTuple):
    """A datum (None when nothing is left to learn), whether it was cut, and its token counts before and after."""

    datum: types.Datum | None
    truncated: bool
    num_tokens: int  # the whole example, before cutting
    trained_tokens: int  # targets with weight > 0 after cutting


def supervised_datum(tokens: Sequence[int], weights: Sequence[float], max_length: int) -> SupervisedDatum:
    """A ``cross_entropy`` datum from a rendered example's tokens and per-token weights, cut to ``max_length`` tokens.

    >>> made = supervised_datum([5, 6, 7, 8], [0, 0, 1, 1], max_length=3)
    >>> made.datum.model_input.to_ints(), made.datum.loss_fn_inputs["weights"].tolist(), made.truncated
    ([5, 6], [0.0, 1.0], True)
    """
    if len(tokens) != len(weights):
        raise ValueError(f"{len(tokens)} tokens but {len(weights)} weights")
    kept_tokens, kept_weights = list(tokens[:max_length]), [float(w) for w in weights[:max_length]]
    targets, target_weights = kept_tokens[1:], kept_weights[1:]
    trained = sum(1 for weight in target_weights if weight > 0)
    if not trained:
        return SupervisedDatum(None, len(tokens) > max_length, len(tokens), 0)
    datum = types.Datum(
        model_input=types.ModelInput.from_ints(kept_tokens[:-1]),
        loss_fn_inputs={
            "target_tokens": np.asarray(targets, dtype=np.int64),
            "weights": np.asarray(target_weights, dtype=np.float32),
        },
    )
    return SupervisedDatum(datum, len(tokens) > max_length, len(tokens), trained)


def weighted_loss(logprobs_D: Sequence[np.ndarray], weights_D: Sequence[np.ndarray]) -> tuple[float, float]:
    """``(-sum(logprobs * weights), sum(weights))`` over datums: the summed loss and the tokens it covers."""
    loss = -sum(float(np.dot(np.asarray(lp, dtype=np.float64), np.asarray(w, dtype=np.float64))) for lp, w in zip(logprobs_D, weights_D))
    return loss, float(sum(np.asarray(w, dtype=np.float64).sum() for w in weights_D))


def mean_loss(logprobs_D: Sequence[np.ndarray], weights_D: Sequence[np.ndarray]) -> float:
    """Mean negative log-likelihood per weighted token (cookbook's ``compute_mean_nll``).

    >>> mean_loss([np.array([-1.0, -3.0])], [np.array([0.0, 1.0])])
    3.0
    """
    loss, tokens = weighted_loss(logprobs_D, weights_D)
    if tokens <= 0:
        raise ValueError("no weighted tokens: nothing to average over")
    return loss / tokens
