"""The two backends a run (GRPO or SFT) can use, built from the config: ``tinker`` (the service) and ``offline``.

Opening a Tinker run checks what can be checked before a model exists (the service offers ``base_model``;
the tokenizer loads; the renderer is made), so a typo or a missing tokenizer costs nothing on the service.
Every call that can block is bounded by ``request_timeout``, and closing is best-effort: a failure to
close is a warning, never the run's error.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Protocol, Sequence, TypeVar

from .config import RunConfig
from .errors import ConfigError, RequestTimeout
from .offline import OfflineServiceClient
from .protocols import Renderer, ServiceClient
from .renderers import RendererChoice, open_renderer, tokenizer_name
from .tokenizer import CharTokenizer, PlainRenderer

CloseStatus = Literal["success", "errored", "interrupted"]
T = TypeVar("T")
CLOSE_SECONDS = 30.0  # the most a session's close may take; beyond, the run ends anyway with a warning

log = logging.getLogger("rewardbox.train")


@dataclass
class Backend:
    """A service client, the renderer (made before any model exists), how to check a model, and how to end the session."""

    name: str
    service_client: ServiceClient
    make_renderer: Callable[[], tuple[Renderer, RendererChoice]]
    close: Callable[[CloseStatus], None] = field(default=lambda status: None)
    context_length: Callable[[str], int | None] = field(default=lambda base_model: None)  # raises ConfigError for a model not on offer


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
    choice = RendererChoice("plain", "rewardbox", "the offline backend: prompt text in its character vocabulary")
    return Backend("offline", service, lambda: (PlainRenderer(tokenizer), choice), lambda _status: service.close())


def tinker_backend(config: RunConfig) -> Backend:
    """The Tinker service (credentials from TINKER_API_KEY or `tinker auth login`), with the renderer ``config.renderer`` names.

    The tokenizer is ``config.tokenizer`` (a folder or a Hugging Face name), else base_model's, which
    transformers downloads from the Hugging Face Hub; a renderer from tml-renderers needs none.
    """
    import tinker

    service = tinker.ServiceClient()  # lazy: credentials are checked by the first request

    def make_renderer() -> tuple[Renderer, RendererChoice]:
        return open_renderer(config.renderer, config.base_model, lambda: load_tokenizer(config), tokenizer_given=config.tokenizer is not None)

    def close(status: CloseStatus) -> None:
        limit = min(CLOSE_SECONDS, config.request_timeout)
        bounded("closing the Tinker session", lambda: service.close(status).result(timeout=limit), limit + 1)

    def context_length(base_model: str) -> int | None:
        return offered_context_length(base_model, config.request_timeout)

    return Backend("tinker", service, make_renderer, close, context_length)


def load_tokenizer(config: RunConfig) -> Any:
    """``config.tokenizer``, else base_model's (as the Tinker SDK names it); ``ConfigError`` saying what to do if it does not load."""
    name = config.tokenizer or tokenizer_name(config.base_model)
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(name)
    except Exception as exc:  # noqa: BLE001 - OSError, ValueError, ImportError...: all mean the same to the user
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = "the config's tokenizer" if config.tokenizer else f"{config.base_model}'s tokenizer, from the Hugging Face Hub"
        raise ConfigError(
            f"could not load {where} ({name}): {type(exc).__name__}: {reason}. No model was created. Set tokenizer = "
            "'path/to/folder' in the config (a folder with tokenizer.json and tokenizer_config.json, e.g. from "
            "`huggingface-cli download`), or give the Hub access it needs (network, HF_TOKEN for a gated model)"
        ) from None


def offered_context_length(base_model: str, timeout: float) -> int | None:
    """The context length the Tinker service offers ``base_model`` with; ``ConfigError`` naming the models on offer if it does not."""
    import tinker

    def ask() -> object:  # the SDK caches a RestClient by its arguments: name the service, so another one is asked anew
        return tinker.RestClient(base_url=os.environ.get("TINKER_BASE_URL")).get_server_capabilities().result(timeout=timeout)

    capabilities = bounded("asking the Tinker service which models it offers", ask, timeout)
    offered = {model.model_name: model.max_context_length for model in capabilities.supported_models if model.model_name}
    if base_model not in offered and base_model.split(":")[0] not in offered:
        raise ConfigError(f"base_model = {base_model!r} is not offered by the Tinker service; it offers: {', '.join(sorted(offered)) or 'none'}")
    return offered.get(base_model, offered.get(base_model.split(":")[0]))


def bounded(what: str, call: Callable[[], T], timeout: float) -> T:
    """``call()`` in a worker thread, for at most ``timeout`` seconds: calls of the SDK that retry for minutes stay bounded.

    On time out the worker is left to finish on its own (a daemon thread) and ``RequestTimeout`` names ``what``.
    """
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_capture(call)), name=f"rewardbox-{what[:24]}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise RequestTimeout(f"{what} did not finish within {timeout:g} s (request_timeout): is the service reachable?")
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def _capture(call: Callable[[], T]) -> tuple[bool, Any]:
    try:
        return True, call()
    except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which raises it
        return False, exc


def open_backend(name: str, config: RunConfig, records: Sequence[HasTexts], log_dir: str) -> Backend:
    if name == "offline":
        return offline_backend(records, os.path.join(log_dir, "offline_state"))
    if name == "tinker":
        return tinker_backend(config)
    raise ConfigError(f"backend {name!r}: expected 'tinker' or 'offline'")

