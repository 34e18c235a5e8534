"""A handler fake for the backend protocols: wrap real (offline) clients and decide per call what comes back."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Callable

from tinker.lib.public_interfaces.api_future import AwaitableConcurrentFuture

# handler(method name, that method's call count so far, args, kwargs) -> a future to return instead, or None to pass through
Handler = Callable[[str, int, tuple, dict], "AwaitableConcurrentFuture | None"]
CLIENT_MAKERS = {
    "create_lora_training_client",
    "create_training_client_from_state_with_optimizer",
    "save_weights_and_get_sampling_client",
}


def never() -> AwaitableConcurrentFuture:
    """A future that never completes, like a request stuck on the service."""
    return AwaitableConcurrentFuture(Future())


def failed(exc: BaseException) -> AwaitableConcurrentFuture:
    future: Future = Future()
    future.set_exception(exc)
    return AwaitableConcurrentFuture(future)


class Intercepted:
    """A client whose calls go through ``handler`` first; clients it creates are intercepted too."""

    def __init__(self, client: object, handler: Handler, counts: dict[str, int] | None = None) -> None:
        self._client, self._handler = client, handler
        self.counts = counts if counts is not None else {}

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args, **kwargs):
            count = self.counts.get(name, 0)
            self.counts[name] = count + 1
            replacement = self._handler(name, count, args, kwargs)
            if replacement is not None:
                return replacement
            result = attribute(*args, **kwargs)
            if name in CLIENT_MAKERS:
                future: Future = Future()
                future.set_result(Intercepted(result.result(), self._handler, self.counts))
                return AwaitableConcurrentFuture(future)
            return result

        return call
