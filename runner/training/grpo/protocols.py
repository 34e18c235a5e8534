"""What the GRPO and SFT loops need from a backend, spelled exactly as the ``tinker`` SDK spells it.

The real ``tinker.ServiceClient``, ``TrainingClient`` and ``SamplingClient`` satisfy these
protocols unchanged; ``offline.py`` implements them with a small numpy policy. Method and
argument names, defaults and return types follow tinker 0.38 (only the parts the loop calls).
A renderer follows tinker-cookbook's ``Renderer`` so one of those can be passed as is.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Mapping, Protocol, Sequence, TypeVar, Union, runtime_checkable

from tinker import types

T_co = TypeVar("T_co", covariant=True)
Message = dict  # {"role": str, "content": str}, as tinker-cookbook's renderers take them


@runtime_checkable
class APIFuture(Protocol[T_co]):
    """A pending result: ``tinker.APIFuture``."""

    def result(self, timeout: float | None = None) -> T_co: ...

    def future(self) -> Future: ...


@runtime_checkable
class SamplingClient(Protocol):
    """Samples completions from one fixed set of weights: ``tinker.SamplingClient``."""

    def sample(
        self,
        prompt: types.ModelInput,
        num_samples: int,
        sampling_params: types.SamplingParams,
    ) -> APIFuture[types.SampleResponse]: ...


@runtime_checkable
class TrainingClient(Protocol):
    """Holds trainable weights and their optimizer: ``tinker.TrainingClient``.

    Requests run in submission order, so ``forward_backward`` then ``optim_step`` may be
    submitted before waiting on either.
    """

    def forward_backward(
        self,
        data: list[types.Datum],
        loss_fn: types.LossFnType,
        loss_fn_config: Mapping[str, Union[float, str]] | None = None,
    ) -> APIFuture[types.ForwardBackwardOutput]: ...

    def forward(
        self,
        data: list[types.Datum],
        loss_fn: types.LossFnType,
        loss_fn_config: Mapping[str, Union[float, str]] | None = None,
    ) -> APIFuture[types.ForwardBackwardOutput]: ...

    def optim_step(self, optim_params: types.AdamParams | None = None) -> APIFuture[types.OptimStepResponse]: ...

    def save_state(self, name: str, ttl_seconds: int | None = None) -> APIFuture[types.SaveWeightsResponse]: ...

    def save_weights_and_get_sampling_client(self) -> APIFuture[SamplingClient]: ...


@runtime_checkable
class ServiceClient(Protocol):
    """Creates training clients, fresh or from a saved state: ``tinker.ServiceClient``."""

    def create_lora_training_client(
        self, base_model: str, rank: int = 32, seed: int | None = None
    ) -> APIFuture[TrainingClient]: ...

    def create_training_client_from_state_with_optimizer(self, path: str) -> APIFuture[TrainingClient]: ...


@runtime_checkable
class Renderer(Protocol):
    """Turns a conversation into prompt tokens and sampled tokens back into a message.

    tinker-cookbook's renderers have exactly these three methods.
    """

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput: ...

    def get_stop_sequences(self) -> Sequence[int] | Sequence[str]: ...

    def parse_response(self, response: list[int]) -> tuple[Message, bool]: ...


@runtime_checkable
class SupervisedRenderer(Renderer, Protocol):
    """A renderer that also builds SFT examples: tinker-cookbook's renderers have this method too.

    ``build_supervised_example(messages)`` returns the tokens of the whole conversation and a
    weight per token (1 where the model should learn to write the token, 0 elsewhere); the
    cookbook's default trains on the last assistant message, as SFT on (prompt, response) wants.
    """

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, Sequence[float]]: ...


@runtime_checkable
class Tokenizer(Protocol):
    """The part of a Hugging Face tokenizer the plain renderer uses."""

    eos_token_id: int | None

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]: ...

    def decode(self, token_ids: list[int]) -> str: ...
