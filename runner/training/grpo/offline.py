"""The offline backend: tinker's service, training and sampling clients over a numpy policy.

::

    OfflineServiceClient ── create_lora_training_client / ..._from_state_with_optimizer
            │                       (state files: STORAGE/<run>/weights/<name>.npz)
            ▼
    OfflineTrainingClient ── one worker thread: requests run in submission order; a failed
            │                 request fails alone (tinker poisons a client only after a custom loss fails)
            │ save_weights_and_get_sampling_client: a snapshot (a copy) of the weights
            ▼
    OfflineSamplingClient ── the service's sampling threads (optional latency per request)

Every method returns a ``tinker`` ``AwaitableConcurrentFuture`` of real ``tinker.types``
values. Malformed requests fail the way the service reports a failed request: the future
raises ``tinker.RequestFailedError`` with category ``user`` and a message naming the datum
and field. (What the live service says word for word was not observed from here.)
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Mapping, Sequence, TypeVar, Union

import numpy as np
import tinker
from tinker import types
from tinker.lib.public_interfaces.api_future import AwaitableConcurrentFuture
from tinker.types.optimizer import OptimParamsBase
from tinker.types.request_error_category import RequestErrorCategory

from . import offline_policy as policy
from .config import TTL_RANGE
from .offline_policy import OptimizerState, PolicyShape
from .tokenizer import CharTokenizer

T = TypeVar("T")
LOSS_INPUTS: dict[str, tuple[str, ...]] = {
    "cross_entropy": ("target_tokens", "weights"),
    "importance_sampling": ("target_tokens", "logprobs", "advantages"),
    "ppo": ("target_tokens", "logprobs", "advantages"),
}
LOSS_CONFIG_KEYS: dict[str, tuple[str, ...]] = {"ppo": tuple(policy.PPO_CLIP)}


class OfflineServiceClient:
    """Creates offline training clients; a stand-in for ``tinker.ServiceClient``.

    ``tokenizer`` fixes the vocabulary (``vocab_size``) and decodes text stop sequences.
    ``sample_latency`` seconds are spent on each sampling request before it runs, to
    imitate a remote service (benchmarks use it); ``sampling_workers`` requests run at once.
    """

    def __init__(
        self,
        tokenizer: CharTokenizer,
        *,
        storage_dir: str | os.PathLike[str],
        window: int = 4,
        sample_latency: float = 0.0,
        sampling_workers: int = 4,
    ) -> None:
        self.tokenizer = tokenizer
        self.shape = PolicyShape(vocab_size=tokenizer.vocab_size, window=window)
        self.storage_dir = os.fspath(storage_dir)
        self.sample_latency = sample_latency
        self._sampling = ThreadPoolExecutor(sampling_workers, thread_name_prefix="offline-sampler")
        self._training: list[ThreadPoolExecutor] = []
        self._sequence_ids = itertools.count()

    def create_lora_training_client(
        self, base_model: str, rank: int = 32, seed: int | None = None
    ) -> AwaitableConcurrentFuture[OfflineTrainingClient]:
        """A training client whose weights give the uniform distribution (``rank`` is recorded, not used)."""
        client = OfflineTrainingClient(
            self,
            policy.initial_weights(self.shape),
            OptimizerState.zeros((self.shape.num_rows, self.shape.vocab_size)),
            base_model=base_model,
            seed=seed,
        )
        return _done(client)

    def create_training_client_from_state_with_optimizer(self, path: str) -> AwaitableConcurrentFuture[OfflineTrainingClient]:
        """A training client with the weights and AdamW state that ``save_state`` wrote at ``path``."""
        future: Future = Future()
        try:
            with np.load(self._state_file(path)) as state:
                if tuple(state["weights"].shape) != (self.shape.num_rows, self.shape.vocab_size):
                    raise _user_error(
                        f"checkpoint {path} has weights of shape {state['weights'].shape}, this model needs "
                        f"{(self.shape.num_rows, self.shape.vocab_size)} (another vocabulary or window)"
                    )
                optimizer = OptimizerState(state["exp_avg"].copy(), state["exp_avg_sq"].copy(), int(state["step"]))
                client = OfflineTrainingClient(
                    self, state["weights"].copy(), optimizer, base_model=str(state["base_model"]), seed=None
                )
            future.set_result(client)
        except FileNotFoundError:
            future.set_exception(_user_error(f"no checkpoint at {path} (looked in {self.storage_dir})"))
        except tinker.RequestFailedError as exc:
            future.set_exception(exc)
        return AwaitableConcurrentFuture(future)

    def close(self) -> None:
        """Stop the worker threads; requests still queued are cancelled."""
        self._sampling.shutdown(wait=False, cancel_futures=True)
        for executor in self._training:
            executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> OfflineServiceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _state_file(self, path: str) -> str:
        try:
            parsed = types.ParsedCheckpointTinkerPath.from_tinker_path(path)
        except ValueError:
            raise _user_error(f"{path!r} is not a tinker:// checkpoint path") from None
        return os.path.join(self.storage_dir, parsed.training_run_id, parsed.checkpoint_id + ".npz")

    def _run_sample(self, work: Callable[[], T]) -> AwaitableConcurrentFuture[T]:
        def delayed() -> T:
            if self.sample_latency:
                time.sleep(self.sample_latency)
            return work()

        return AwaitableConcurrentFuture(self._sampling.submit(delayed))


class OfflineTrainingClient:
    """Trainable weights with their AdamW state; a stand-in for ``tinker.TrainingClient``."""

    def __init__(
        self, service: OfflineServiceClient, weights: np.ndarray, optimizer: OptimizerState, *, base_model: str, seed: int | None
    ) -> None:
        self.service = service
        self.base_model = base_model
        self.run_id = f"offline-{uuid.uuid4().hex[:12]}"
        self.weights = weights
        self.optimizer = optimizer
        self._gradient = np.zeros_like(weights)
        self._seed = seed
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="offline-trainer")
        service._training.append(self._worker)

    def forward_backward(
        self,
        data: list[types.Datum],
        loss_fn: types.LossFnType,
        loss_fn_config: Mapping[str, Union[float, str]] | None = None,
    ) -> AwaitableConcurrentFuture[types.ForwardBackwardOutput]:
        """Accumulate the gradient of ``loss_fn`` summed over ``data``; the output has each datum's target logprobs."""
        return self._loss_request(data, loss_fn, loss_fn_config, backward=True)

    def forward(
        self,
        data: list[types.Datum],
        loss_fn: types.LossFnType,
        loss_fn_config: Mapping[str, Union[float, str]] | None = None,
    ) -> AwaitableConcurrentFuture[types.ForwardBackwardOutput]:
        """The loss and each datum's target logprobs, with no gradient (evaluation)."""
        return self._loss_request(data, loss_fn, loss_fn_config, backward=False)

    def optim_step(
        self, optim_params: types.AdamParams | None = None, *, adam_params: types.AdamParams | None = None
    ) -> AwaitableConcurrentFuture[types.OptimStepResponse]:
        """Apply the accumulated gradient with AdamW and clear it; the parameters are required, as the SDK requires them."""
        if optim_params is not None and adam_params is not None:
            raise ValueError("Specify optim_params or legacy adam_params, not both")
        params = optim_params if optim_params is not None else adam_params
        if not isinstance(params, (types.AdamParams, OptimParamsBase)):
            raise TypeError("Expected AdamParams or OptimParamsBase")
        return self._submit(self._optim_step, params)

    def save_state(
        self, name: str, ttl_seconds: int | None = None, overwrite: bool = False, user_metadata: dict | None = None
    ) -> AwaitableConcurrentFuture[types.SaveWeightsResponse]:
        """Write weights and optimizer state; the response's ``path`` loads them back.

        As the SDK: a name this training run already saved fails unless ``overwrite``; ``ttl_seconds``
        is 1 hour to 10 years, or None (kept until deleted; the offline backend keeps every state).
        """
        return self._submit(self._save_state, name, ttl_seconds, overwrite)

    def save_weights_and_get_sampling_client(self) -> AwaitableConcurrentFuture[OfflineSamplingClient]:
        """A sampling client on a copy of the weights as they are once earlier requests have run."""
        return self._submit(lambda: OfflineSamplingClient(self.service, self.weights.copy(), self._seed))

    # ---- the worker thread ------------------------------------------------------

    def _loss_request(
        self, data: list[types.Datum], loss_fn: str, config: Mapping[str, Union[float, str]] | None, *, backward: bool
    ) -> AwaitableConcurrentFuture[types.ForwardBackwardOutput]:
        if not data:
            raise ValueError("No data provided")  # the SDK raises this before sending anything
        return self._submit(self._forward_backward, list(data), loss_fn, dict(config or {}), backward)

    def _submit(self, work: Callable[..., T], *args: object) -> AwaitableConcurrentFuture[T]:
        return AwaitableConcurrentFuture(self._worker.submit(work, *args))

    def _forward_backward(
        self, data: list[types.Datum], loss_fn: str, config: dict[str, float | str], backward: bool
    ) -> types.ForwardBackwardOutput:
        check_request(data, loss_fn, config, self.service.shape.vocab_size)
        outputs, total = [], 0.0
        for datum in data:
            inputs = {key: value.to_numpy() for key, value in datum.loss_fn_inputs.items()}
            targets = inputs["target_tokens"]
            logprobs, rows, probabilities = policy.target_logprobs(
                self.weights, self.service.shape, np.asarray(datum.model_input.to_ints()), targets
            )
            loss, dloss = policy.loss_and_gradient(loss_fn, logprobs, inputs, config)
            if backward:
                policy.accumulate_gradient(self._gradient, rows, probabilities, targets, dloss)
            outputs.append({"logprobs": types.TensorData.from_numpy(logprobs.astype(np.float32))})
            total += loss
        return types.ForwardBackwardOutput(
            loss_fn_output_type="ArrayRecord", loss_fn_outputs=outputs, metrics={"loss:sum": total}
        )

    def _optim_step(self, params: types.AdamParams) -> types.OptimStepResponse:
        norm = policy.adamw_step(self.weights, self._gradient, self.optimizer, params)
        self._gradient[:] = 0.0
        return types.OptimStepResponse(metrics={"grad_norm": norm})

    def _save_state(self, name: str, ttl_seconds: int | None, overwrite: bool) -> types.SaveWeightsResponse:
        if ttl_seconds is not None and not TTL_RANGE[0] <= ttl_seconds <= TTL_RANGE[1]:
            raise _user_error(f"ttl_seconds = {ttl_seconds}: expected {TTL_RANGE[0]} to {TTL_RANGE[1]} seconds (1 hour to 10 years) or None")
        path = f"tinker://{self.run_id}/weights/{name}"
        file = self.service._state_file(path)
        if os.path.exists(file) and not overwrite:
            raise _user_error(f"a checkpoint named {name!r} exists in training run {self.run_id}; choose another name (or overwrite=True)")
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file + ".tmp", "wb") as out:
            np.savez(
                out,
                weights=self.weights,
                exp_avg=self.optimizer.exp_avg,
                exp_avg_sq=self.optimizer.exp_avg_sq,
                step=self.optimizer.step,
                base_model=self.base_model,
            )
        os.replace(file + ".tmp", file)
        return types.SaveWeightsResponse(path=path)


class OfflineSamplingClient:
    """Samples from a fixed copy of the weights; a stand-in for ``tinker.SamplingClient``."""

    def __init__(self, service: OfflineServiceClient, weights: np.ndarray, seed: int | None) -> None:
        self.service = service
        self.weights = weights
        self._rng = np.random.default_rng(seed)

    def sample(
        self, prompt: types.ModelInput, num_samples: int, sampling_params: types.SamplingParams
    ) -> AwaitableConcurrentFuture[types.SampleResponse]:
        """``num_samples`` continuations of ``prompt``, each with its tokens, logprobs and stop reason."""
        # A request without a seed takes the next seed of this client, in submission order.
        seed = sampling_params.seed if sampling_params.seed is not None else int(self._rng.integers(2**63))
        return self.service._run_sample(lambda: self._sample(prompt, num_samples, sampling_params, seed))

    def _sample(
        self, prompt: types.ModelInput, num_samples: int, params: types.SamplingParams, seed: int
    ) -> types.SampleResponse:
        tokens = prompt.to_ints()
        problems = sampling_problems(tokens, num_samples, params, self.service.shape.vocab_size)
        if problems:
            raise _user_error("; ".join(problems))
        samples = policy.sample(
            self.weights,
            self.service.shape,
            tokens,
            num_samples,
            params.max_tokens,
            params.temperature,
            self._stop_rule(params.stop),
            np.random.default_rng(seed),
        )
        sequences = [
            types.SampledSequence(
                stop_reason="stop" if sample.stopped else "length",
                sequence_id=f"offline-seq-{next(self.service._sequence_ids)}",
                _tokens_list=sample.tokens,
                _logprobs_list=sample.logprobs,
            )
            for sample in samples
        ]
        return types.SampleResponse(sequences=sequences)

    def _stop_rule(self, stop: str | Sequence[str] | Sequence[int] | None) -> Callable[[list[int]], bool]:
        """``None``: the tokenizer's EOS; ``[]``: nothing; token ids; or text the decoded tokens end with."""
        if stop is None:
            stop = [self.service.tokenizer.eos_token_id]
        if isinstance(stop, str):
            stop = [stop]
        if all(isinstance(item, int) for item in stop):
            stop_ids = set(stop)
            return lambda tokens: tokens[-1] in stop_ids
        texts = list(stop)
        return lambda tokens: any(self.service.tokenizer.decode(tokens).endswith(text) for text in texts)


def check_request(data: Sequence[types.Datum], loss_fn: str, config: Mapping[str, float | str], vocab_size: int) -> None:
    """Raise ``tinker.RequestFailedError`` (category user) naming every problem of a forward_backward request."""
    if loss_fn not in LOSS_INPUTS:
        raise _user_error(f"loss_fn {loss_fn!r} is not supported by the offline backend (supported: {', '.join(LOSS_INPUTS)})")
    allowed = LOSS_CONFIG_KEYS.get(loss_fn, ())
    problems = [
        f"loss_fn_config key {key!r} is not used by {loss_fn} (allowed: {', '.join(allowed) or 'none'})"
        for key in config
        if key not in allowed
    ]
    for index, datum in enumerate(data):
        problems += [f"data[{index}]: {problem}" for problem in datum_problems(datum, loss_fn, vocab_size)]
    if problems:
        raise _user_error("; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""))


def datum_problems(datum: types.Datum, loss_fn: str, vocab_size: int) -> list[str]:
    """What is wrong with one datum for ``loss_fn``: missing or extra keys, shapes, dtypes, token ids, values."""
    try:
        tokens = datum.model_input.to_ints()
    except ValueError:
        return ["model_input holds non-token chunks, which the offline model cannot read"]
    if not tokens:
        return ["model_input is empty"]
    expected = LOSS_INPUTS[loss_fn]
    keys = datum.loss_fn_inputs
    problems = [f"loss_fn_inputs lacks {key!r}, which {loss_fn} needs" for key in expected if key not in keys]
    problems += [
        f"loss_fn_inputs has {key!r}, which {loss_fn} does not take (send only {', '.join(expected)})"
        for key in keys
        if key not in expected
    ]
    for key in expected:
        if key not in keys:
            continue
        value = keys[key].to_numpy()
        if value.shape != (len(tokens),):
            problems.append(
                f"loss_fn_inputs[{key!r}] has shape {list(value.shape)}, expected [{len(tokens)}] (model_input.length)"
            )
            continue
        if key == "target_tokens":
            if keys[key].dtype != "int64":
                problems.append(f"loss_fn_inputs['target_tokens'] has dtype {keys[key].dtype}, expected int64")
            elif value.min() < 0 or value.max() >= vocab_size:
                problems.append(f"loss_fn_inputs['target_tokens'] holds token ids outside [0, {vocab_size})")
        elif not np.isfinite(value).all():
            problems.append(f"loss_fn_inputs[{key!r}] holds NaN or infinite values")
    if max(tokens) >= vocab_size or min(tokens) < 0:
        problems.append(f"model_input holds token ids outside [0, {vocab_size})")
    return problems


def sampling_problems(prompt: list[int], num_samples: int, params: types.SamplingParams, vocab_size: int) -> list[str]:
    """What the offline sampler cannot do with a request."""
    problems = []
    if not prompt:
        problems.append("the prompt is empty")
    elif max(prompt) >= vocab_size or min(prompt) < 0:
        problems.append(f"the prompt holds token ids outside [0, {vocab_size})")
    if num_samples < 1:
        problems.append(f"num_samples={num_samples}: expected at least 1")
    if params.max_tokens is None or params.max_tokens < 1:
        problems.append(f"max_tokens={params.max_tokens}: the offline backend needs a positive max_tokens")
    if params.temperature < 0:
        problems.append(f"temperature={params.temperature}: expected 0 or more")
    if params.top_k not in (-1, 0) or params.top_p != 1:
        problems.append("top_k and top_p are not supported by the offline backend")
    return problems


def _user_error(message: str) -> tinker.RequestFailedError:
    return tinker.RequestFailedError(f"Request failed: {message}", request_id="offline", category=RequestErrorCategory.User)


def _done(value: T) -> AwaitableConcurrentFuture[T]:
    future: Future = Future()
    future.set_result(value)
    return AwaitableConcurrentFuture(future)
