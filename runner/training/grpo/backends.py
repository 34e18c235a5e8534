"""The two backends a run (GRPO or SFT) can use, built from the config: ``tinker`` (the service) and ``offline``."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, Sequence

from .config import RunConfig
from .errors import ConfigError
from .offline import OfflineServiceClient
from .protocols import Renderer, ServiceClient, TrainingClient
from .tokenizer import CharTokenizer, PlainRenderer

CloseStatus = Literal["success", "errored", "interrupted"]


@dataclass
class Backend:
    """A service client, the renderer to use once a training client exists, and how to end the session."""

    name: str
    service_client: ServiceClient
    make_renderer: Callable[[TrainingClient], Renderer]
    close: Callable[[CloseStatus], None] = field(default=lambda status: None)


class HasTexts(Protocol):
    """A record whose texts the offline vocabulary must cover: a ``PromptRecord`` or an SFT ``Example``."""

    def texts(self) -> list[str]: ...


def offline_backend(
    records: Sequence[HasTexts], storage_dir: str, *, window: int = 4, sample_latency: float = 0.0, sampling_workers: int = 4
) -> Backend:
    """A numpy policy over the characters of the records' texts; states are saved under ``storage_dir``."""
    tokenizer = CharTokenizer.for_texts([*(text for record in records for text in record.texts()), "\n"])
    service = OfflineServiceClient(
        tokenizer, storage_dir=storage_dir, window=window, sample_latency=sample_latency, sampling_workers=sampling_workers
    )
    renderer = PlainRenderer(tokenizer)
    return Backend("offline", service, lambda _client: renderer, lambda _status: service.close())


def tinker_backend(config: RunConfig) -> Backend:
    """The Tinker service (credentials from TINKER_API_KEY or `tinker auth login`); the renderer from ``config.renderer``.

    The tokenizer comes from ``training_client.get_tokenizer()``, which downloads it from the
    Hugging Face Hub; pass a ``Backend`` with your own ``make_renderer`` to avoid that.
    """
    import tinker

    service = tinker.ServiceClient()  # lazy: credentials are checked by the first request
    factory = renderer_factory(config.renderer)

    def make_renderer(training_client: TrainingClient) -> Renderer:
        return factory(training_client.get_tokenizer())  # type: ignore[attr-defined]

    return Backend("tinker", service, make_renderer, lambda status: service.close(status).result(timeout=30))


def renderer_factory(spec: str) -> Callable[[object], Renderer]:
    """``plain`` or an importable ``module:function`` that takes a tokenizer and returns a renderer."""
    if spec == "plain":
        return PlainRenderer
    module_name, _, function = spec.partition(":")
    if not function:
        raise ConfigError(f"renderer = {spec!r}: expected 'plain' or 'module:function'")
    try:
        return getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"renderer = {spec!r}: {exc}") from None


def open_backend(name: str, config: RunConfig, records: Sequence[HasTexts], log_dir: str) -> Backend:
    if name == "offline":
        return offline_backend(records, os.path.join(log_dir, "offline_state"))
    if name == "tinker":
        return tinker_backend(config)
    raise ConfigError(f"backend {name!r}: expected 'tinker' or 'offline'")
