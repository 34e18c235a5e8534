"""Every wait of a run, bounded by ``request_timeout``; the one place foreign errors become ``BackendError``."""

from __future__ import annotations

import concurrent.futures
from typing import Callable, Iterator, Sequence, TypeVar, Union

from .errors import BackendError, RequestTimeout, TrainError
from .protocols import APIFuture

T = TypeVar("T")
AnyFuture = Union[APIFuture[T], concurrent.futures.Future]


RESUME_HINT = "continue with --resume"  # how a user of `rewardbox train` goes on from the last checkpoint


class Waiter:
    """Waits on futures for at most ``timeout`` seconds each and names the last good checkpoint when one fails.

    ``resume_hint`` says how the caller's user continues from it (the MCP tools name their own call).
    """

    def __init__(self, timeout: float, last_checkpoint: Callable[[], str | None], resume_hint: str = RESUME_HINT) -> None:
        self.timeout = timeout
        self.last_checkpoint = last_checkpoint
        self.resume_hint = resume_hint

    def request(self, what: str, method: Callable[..., AnyFuture[T]], *args: object, **kwargs: object) -> T:
        """Send one request and wait for its result."""
        return self.result(self.submit(what, method, *args, **kwargs), what)

    def submit(self, what: str, method: Callable[..., AnyFuture[T]], *args: object, **kwargs: object) -> AnyFuture[T]:
        """Send one request; a client that refuses it at once raises ``BackendError`` too."""
        try:
            return method(*args, **kwargs)
        except TrainError:
            raise
        except Exception as exc:
            raise self._failed(what, exc) from exc

    def result(self, future: AnyFuture[T], what: str) -> T:
        """The future's result; ``RequestTimeout`` or ``BackendError`` naming ``what`` if it does not come."""
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            raise self._timeout(what) from None
        except TrainError:
            raise
        except Exception as exc:
            raise self._failed(what, exc) from exc

    def as_completed(self, futures: Sequence[concurrent.futures.Future], what: Callable[[int], str]) -> Iterator[int]:
        """Indexes of ``futures`` as they finish; waits at most ``timeout`` seconds for each next one."""
        pending = {future: index for index, future in enumerate(futures)}
        while pending:
            done, _ = concurrent.futures.wait(pending, timeout=self.timeout, return_when=concurrent.futures.FIRST_COMPLETED)
            if not done:
                stuck = sorted(pending.values())
                raise self._timeout(f"{what(stuck[0])}" + (f" (and {len(stuck) - 1} more)" if len(stuck) > 1 else ""))
            for future in sorted(done, key=pending.__getitem__):
                yield pending.pop(future)

    def _failed(self, what: str, exc: Exception) -> BackendError:
        return BackendError(f"{what} failed: {type(exc).__name__}: {exc}. {self._hint()}")

    def _timeout(self, what: str) -> RequestTimeout:
        return RequestTimeout(f"{what} did not finish within {self.timeout:g} s (request_timeout). {self._hint()}")

    def _hint(self) -> str:
        checkpoint = self.last_checkpoint()
        if checkpoint is None:
            return "No checkpoint was saved yet; logs up to the last finished step are in the run directory."
        return f"Last good checkpoint: {checkpoint} ({self.resume_hint})."
