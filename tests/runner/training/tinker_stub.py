"""A loopback stand-in for the Tinker service, so the real ``tinker`` SDK (0.38) runs unmodified in tests.

``with TinkerStub() as stub:`` serves HTTP on 127.0.0.1 (uvicorn + Starlette, in a thread) and
``stub.env`` points the SDK at it (set it with ``monkeypatch.setenv``). Nothing leaves the machine:
the SDK's telemetry is switched off by ``TINKER_TELEMETRY=0`` (and answered on ``/api/v1/telemetry``
if a test turns it back on), and the API key is an obviously fake ``tml-`` value (the SDK only
checks the ``tml-`` prefix; it sends the key as ``X-API-Key``, which the stub checks).

Endpoints answered (all under ``/api/v1``), with the SDK type each request body is validated with:

- ``POST client/config`` ``ClientConfigRequest`` -> ``ClientConfigResponse`` (defaults, plus ``client_config=``)
- ``POST client/dynamic_config`` ``ClientConfigRequest`` -> ``ClientDynamicConfigResponse``
  (``sample_cancel_enabled=True`` unless ``dynamic_config=`` says otherwise, so cancels are sent)
- ``POST create_session`` ``CreateSessionRequest``; ``POST session_heartbeat`` ``SessionHeartbeatRequest``
  (410 once the session is finished, as the SDK expects); ``POST sessions/{id}/finish`` (what
  ``ServiceClient.close(status)`` sends; no SDK type, checked against ``ClientSessionFinishReason``)
- ``POST create_model`` ``CreateModelRequest``; ``POST get_info`` ``GetInfoRequest``
- ``POST forward_backward``: protobuf (``tinker_public_pb2.ForwardBackwardRequest``, zstd if
  ``Content-Encoding: zstd``), decoded and validated with the SDK's pydantic ``ForwardBackwardInput``;
  recorded as the SDK's ``types.ForwardBackwardRequest`` (``types.ForwardRequest`` for ``forward``)
- ``POST optim_step`` ``OptimStepRequest``; ``POST save_weights`` ``SaveWeightsRequest``;
  ``POST save_weights_for_sampler`` ``SaveWeightsForSamplerRequest``; ``POST load_weights`` ``LoadWeightsRequest``
- ``POST create_sampling_session`` ``CreateSamplingSessionRequest``; ``GET samplers/{id}``;
  ``POST asample`` ``SampleRequest``; ``POST cancel_future`` (``{"request_id"}``, recorded in ``stub.cancelled``)
- ``POST retrieve_future`` ``FutureRetrieveRequest`` (long-polls ``poll_seconds``, then ``try_again``);
  ``POST retrieve_futures`` ``FuturesRetrieveRequest`` (used when ``client_config={"sample_use_retrieve_futures": True}``)
- ``GET get_server_capabilities``; ``GET healthz``; ``POST telemetry`` ``TelemetrySendRequest``

Results of sampling and forward/backward are sent as protobuf, the only form the SDK accepts for them.
Every request is recorded in ``stub.requests`` (``stub.bodies(path)``); every refused one in
``stub.invalid``, including any path not listed above (404), so a test notices what is not covered.
Not implemented (refused with a 400): loss functions other than the three above, image and audio
chunks, provenance spans, top-k and target prompt logprobs, ``prompt_alt_tokens_k``, non-Adam optimizers.

Guessed about the real service (not documented by the SDK):

- Training requests of a model run in ``seq_id`` order (as the SDK's comments say); a request whose
  predecessor never arrives waits. Re-sending a ``seq_id`` gets the same future back.
- Problems found when a request *runs* fail its future (``{"error", "category": "user"}``, raised by the
  SDK as ``tinker.RequestFailedError``): a ``save_state`` name already used with ``overwrite=False``,
  a checkpoint that does not exist, a ``ttl_seconds`` outside [3600, 10 years], a missing or extra
  ``loss_fn_inputs`` key (``cross_entropy``: target_tokens, weights; ``importance_sampling`` and ``ppo``:
  target_tokens, logprobs, advantages) or one whose shape is not ``[len(model_input), ...]``, a
  ``loss_fn_config`` key the loss does not take, a prompt or datum longer than the model's context.
  (A 409 is unlikely for the name clash: the SDK retries 409 for 5 minutes.)
- Problems in the request itself get a 400 at submission (schema errors, an unsupported base model,
  a checkpoint name that is empty or holds ``/``, an out-of-order ``seq_id``), a 404 (unknown
  session, model, sampler, future or sampler-weights path), a 410 (a finished session) or a 401 (wrong key).
- Saving sampler weights under a name already used replaces them (there is no ``overwrite`` flag).
- Logprobs are fake but deterministic: ``fake_logprobs(tokens, version)``, where ``version`` counts
  the optimizer steps the weights have taken, so a sampler and a trainer on the same weights agree.
  ``optim_step`` answers ``metrics=None``; ``forward_backward`` answers the metric ``loss:sum``.

Beside it: ``stub_wire`` (the protobuf tensors and datums, the losses and outputs it computes) and
``stub_tokenizers`` (local byte-level tokenizers with the real special-token ids, so tests download nothing).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
import re
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, NamedTuple, Self

import numpy as np
import pydantic
import uvicorn
import zstandard
from google.protobuf.message import DecodeError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tinker import types
from tinker._models import StrictBase
from tinker.proto import tinker_public_pb2 as pb
from tinker.types._pydantic_types.forward_backward_input import ForwardBackwardInput as WireForwardBackwardInput
from tinker.types.try_again_response import TryAgainResponse

import stub_wire as codec

API_KEY = "tml-loopback-stub-not-a-secret"
DEFAULT_SUPPORTED_MODELS = (
    ("Qwen/Qwen3-8B", 32768),
    ("Qwen/Qwen3-4B-Instruct-2507", 32768),
    ("meta-llama/Llama-3.1-8B-Instruct", 131072),
    ("meta-llama/Llama-3.2-1B", 131072),
)
LOSS_FN_INPUTS = {
    "cross_entropy": ("target_tokens", "weights"),
    "importance_sampling": ("target_tokens", "logprobs", "advantages"),
    "ppo": ("target_tokens", "logprobs", "advantages"),
}
LOSS_FN_CONFIG_KEYS = {"ppo": ("clip_low_threshold", "clip_high_threshold")}
MIN_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 10 * 365 * 24 * 3600
PROTOBUF = "application/x-protobuf"

Sampler = Callable[[list[int], int, types.SamplingParams], list[list[int]]]


def fake_logprobs(tokens: Iterable[int] | np.ndarray, version: int) -> np.ndarray:
    """The stub's logprob of each token (float32, in [-3, -0.05]) under weights that took ``version`` steps."""
    ids = np.asarray(tokens, dtype=np.int64)
    spread = ((ids * 2654435761 + (version + 1) * 97531) % 1000003) / 1000003
    return (-0.05 - 2.95 * spread).astype(np.float32)


def stub_env(base_url: str) -> dict[str, str]:
    """Environment that points the SDK at ``base_url`` with the fake key and no telemetry or proxy."""
    return {
        "TINKER_BASE_URL": base_url,
        "TINKER_API_KEY": API_KEY,
        "TINKER_TELEMETRY": "0",
        "CLOUDFLARE_ACCESS_CLIENT_ID": "",
        "CLOUDFLARE_ACCESS_CLIENT_SECRET": "",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def closed_port_env() -> dict[str, str]:
    """``stub_env`` for a loopback port nothing listens on: the service unreachable.

    The SDK retries connection errors for about 5 minutes, and the first call that needs a session
    (``create_lora_training_client``, ``create_sampling_client``) or a ``RestClient()`` blocks the
    caller itself while it does, before any future exists: run such calls in a thread you give up on.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return stub_env(f"http://127.0.0.1:{port}")


class Recorded(NamedTuple):
    """A request the stub received: its path and its body as the SDK type it was validated with."""

    path: str
    body: Any


@dataclasses.dataclass
class StubModel:
    """A training model: its LoRA setup and how far its weights and optimizer have got."""

    model_id: str
    base_model: str
    lora_rank: int
    seed: int | None
    version: int = 0
    """Optimizer steps the weights have taken (restored by loading a checkpoint)."""
    optimizer_steps: int = 0
    """Steps of the optimizer state (restored only by a load with the optimizer, else 0)."""
    loaded_from: str | None = None
    next_seq_id: int = 1
    futures_by_seq_id: dict[int, str] = dataclasses.field(default_factory=dict, repr=False)
    waiting: dict[int, Callable[[], None]] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class StubCheckpoint:
    """Saved weights (``kind="weights"``: with optimizer state, from ``save_state``) or sampler weights."""

    path: str
    kind: Literal["weights", "sampler_weights"]
    base_model: str
    lora_rank: int
    version: int
    optimizer_steps: int
    ttl_seconds: int | None
    user_metadata: dict[str, str] | None


@dataclasses.dataclass(frozen=True)
class SamplingSession:
    """What a sampling client samples from: a base model, sampler weights, or a training model's snapshot."""

    sampling_session_id: str
    base_model: str
    model_path: str | None
    version: int


@dataclasses.dataclass
class _Fault:
    """An injected failure, delay or hang, for requests whose path contains ``path_part``."""

    path_part: str
    action: Literal["fail", "delay", "hang"]
    times: int | None
    request_type: str | None
    status: int = 500
    body: Any = None
    headers: dict[str, str] | None = None
    seconds: float = 0.0

    def matches(self, path: str, request_type: str | None) -> bool:
        return (
            self.path_part in path
            and (self.request_type is None or self.request_type == request_type)
            and (self.times is None or self.times > 0)
        )


@dataclasses.dataclass
class _Future:
    """A server-side future: its result, once known, as JSON or protobuf."""

    request_id: str
    done: asyncio.Event
    json: dict[str, Any] | None = None
    proto: bytes | None = None
    sampler_key: tuple[str, int] | None = None
    """For a sample: (sampling session, clone id), whose ``retrieve_futures`` poll reports it."""


class _Rejected(Exception):
    """A request refused at submission with an HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _RequestFailed(Exception):
    """A request that fails when it runs: its future resolves to a user error."""


class _FinishSessionRequest(StrictBase):
    """Body of ``POST /api/v1/sessions/{id}/finish`` (``ServiceClient.close``), which has no SDK type."""

    reason: types.ClientSessionFinishReason
    detail: str | None = None


class _CancelFutureRequest(StrictBase):
    """Body of ``POST /api/v1/cancel_future``, which has no SDK type."""

    request_id: str


class _Route(NamedTuple):
    method: Literal["GET", "POST"]
    pattern: str
    parse: Callable[[bytes, str], Any]
    """``parse(body, content_encoding)`` -> the validated body (raises ``ValueError`` if invalid)."""
    handler: Callable[..., Any]
    """``handler(body, *path_groups)`` -> the response (a model, protobuf ``Response`` or None)."""


class TinkerStub:
    """The Tinker service on 127.0.0.1, for the real SDK; see the module docstring.

    Args:
    - ``supported_models``: ``(name, max_context_length)`` pairs; others are refused.
    - ``completion_tokens``: token ids the default sampler draws from.
    - ``eos_token_id``: ends a default sample when ``stop`` is None or text.
    - ``sampler``: ``sampler(prompt_tokens, num_samples, sampling_params) -> list of token lists``
      replaces the default sampler (it runs on the server's event loop: it must not block).
    - ``random_seed``: seeds the default sampler's generator (requests with a ``seed`` use their own).
    - ``client_config`` / ``dynamic_config``: fields of ``ClientConfigResponse`` /
      ``ClientDynamicConfigResponse`` to override.
    - ``poll_seconds``: how long ``retrieve_future`` waits for a result before answering ``try_again``.
    """

    def __init__(
        self,
        *,
        supported_models: Sequence[tuple[str, int]] = DEFAULT_SUPPORTED_MODELS,
        completion_tokens: Sequence[int] = tuple(range(97, 123)),
        eos_token_id: int = 151645,
        sampler: Sampler | None = None,
        random_seed: int | None = None,
        client_config: dict[str, Any] | None = None,
        dynamic_config: dict[str, Any] | None = None,
        poll_seconds: float = 0.5,
    ):
        self.supported_models = dict(supported_models)
        self.completion_tokens = list(completion_tokens)
        self.eos_token_id = eos_token_id
        self.sampler = sampler
        self.poll_seconds = poll_seconds
        self.client_config = types.ClientConfigResponse(**(client_config or {}))
        self.dynamic_config = types.ClientDynamicConfigResponse(**{"sample_cancel_enabled": True, **(dynamic_config or {})})

        self.requests: list[Recorded] = []
        self.invalid: list[tuple[str, str]] = []
        self.injected: list[tuple[str, int]] = []
        self.cancelled: list[str] = []
        self.sessions: dict[str, Literal["active", "success", "errored", "interrupted"]] = {}
        self.models: dict[str, StubModel] = {}
        self.checkpoints: dict[str, StubCheckpoint] = {}
        self.sampling_sessions: dict[str, SamplingSession] = {}

        self._rng = random.Random(random_seed)
        self._ids = itertools.count(1)
        self._futures: dict[str, _Future] = {}
        self._sample_futures: dict[tuple[str, int], str] = {}
        self._completions: dict[tuple[str, int], list[types.FutureCompletion]] = {}
        self._completions_changed: asyncio.Event | None = None
        self._faults: list[_Fault] = []
        self._faults_lock = threading.Lock()
        self._released = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

        json_routes: dict[str, tuple[type[pydantic.BaseModel], Callable[..., Any]]] = {
            "/api/v1/client/config": (types.ClientConfigRequest, lambda _: self.client_config),
            "/api/v1/client/dynamic_config": (types.ClientConfigRequest, lambda _: self.dynamic_config),
            "/api/v1/create_session": (types.CreateSessionRequest, self._create_session),
            "/api/v1/session_heartbeat": (types.SessionHeartbeatRequest, self._heartbeat),
            "/api/v1/telemetry": (types.TelemetrySendRequest, lambda _: types.TelemetryResponse(status="accepted")),
            "/api/v1/create_model": (types.CreateModelRequest, self._create_model),
            "/api/v1/get_info": (types.GetInfoRequest, self._get_info),
            "/api/v1/optim_step": (types.OptimStepRequest, self._optim_step),
            "/api/v1/save_weights": (types.SaveWeightsRequest, self._save_weights),
            "/api/v1/save_weights_for_sampler": (types.SaveWeightsForSamplerRequest, self._save_weights_for_sampler),
            "/api/v1/load_weights": (types.LoadWeightsRequest, self._load_weights),
            "/api/v1/create_sampling_session": (types.CreateSamplingSessionRequest, self._create_sampling_session),
            "/api/v1/asample": (types.SampleRequest, self._sample),
            "/api/v1/cancel_future": (_CancelFutureRequest, self._cancel_future),
            "/api/v1/retrieve_future": (types.FutureRetrieveRequest, self._retrieve_future),
            "/api/v1/retrieve_futures": (types.FuturesRetrieveRequest, self._retrieve_futures),
        }
        self._routes = [_Route("POST", re.escape(path), codec.json_parser(model), handler) for path, (model, handler) in json_routes.items()]
        self._routes += [
            _Route("POST", r"/api/v1/forward_backward", self._parse_forward_backward, self._forward_backward),
            _Route("POST", r"/api/v1/sessions/([^/]+)/finish", codec.json_parser(_FinishSessionRequest), self._finish_session),
            _Route("GET", r"/api/v1/get_server_capabilities", codec.no_body, self._capabilities),
            _Route("GET", r"/api/v1/healthz", codec.no_body, lambda _: types.HealthResponse(status="ok")),
            _Route("GET", r"/api/v1/samplers/([^/]+)", codec.no_body, self._get_sampler),
        ]

    # ---- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point the SDK at this stub (see ``stub_env``)."""
        return stub_env(self.base_url)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> Self:
        """Serve on a free loopback port, in a background thread."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/{path:path}", self._dispatch, methods=["GET", "POST"])])
        # log_config=None: uvicorn's dictConfig would close every logging handler of the test process, and a
        # library's handler (absl's, once rouge_score is imported) then closes the stream it holds: pytest's capture
        config = uvicorn.Config(app, log_level="warning", log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name="tinker-stub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Tinker stub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Answer any hanging request, stop serving and join the thread (again: no effect)."""
        self.release()
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._thread.is_alive():
            raise RuntimeError("the Tinker stub did not stop")
        _forget_sessionless_holders(self.base_url)

    # ---- fault injection -------------------------------------------------------------------------

    def fail(
        self,
        path_part: str,
        status: int = 500,
        *,
        times: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        request_type: str | None = None,
    ) -> None:
        """Answer requests whose path contains ``path_part`` with ``status`` (``times`` of them; None: all).

        ``body`` defaults to ``{"detail": ...}``; ``headers`` can steer the SDK's HTTP-level retries
        (``{"retry-after-ms": "1"}`` retries at once, ``{"x-should-retry": "false"}`` not at all).
        ``request_type`` narrows ``retrieve_future`` polls to one kind (``"Sample"``, ``"ForwardBackward"``,
        ``"OptimStep"``, ``"SaveWeights"``, ...; the SDK's ``X-Tinker-Request-Type`` header).
        """
        detail = {"detail": f"TinkerStub injected HTTP {status} for {path_part}"}
        fault = _Fault(path_part, "fail", times, request_type, status=status, body=detail if body is None else body, headers=headers)
        self._add_fault(fault)

    def delay(self, path_part: str, seconds: float, *, times: int | None = None, request_type: str | None = None) -> None:
        """Wait ``seconds`` before answering requests whose path contains ``path_part``."""
        self._add_fault(_Fault(path_part, "delay", times, request_type, seconds=seconds))

    def hang(self, path_part: str, *, times: int | None = None, request_type: str | None = None) -> None:
        """Leave requests whose path contains ``path_part`` unanswered until ``release()`` (or exit)."""
        self._released.clear()
        self._add_fault(_Fault(path_part, "hang", times, request_type))

    def release(self) -> None:
        """Answer every hanging request, and hang no more."""
        with self._faults_lock:
            self._faults = [fault for fault in self._faults if fault.action != "hang"]
        self._released.set()

    def clear_faults(self) -> None:
        """Remove every injected failure, delay and hang."""
        self.release()
        with self._faults_lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        with self._faults_lock:
            self._faults.append(fault)

    def _take_faults(self, path: str, request_type: str | None) -> list[_Fault]:
        """The delays and hangs that apply to this request, then at most one failure."""
        with self._faults_lock:
            taken = [fault for fault in self._faults if fault.action != "fail" and fault.matches(path, request_type)]
            taken += [fault for fault in self._faults if fault.action == "fail" and fault.matches(path, request_type)][:1]
            for fault in taken:
                if fault.times is not None:
                    fault.times -= 1
        return taken

    # ---- inspection ------------------------------------------------------------------------------

    def bodies(self, path: str) -> list[Any]:
        """The recorded bodies of the requests to exactly ``path`` (e.g. ``"/api/v1/asample"``), in order."""
        return [recorded.body for recorded in list(self.requests) if recorded.path == path]

    # ---- dispatch --------------------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        raw = await request.body()
        try:
            body, handler, path_args = self._parse(request, path, raw)
            if request.headers.get("x-api-key") != API_KEY:
                raise _Rejected(401, "invalid API key")
            failure = await self._apply_faults(path, request.headers.get("x-tinker-request-type"))
            if failure is not None:
                return failure
            result = handler(body, *path_args)
            if asyncio.iscoroutine(result):
                result = await result
            return codec.response(result)
        except _Rejected as exc:
            self.invalid.append((path, exc.message))
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        except Exception:  # noqa: BLE001 - a bug of the stub (or of a test's sampler) must fail fast, not be retried
            message = f"TinkerStub error: {traceback.format_exc()}"
            self.invalid.append((path, message))
            return JSONResponse({"detail": message}, status_code=400, headers={"x-should-retry": "false"})

    def _parse(self, request: Request, path: str, raw: bytes) -> tuple[Any, Callable[..., Any], tuple[str, ...]]:
        """Record the request; return its validated body, its handler and the handler's path arguments."""
        for route in self._routes:
            if route.method == request.method and (match := re.fullmatch(route.pattern, path)):
                try:
                    body = route.parse(raw, request.headers.get("content-encoding", ""))
                except (ValueError, DecodeError, zstandard.ZstdError) as exc:
                    self.requests.append(Recorded(path, raw))
                    raise _Rejected(400, f"invalid request body: {exc}") from None
                self.requests.append(Recorded(path, body))
                return body, route.handler, match.groups()
        self.requests.append(Recorded(path, raw))
        raise _Rejected(404, f"TinkerStub does not answer {request.method} {path}")

    async def _apply_faults(self, path: str, request_type: str | None) -> Response | None:
        for fault in self._take_faults(path, request_type):
            if fault.action == "delay":
                await asyncio.sleep(fault.seconds)
            elif fault.action == "hang":
                while not self._released.is_set():
                    await asyncio.sleep(0.05)
            else:
                self.injected.append((path, fault.status))
                return JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)
        return None

    # ---- sessions --------------------------------------------------------------------------------

    def _create_session(self, request: types.CreateSessionRequest) -> types.CreateSessionResponse:
        session_id = f"stub-{uuid.uuid4()}"
        self.sessions[session_id] = "active"
        return types.CreateSessionResponse(session_id=session_id)

    def _heartbeat(self, request: types.SessionHeartbeatRequest) -> types.SessionHeartbeatResponse:
        if self._session(request.session_id) != "active":
            raise _Rejected(410, f"session {request.session_id} has finished")
        return types.SessionHeartbeatResponse()

    def _finish_session(self, request: _FinishSessionRequest, session_id: str) -> None:
        self._session(session_id)
        if self.sessions[session_id] == "active":
            self.sessions[session_id] = request.reason.type

    def _session(self, session_id: str) -> str:
        if session_id not in self.sessions:
            raise _Rejected(404, f"unknown session {session_id}")
        return self.sessions[session_id]

    def _capabilities(self, _body: None) -> types.GetServerCapabilitiesResponse:
        return types.GetServerCapabilitiesResponse(
            supported_models=[
                types.SupportedModel(model_name=name, max_context_length=length, trainable=True, sampleable=True)
                for name, length in self.supported_models.items()
            ]
        )

    # ---- futures ---------------------------------------------------------------------------------

    def _new_future(self, **untyped: Any) -> tuple[_Future, types.UntypedAPIFuture]:
        future = _Future(f"stub-request-{next(self._ids)}", asyncio.Event())
        self._futures[future.request_id] = future
        return future, types.UntypedAPIFuture(request_id=future.request_id, **untyped)

    def _resolve(self, future: _Future, path: str, produce: Callable[[], pydantic.BaseModel | bytes]) -> None:
        """Run ``produce`` and resolve ``future`` with its result, or with a user error it raised."""
        completion: types.FutureCompletion
        try:
            result = produce()
        except _RequestFailed as exc:
            self.invalid.append((path, str(exc)))
            future.json = types.RequestFailedResponse(error=str(exc), category=types.RequestErrorCategory.User).model_dump(mode="json")
            completion = types.FutureFailed(request_id=future.request_id)
        else:
            if isinstance(result, bytes):
                future.proto = result
            else:
                future.json = result.model_dump(mode="json")
            completion = types.FutureFinished(request_id=future.request_id)
        future.done.set()
        if future.sampler_key is not None:
            self._completions.setdefault(future.sampler_key, []).append(completion)
            if self._completions_changed is not None:
                self._completions_changed.set()

    async def _retrieve_future(self, request: types.FutureRetrieveRequest) -> Response:
        future = self._futures.get(request.request_id)
        if future is None:
            raise _Rejected(404, f"unknown future {request.request_id}")
        try:
            await asyncio.wait_for(future.done.wait(), timeout=self.poll_seconds)
        except TimeoutError:
            return codec.response(TryAgainResponse(request_id=future.request_id, queue_state="active"))
        if future.proto is not None:
            return Response(future.proto, media_type=PROTOBUF)
        return JSONResponse(future.json)

    async def _retrieve_futures(self, request: types.FuturesRetrieveRequest) -> types.FuturesRetrieveResponse:
        key = (request.target.sampling_session_id, request.target.cloned_sampler_id)
        if request.target.sampling_session_id not in self.sampling_sessions:
            raise _Rejected(404, f"unknown sampling session {request.target.sampling_session_id}")
        if request.timeout != 0 and len(self._completions.get(key, [])) <= request.prev_cursor:
            self._completions_changed = self._completions_changed or asyncio.Event()
            self._completions_changed.clear()
            timeout = self.poll_seconds if request.timeout is None else min(request.timeout, self.poll_seconds)
            try:
                await asyncio.wait_for(self._completions_changed.wait(), timeout=timeout)
            except TimeoutError:
                pass
        completions = self._completions.get(key, [])
        return types.FuturesRetrieveResponse(completions=completions[request.prev_cursor :], cursor=len(completions))

    def _cancel_future(self, request: _CancelFutureRequest) -> None:
        if request.request_id not in self._futures:
            raise _Rejected(404, f"unknown future {request.request_id}")
        self.cancelled.append(request.request_id)

    # ---- training --------------------------------------------------------------------------------

    def _create_model(self, request: types.CreateModelRequest) -> types.UntypedAPIFuture:
        self._check_session(request.session_id)
        self._check_base_model(request.base_model)
        if request.lora_config is None or request.lora_config.rank < 1:
            raise _Rejected(400, "TinkerStub trains LoRA models only: lora_config.rank must be at least 1")
        if request.optimizer_config.type != "adamw":
            raise _Rejected(400, f"TinkerStub does not implement the {request.optimizer_config.type} optimizer")
        model_id = self._model_id(request.session_id, request.model_seq_id)
        self.models[model_id] = StubModel(model_id, request.base_model, request.lora_config.rank, request.lora_config.seed)
        future, untyped = self._new_future(model_id=model_id)
        self._resolve(future, "/api/v1/create_model", lambda: types.CreateModelResponse(model_id=model_id))
        return untyped

    def _get_info(self, request: types.GetInfoRequest) -> types.GetInfoResponse:
        model = self._model(request.model_id)
        return types.GetInfoResponse(
            type="get_info",
            model_data=types.ModelData(arch="stub", model_name=model.base_model),
            model_id=model.model_id,
            is_lora=True,
            lora_rank=model.lora_rank,
            model_name=model.base_model,
        )

    def _parse_forward_backward(self, raw: bytes, encoding: str) -> types.ForwardBackwardRequest | types.ForwardRequest:
        if encoding == "zstd":
            raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
        message = pb.ForwardBackwardRequest()
        message.ParseFromString(raw)
        wire = WireForwardBackwardInput.model_validate(
            {
                "data": [codec.datum_dict(datum) for datum in message.data],
                "loss_fn": message.loss_fn,
                "loss_fn_config": codec.loss_fn_config(message) or None,
            }
        )
        data = [
            types.Datum(
                model_input=datum.model_input,
                loss_fn_inputs={
                    key: types.TensorData(
                        data=value.data,
                        dtype=value.dtype,
                        shape=value.shape,
                        sparse_crow_indices=value.sparse_crow_indices,
                        sparse_col_indices=value.sparse_col_indices,
                    )
                    for key, value in datum.loss_fn_inputs.items()
                },
            )
            for datum in wire.data
        ]
        loss_input = types.ForwardBackwardInput(data=data, loss_fn=wire.loss_fn, loss_fn_config=wire.loss_fn_config)
        if message.forward_only:
            return types.ForwardRequest(forward_input=loss_input, model_id=message.model_id, seq_id=message.seq_id)
        return types.ForwardBackwardRequest(forward_backward_input=loss_input, model_id=message.model_id, seq_id=message.seq_id)

    def _forward_backward(self, request: types.ForwardBackwardRequest | types.ForwardRequest) -> types.UntypedAPIFuture:
        loss_input = request.forward_input if isinstance(request, types.ForwardRequest) else request.forward_backward_input
        model = self._model(request.model_id)
        if loss_input.loss_fn not in LOSS_FN_INPUTS:
            raise _Rejected(400, f"TinkerStub does not implement loss_fn {loss_input.loss_fn!r} (it has {', '.join(LOSS_FN_INPUTS)})")
        return self._in_order(model, request.seq_id, "/api/v1/forward_backward", lambda: self._run_loss(model, loss_input))

    def _run_loss(self, model: StubModel, loss_input: types.ForwardBackwardInput) -> bytes:
        config = dict(loss_input.loss_fn_config or {})
        allowed = LOSS_FN_CONFIG_KEYS.get(loss_input.loss_fn, ())
        problems = [f"loss_fn_config key {key!r} is not taken by {loss_input.loss_fn}" for key in config if key not in allowed]
        for index, datum in enumerate(loss_input.data):
            problems += [f"data[{index}]: {problem}" for problem in self._datum_problems(model, datum, loss_input.loss_fn)]
        if problems:
            raise _RequestFailed("; ".join(problems))
        outputs, loss = [], 0.0
        for datum in loss_input.data:
            inputs = {key: codec.dense(value) for key, value in datum.loss_fn_inputs.items()}
            logprobs = fake_logprobs(inputs["target_tokens"], model.version)
            outputs.append(logprobs)
            loss += codec.loss(loss_input.loss_fn, logprobs, inputs, config)
        return codec.forward_backward_output(outputs, {"loss:sum": loss})

    def _datum_problems(self, model: StubModel, datum: types.Datum, loss_fn: str) -> list[str]:
        length = datum.model_input.length
        if length == 0:
            return ["model_input is empty"]
        if length > self.supported_models[model.base_model]:
            return [f"model_input has {length} tokens, over {model.base_model}'s context of {self.supported_models[model.base_model]}"]
        expected = LOSS_FN_INPUTS[loss_fn]
        keys = datum.loss_fn_inputs
        problems = [f"loss_fn_inputs lacks {key!r}, which {loss_fn} needs" for key in expected if key not in keys]
        problems += [f"loss_fn_inputs has {key!r}, which {loss_fn} does not take" for key in keys if key not in expected]
        for key in expected:
            if key in keys:
                shape = list(codec.dense(keys[key]).shape)
                if not shape or shape[0] != length:
                    problems.append(f"loss_fn_inputs[{key!r}] has shape {shape}, expected [{length}] (len(model_input))")
                elif key == "target_tokens" and keys[key].dtype != "int64":
                    problems.append(f"loss_fn_inputs['target_tokens'] has dtype {keys[key].dtype}, expected int64")
        return problems

    def _optim_step(self, request: types.OptimStepRequest) -> types.UntypedAPIFuture:
        model = self._model(request.model_id)
        if not isinstance(request.optim_params, types.AdamParams):
            raise _Rejected(400, "TinkerStub models use AdamW: optim_step takes AdamParams")

        def step() -> types.OptimStepResponse:
            model.version += 1
            model.optimizer_steps += 1
            return types.OptimStepResponse()

        return self._in_order(model, request.seq_id, "/api/v1/optim_step", step)

    def _save_weights(self, request: types.SaveWeightsRequest) -> types.UntypedAPIFuture:
        model = self._model(request.model_id)
        path = f"tinker://{model.model_id}/weights/{_checkpoint_name(request.path)}"

        def save() -> types.SaveWeightsResponse:
            _check_ttl(request.ttl_seconds)
            if path in self.checkpoints and not request.overwrite:
                raise _RequestFailed(f"checkpoint {path} already exists; pass overwrite=True to replace it")
            self._save(model, path, "weights", request.ttl_seconds, request.user_metadata)
            return types.SaveWeightsResponse(path=path, type="save_weights")

        return self._in_order(model, request.seq_id, "/api/v1/save_weights", save)

    def _save_weights_for_sampler(self, request: types.SaveWeightsForSamplerRequest) -> types.UntypedAPIFuture:
        model = self._model(request.model_id)
        if request.path is None:
            if request.sampling_session_seq_id is None:
                raise _Rejected(400, "save_weights_for_sampler needs a path or a sampling_session_seq_id")
            session_id = model.model_id.split(":train:")[0]
            sampling_session_id = self._sampling_session_id(session_id, request.sampling_session_seq_id)

            def snapshot() -> types.SaveWeightsForSamplerResponseInternal:
                self.sampling_sessions[sampling_session_id] = SamplingSession(sampling_session_id, model.base_model, None, model.version)
                return types.SaveWeightsForSamplerResponseInternal(sampling_session_id=sampling_session_id)

            return self._in_order(model, request.seq_id, "/api/v1/save_weights_for_sampler", snapshot)
        path = f"tinker://{model.model_id}/sampler_weights/{_checkpoint_name(request.path)}"

        def save() -> types.SaveWeightsForSamplerResponseInternal:
            _check_ttl(request.ttl_seconds)
            self._save(model, path, "sampler_weights", request.ttl_seconds, request.user_metadata)
            return types.SaveWeightsForSamplerResponseInternal(path=path)

        return self._in_order(model, request.seq_id, "/api/v1/save_weights_for_sampler", save)

    def _load_weights(self, request: types.LoadWeightsRequest) -> types.UntypedAPIFuture:
        if request.model_id is not None:  # TrainingClient.load_state*: into an existing model, in order
            if request.session_id is not None or request.model_seq_id is not None:
                raise _Rejected(400, "load_weights takes model_id or session_id with model_seq_id, not both")
            model = self._model(request.model_id)
            return self._in_order(model, request.seq_id, "/api/v1/load_weights", lambda: self._load(model, request))
        if request.session_id is None or request.model_seq_id is None:
            raise _Rejected(400, "load_weights needs model_id, or session_id with model_seq_id")
        self._check_session(request.session_id)
        model_id = self._model_id(request.session_id, request.model_seq_id)

        def create() -> types.LoadWeightsResponse:
            checkpoint = self._saved_state(request.path)
            self.models[model_id] = model = StubModel(model_id, checkpoint.base_model, checkpoint.lora_rank, None)
            return self._load(model, request)

        future, untyped = self._new_future(model_id=model_id)
        self._resolve(future, "/api/v1/load_weights", create)
        return untyped

    def _saved_state(self, path: str) -> StubCheckpoint:
        checkpoint = self.checkpoints.get(path)
        if checkpoint is None or checkpoint.kind != "weights":
            raise _RequestFailed(f"no saved state at {path} (save_state makes one)")
        return checkpoint

    def _load(self, model: StubModel, request: types.LoadWeightsRequest) -> types.LoadWeightsResponse:
        checkpoint = self._saved_state(request.path)
        model.version = checkpoint.version
        model.optimizer_steps = checkpoint.optimizer_steps if request.optimizer else 0
        model.loaded_from = request.path
        return types.LoadWeightsResponse(path=request.path, model_id=model.model_id, type="load_weights")

    def _save(
        self, model: StubModel, path: str, kind: Literal["weights", "sampler_weights"], ttl: int | None, metadata: dict[str, str] | None
    ) -> None:
        self.checkpoints[path] = StubCheckpoint(
            path, kind, model.base_model, model.lora_rank, model.version, model.optimizer_steps, ttl, metadata
        )

    def _in_order(self, model: StubModel, seq_id: int | None, path: str, run: Callable[[], Any]) -> types.UntypedAPIFuture:
        """A future for ``run``, which runs once every request of ``model`` before ``seq_id`` has."""
        if seq_id is None:
            raise _Rejected(400, f"{path} needs a seq_id")
        if seq_id in model.futures_by_seq_id:  # the SDK re-sent it
            return types.UntypedAPIFuture(request_id=model.futures_by_seq_id[seq_id], model_id=model.model_id)
        if seq_id < model.next_seq_id:
            raise _Rejected(400, f"seq_id {seq_id} of {model.model_id} is out of order (next is {model.next_seq_id})")
        future, untyped = self._new_future(model_id=model.model_id)
        model.futures_by_seq_id[seq_id] = future.request_id
        model.waiting[seq_id] = lambda: self._resolve(future, path, run)
        while model.next_seq_id in model.waiting:
            model.waiting.pop(model.next_seq_id)()
            model.next_seq_id += 1
        return untyped

    def _check_session(self, session_id: str) -> None:
        if self._session(session_id) != "active":
            raise _Rejected(410, f"session {session_id} has finished")

    def _check_base_model(self, base_model: str) -> None:
        if base_model not in self.supported_models:
            raise _Rejected(400, f"base model {base_model!r} is not supported (supported: {', '.join(self.supported_models)})")

    def _model(self, model_id: str) -> StubModel:
        if model_id not in self.models:
            raise _Rejected(404, f"unknown model {model_id}")
        return self.models[model_id]

    @staticmethod
    def _model_id(session_id: str, model_seq_id: int) -> str:
        return f"{session_id}:train:{model_seq_id}"  # what the SDK derives, too

    # ---- sampling --------------------------------------------------------------------------------

    @staticmethod
    def _sampling_session_id(session_id: str, sampling_session_seq_id: int) -> str:
        return f"{session_id}:sample:{sampling_session_seq_id}"

    def _create_sampling_session(self, request: types.CreateSamplingSessionRequest) -> types.CreateSamplingSessionResponse:
        self._check_session(request.session_id)
        sampling_session_id = self._sampling_session_id(request.session_id, request.sampling_session_seq_id)
        if request.model_path is not None:
            checkpoint = self.checkpoints.get(request.model_path)
            if checkpoint is None or checkpoint.kind != "sampler_weights":
                raise _Rejected(404, f"no sampler weights at {request.model_path} (save_weights_for_sampler makes them)")
            session = SamplingSession(sampling_session_id, checkpoint.base_model, checkpoint.path, checkpoint.version)
        elif request.base_model is not None:
            self._check_base_model(request.base_model)
            session = SamplingSession(sampling_session_id, request.base_model, None, 0)
        else:
            raise _Rejected(400, "create_sampling_session needs a model_path or a base_model")
        self.sampling_sessions[sampling_session_id] = session
        return types.CreateSamplingSessionResponse(sampling_session_id=sampling_session_id)

    def _get_sampler(self, _body: None, sampling_session_id: str) -> types.GetSamplerResponse:
        session = self._sampling_session(sampling_session_id)
        return types.GetSamplerResponse(sampler_id=sampling_session_id, base_model=session.base_model, model_path=session.model_path)

    def _sampling_session(self, sampling_session_id: str | None) -> SamplingSession:
        if sampling_session_id not in self.sampling_sessions:
            raise _Rejected(404, f"unknown sampling session {sampling_session_id}")
        return self.sampling_sessions[sampling_session_id]

    def _sample(self, request: types.SampleRequest) -> types.UntypedAPIFuture:
        session = self._sampling_session(request.sampling_session_id)
        if request.seq_id is None:
            raise _Rejected(400, "a sample request needs a seq_id")
        unsupported = [
            name
            for name, used in [
                ("topk_prompt_logprobs", request.topk_prompt_logprobs),
                ("topk_sample_logprobs", request.topk_sample_logprobs),
                ("target_prompt_logprobs", request.target_prompt_logprobs is not None),
                ("prompt_alt_tokens_k", request.prompt_alt_tokens_k),
            ]
            if used
        ]
        if unsupported:
            raise _Rejected(400, f"TinkerStub does not implement {', '.join(unsupported)}")
        if request.num_samples < 1:
            raise _Rejected(400, f"num_samples={request.num_samples}: expected at least 1")
        key = (session.sampling_session_id, request.seq_id)
        if key in self._sample_futures:  # the SDK re-sent it
            request_id = self._sample_futures[key]
            return types.UntypedAPIFuture(request_id=request_id, sample_sequence_ids=_sequence_ids(request_id, request.num_samples))
        future, untyped = self._new_future()
        untyped = untyped.model_copy(update={"sample_sequence_ids": _sequence_ids(future.request_id, request.num_samples)})
        future.sampler_key = (session.sampling_session_id, request.seq_id // 1_000_000_000)
        self._sample_futures[key] = future.request_id
        self._resolve(future, "/api/v1/asample", lambda: self._run_sample(session, request))
        return untyped

    def _run_sample(self, session: SamplingSession, request: types.SampleRequest) -> bytes:
        try:
            prompt = request.prompt.to_ints()
        except ValueError as exc:
            raise _RequestFailed(f"TinkerStub samples from token prompts only: {exc}") from None
        params = request.sampling_params
        context = self.supported_models[session.base_model]
        if not prompt:
            raise _RequestFailed("the prompt is empty")
        if len(prompt) + (params.max_tokens or 0) > context:
            raise _RequestFailed(
                f"prompt of {len(prompt)} tokens + max_tokens={params.max_tokens} is over {session.base_model}'s context of {context}"
            )
        if self.sampler is not None:
            sequences = self.sampler(prompt, request.num_samples, params)
            if len(sequences) != request.num_samples:
                raise _RequestFailed(f"TinkerStub's sampler returned {len(sequences)} sequences for num_samples={request.num_samples}")
        else:
            rng = random.Random(params.seed) if params.seed is not None else self._rng
            sequences = [self._default_sequence(rng, params) for _ in range(request.num_samples)]
        stop_ids = self._stop_ids(params.stop)
        response = pb.SampleResponse()
        for tokens in sequences:
            tokens = list(tokens)
            truncated = params.max_tokens is not None and len(tokens) > params.max_tokens
            tokens = tokens[: params.max_tokens] if truncated else tokens
            sequence = response.sequences.add()
            stopped = bool(tokens) and tokens[-1] in stop_ids and not truncated
            sequence.stop_reason = pb.STOP_REASON_STOP if stopped else pb.STOP_REASON_LENGTH
            sequence.tokens = np.asarray(tokens, dtype=np.int32).tobytes()
            sequence.logprobs = fake_logprobs(tokens, session.version).tobytes()
        if request.prompt_logprobs:
            scored = np.concatenate([[np.nan], fake_logprobs(prompt[1:], session.version)]).astype(np.float32)
            if request.prompt_logprobs_last_n is not None:
                scored[: len(prompt) - request.prompt_logprobs_last_n] = np.nan
            response.prompt_logprobs = scored.tobytes()
        return response.SerializeToString()

    def _default_sequence(self, rng: random.Random, params: types.SamplingParams) -> list[int]:
        """A few tokens from ``completion_tokens``, then the first stop token (or until max_tokens if ``stop=[]``)."""
        stop_ids = self._stop_ids(params.stop)
        if not stop_ids and params.max_tokens is not None:
            return [rng.choice(self.completion_tokens) for _ in range(params.max_tokens)]
        tokens = [rng.choice(self.completion_tokens) for _ in range(rng.randint(1, 4))]
        return tokens + stop_ids[:1]

    def _stop_ids(self, stop: str | Sequence[str] | Sequence[int] | None) -> list[int]:
        """Token ids that end a sample: the ids given, none for ``[]``, else (None or text) the EOS id."""
        if isinstance(stop, Sequence) and not isinstance(stop, str) and all(isinstance(item, int) for item in stop):
            return list(stop)  # type: ignore[arg-type]
        return [self.eos_token_id]


# ---- requests ----------------------------------------------------------------------------------------


def _sequence_ids(request_id: str, num_samples: int) -> list[str]:
    return [f"{request_id}:{index}" for index in range(num_samples)]


def _checkpoint_name(name: str | None) -> str:
    if not name or "/" in name:
        raise _Rejected(400, f"checkpoint name {name!r}: expected a non-empty name without '/'")
    return name


def _check_ttl(ttl_seconds: int | None) -> None:
    if ttl_seconds is not None and not MIN_TTL_SECONDS <= ttl_seconds <= MAX_TTL_SECONDS:
        raise _RequestFailed(
            f"ttl_seconds={ttl_seconds}: expected between {MIN_TTL_SECONDS} (1 hour) and {MAX_TTL_SECONDS} (10 years), or None"
        )


def _forget_sessionless_holders(base_url: str) -> None:
    """Close the SDK's process-wide ``RestClient()`` connections to ``base_url``.

    The SDK caches them by the ``base_url``/``api_key`` *arguments* (None when they come from the
    environment), so without this a ``RestClient()`` made under the next stub would reuse the
    connections to this one's closed port.
    """
    from tinker.lib.internal_client_holder import sessionless_holder_cache

    with sessionless_holder_cache._lock:
        stale = {key: holder for key, holder in sessionless_holder_cache._holders.items() if holder._base_url == base_url}
        for key in stale:
            del sessionless_holder_cache._holders[key]
    for holder in stale.values():
        holder.close()
