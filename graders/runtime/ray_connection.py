"""The driver's side of a Ray cluster: connecting (and saying clearly why not), and noticing a lost head node.

``Connection`` opens Ray once per process for every Ray grader in it and shuts it
down with the last one. ``HeadWatch`` is a thread that tries a TCP connection to the
head (the GCS, or the Ray Client server for ``ray://``) every second: Ray's own
workers keep grading for a while without a head, but the driver cannot start, kill
or replace an actor, and Ray ends the driver's process once its GCS has been gone
for ``RAY_gcs_rpc_server_reconnect_timeout_s``; the watch says so well before that.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Callable

import ray

from ..errors import BackendUnavailable

_PROBE_SECONDS = 1.0  # between two probes of the head, and the TCP connect timeout of one
_HEAD_LOST_MAX_SECONDS = 20.0  # the head is lost after this long unreachable, or a quarter of Ray's own reconnect timeout if shorter
_RAY_RECONNECT_VARIABLE = "RAY_gcs_rpc_server_reconnect_timeout_s"
_RAY_RECONNECT_DEFAULT = 60.0
_CLIENT_PREFIX = "ray://"


def head_lost_seconds() -> float:
    """How long the head may stay unreachable before the grader gives up on the cluster."""
    try:
        ray_timeout = float(os.environ.get(_RAY_RECONNECT_VARIABLE, _RAY_RECONNECT_DEFAULT))
    except ValueError:
        ray_timeout = _RAY_RECONNECT_DEFAULT
    # A quarter: closing the actors and ray.shutdown() (5 s without a GCS) must end before Ray ends the process.
    return max(_PROBE_SECONDS, min(_HEAD_LOST_MAX_SECONDS, ray_timeout / 4))


def split_address(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``HOST:PORT`` or ``ray://HOST:PORT``; None for ``auto``, ``local`` and other forms."""
    bare = address[len(_CLIENT_PREFIX):] if address.startswith(_CLIENT_PREFIX) else address
    host, sep, port = bare.rpartition(":")
    if not sep or not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def probe(host: str, port: int, timeout: float = _PROBE_SECONDS) -> str | None:
    """None when something accepts a TCP connection at ``host:port``, else why not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"


def explain_connect_error(address: str | None, exc: BaseException) -> str:
    """What went wrong in ``ray.init``, with what to do next for the causes we know."""
    where = f" at {address}" if address else ""
    causes = [exc]
    while causes[-1].__cause__ is not None and len(causes) < 5:
        causes.append(causes[-1].__cause__)
    said = " ".join(f"{type(cause).__name__}: {cause}" for cause in causes)  # Ray nests the first error as text
    if "AuthenticationError" in said or "InvalidAuthToken" in said:
        return (
            f"cannot connect to Ray{where}: the cluster requires token authentication and this process has no matching token. "
            "Set RAY_AUTH_MODE=token and the cluster's token in RAY_AUTH_TOKEN (or ~/.ray/auth_token), as on the cluster's nodes"
        )
    deepest = causes[-1]
    return f"cannot connect to Ray{where}: {first_line(exc)}" + (f" ({first_line(deepest)})" if deepest is not exc else "")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


class Connection:
    """This process's Ray connection when rewardbox opened it: shared by its graders, shut down by the last."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.address: str | None = None

    def open(self, address: str | None) -> bool:
        """Use Ray as this process has it, or connect (``address=None``: Ray's own search, else a new local
        instance; ``ray://HOST:PORT``: Ray Client); True when rewardbox opened the connection and must ``close()`` it."""
        with self.lock:
            if ray.is_initialized():
                ours = self.users > 0
                if address is not None and not (ours and address == self.address):
                    raise ValueError(f"address={address!r}: Ray is already initialized in this process; pass address=None to grade on its cluster")
                if not ours:
                    return False
            else:
                target = split_address(address) if address else None
                refused = probe(*target) if target else None
                if refused is not None:
                    raise BackendUnavailable(f"cannot connect to Ray at {address}: nothing answers there ({refused}); is the head node up and the address right?")
                try:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
                except Exception as exc:  # noqa: BLE001 - ray.init fails in many ways; each means the same to the caller
                    raise BackendUnavailable(explain_connect_error(address, exc)) from exc
                self.address = address
            self.users += 1
            return True

    def close(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0:
                ray.shutdown()


def head_endpoint(address: str | None) -> tuple[str, int] | None:
    """Where the head answers for this process's connection: the Ray Client server for ``ray://``, else the GCS."""
    if address and address.startswith(_CLIENT_PREFIX):
        return split_address(address)
    try:
        return split_address(ray.get_runtime_context().gcs_address)
    except Exception:  # noqa: BLE001 - a connection without a GCS address (client mode opened by the caller) is not watched
        return None


class HeadWatch:
    """A daemon thread that calls ``lost(reason)`` once, when the head has been unreachable for ``head_lost_seconds()``."""

    def __init__(self, endpoint: tuple[str, int], lost: Callable[[str], None]) -> None:
        self.endpoint, self.lost = endpoint, lost
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="rewardbox-ray-head-watch", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        limit = head_lost_seconds()
        unreachable_since: float | None = None
        while not self.stopped.wait(_PROBE_SECONDS):
            why = probe(*self.endpoint)
            now = time.monotonic()
            if why is None:
                unreachable_since = None
            elif unreachable_since is None:
                unreachable_since = now
            elif now - unreachable_since >= limit:
                host, port = self.endpoint
                self.lost(f"the Ray head node at {host}:{port} has been unreachable for {limit:g} s ({why})")
                return

    def stop(self) -> None:
        self.stopped.set()
