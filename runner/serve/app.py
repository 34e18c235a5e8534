"""The HTTP face of ``rewardbox serve``: the routes trainers already call, on Starlette.

========================================== =========================================================================
route                                      for
========================================== =========================================================================
``POST /v1/grade[/REWARD]``                rewardbox's own: ``{"rows": [...]}`` -> ``{"results": [...]}`` in order
``POST /v1/grade/stream[/REWARD]``         the same as NDJSON lines, in order, as they are ready (large batches)
``POST /get_reward``, ``/REWARD/get_reward``  OpenRLHF's ``--remote_rm_url``: ``{query, prompts, labels}`` ->
                                           ``{rewards, scores, extra_logs}``
``POST /slime``, ``/slime/REWARD``          slime's ``--rm-url``: ``{prompt, response, label}`` -> a number
                                           (``?format=dict``: ``{"score", "ok", components}`` for ``--reward-key score``)
``POST /run_code``, ``GET /v1/ping``       SandboxFusion's, answered by the sandboxed code runner (verl, tinker-cookbook)
``GET /health``, ``GET /ready``            liveness, and readiness (every grader loaded)
``GET /metrics``                           Prometheus
========================================== =========================================================================

Every request but ``/health`` and ``/ready`` needs ``Authorization: Bearer TOKEN`` when a token is
set. Malformed or oversized requests get a 4xx naming the problem; a full queue a 429 with
``Retry-After``; a request past ``request_timeout`` a 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from typing import Any, AsyncIterator, Callable

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSON
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from rewardbox.graders import GradeResult
from rewardbox.library.code.run import RESULT_MARKER, SANDBOX_FUSION_LANGUAGES

from .service import RUN_CODE, Busy, Service, UnknownReward

_OPEN = ("/health", "/ready")


class JSONResponse(_StarletteJSON):
    """JSON rendered by orjson: a batch of 256 results in a fraction of the standard library's time."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class HTTPProblem(Exception):
    """A request the service refuses: the status code and what is wrong with it."""

    def __init__(self, code: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.headers = code, detail, headers or {}


def result_json(result: GradeResult) -> dict[str, Any]:
    return {"score": result.score, "status": result.status.value, "error": result.error, "components": dict(result.components), "duration_ms": result.duration_ms}


def create_app(service: Service, token: str | None) -> Starlette:
    """The application over a started ``service``; ``token`` (None: none required) guards every route but the probes."""
    config = service.config
    max_bytes = int(config.max_request_mb * (1 << 20))

    async def body(request: Request) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise HTTPProblem(413, f"the request body is {declared} bytes; max_request_mb = {config.max_request_mb:g}")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise HTTPProblem(413, f"the request body passes max_request_mb = {config.max_request_mb:g}")
            chunks.append(chunk)
        try:
            data = b"".join(chunks)
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                return json.loads(data)  # what orjson refuses and JSON allows: integers past 64 bits
        except (ValueError, UnicodeDecodeError) as exc:
            raise HTTPProblem(400, f"the body is not JSON: {exc}") from None

    def rows_of(data: Any, key: str = "rows") -> list:
        rows = data.get(key) if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise HTTPProblem(422, f"expected a JSON object with {key!r}: a list of rows ({{'completion': ..., 'ground_truth': ...}})")
        if len(rows) > config.max_rows:
            raise HTTPProblem(413, f"{len(rows)} rows in one request; max_rows = {config.max_rows}")
        return rows

    async def graded(name: str | None, rows: list) -> tuple[str, list[GradeResult]]:
        try:
            chosen = service.reward(name)
        except UnknownReward as exc:
            raise HTTPProblem(404, str(exc)) from None
        try:
            return chosen, await service.grade(chosen, rows, config.request_timeout)
        except Busy as exc:
            raise HTTPProblem(429, str(exc), {"Retry-After": str(exc.retry_after)}) from None
        except asyncio.TimeoutError:
            raise HTTPProblem(504, f"grading took longer than request_timeout = {config.request_timeout:g} s") from None

    async def grade(request: Request) -> Response:
        data = await body(request)
        name, results = await graded(request.path_params.get("reward") or (data.get("reward") if isinstance(data, dict) else None), rows_of(data))
        return JSONResponse({"reward": name, "results": [result_json(result) for result in results]})

    async def grade_stream(request: Request) -> Response:
        data = await body(request)
        rows = rows_of(data)
        try:
            name = service.reward(request.path_params.get("reward") or (data.get("reward") if isinstance(data, dict) else None))
        except UnknownReward as exc:
            raise HTTPProblem(404, str(exc)) from None
        chunk = max(1, min(256, len(rows) // 8 or 1))

        async def lines() -> AsyncIterator[bytes]:
            for start in range(0, len(rows), chunk):  # in order, a chunk at a time: the client reads results as they come
                try:
                    results = await service.grade(name, rows[start:start + chunk], config.request_timeout)
                except Busy as exc:
                    yield orjson.dumps({"index": start, "error": str(exc), "retry_after": exc.retry_after}) + b"\n"
                    return
                for offset, result in enumerate(results):
                    yield orjson.dumps({"index": start + offset, **result_json(result)}) + b"\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    async def openrlhf(request: Request) -> Response:
        data = await body(request)
        if not isinstance(data, dict) or not isinstance(data.get("query"), list):
            raise HTTPProblem(422, "OpenRLHF's request is {'query': [prompt + response, ...], 'prompts': [...], 'labels': [...]}")
        queries = data["query"]
        prompts = data.get("prompts") or [None] * len(queries)
        labels = data.get("labels") or [None] * len(queries)
        if len(prompts) != len(queries) or len(labels) != len(queries):
            raise HTTPProblem(422, f"{len(queries)} queries, {len(prompts)} prompts and {len(labels)} labels: one of each per sample")
        if len(queries) > config.max_rows:
            raise HTTPProblem(413, f"{len(queries)} queries in one request; max_rows = {config.max_rows}")
        rows = [
            {"completion": query[len(prompt):] if isinstance(prompt, str) and isinstance(query, str) and query.startswith(prompt) else query, "ground_truth": label, "prompt": prompt}
            for query, prompt, label in zip(queries, prompts, labels)
        ]
        _, results = await graded(request.path_params.get("reward"), rows)
        rewards = [result.score for result in results]
        names = sorted({name for result in results for name in result.components})
        logs = {name: [result.components.get(name, 0.0) for result in results] for name in names}
        logs["rewardbox_ok"] = [1.0 if result.ok else 0.0 for result in results]
        return JSONResponse({"rewards": rewards, "scores": rewards, "extra_logs": logs})

    async def slime(request: Request) -> Response:
        data = await body(request)
        if not isinstance(data, dict) or not isinstance(data.get("response"), str):
            raise HTTPProblem(422, "slime's request is {'prompt': ..., 'response': '...', 'label': ...}")
        row = {"completion": data["response"], "ground_truth": data.get("label"), "prompt": data.get("prompt")}
        _, [result] = await graded(request.path_params.get("reward"), [row])
        if request.query_params.get("format") == "dict":
            return JSONResponse({"score": result.score, "ok": result.ok, "status": result.status.value, **result.components})
        return JSONResponse(result.score)

    async def run_code(request: Request) -> Response:
        data = await body(request)
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            raise HTTPProblem(422, "SandboxFusion's request needs 'code' (a string) and 'language'")
        language = data.get("language", "python")
        if language not in SANDBOX_FUSION_LANGUAGES:
            raise HTTPProblem(400, f"language {language!r} is not run here; the languages: {', '.join(SANDBOX_FUSION_LANGUAGES)}")
        if RUN_CODE not in service.served:
            raise HTTPProblem(404, "run_code is off in this service's config")
        request_fields = {key: data.get(key) for key in ("language", "stdin", "files", "fetch_files", "compile_timeout", "run_timeout", "memory_limit_MB")}
        _, [result] = await graded(RUN_CODE, [{"completion": data["code"], "ground_truth": request_fields}])
        found = next((line[len(RESULT_MARKER):] for line in result.stdout.splitlines() if line.startswith(RESULT_MARKER)), None)
        if found is None:
            return JSONResponse({"status": "SandboxError", "message": result.error or f"the run ended {result.status.value}", "compile_result": None, "run_result": None, "executor_pod_name": None, "files": {}})
        return JSONResponse(orjson.loads(found))

    async def ping(request: Request) -> Response:
        return JSONResponse("pong")

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        return JSONResponse({"ready": service.ready, "rewards": service.names(), "run_code": RUN_CODE in service.served}, status_code=200 if service.ready else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    def endpoint(name: str, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            started = time.monotonic()
            try:
                if token is not None and request.url.path not in _OPEN:
                    offered = request.headers.get("authorization", "")
                    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
                        raise HTTPProblem(401, "a bearer token is required: Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
                response = await handler(request)
            except HTTPProblem as exc:
                response = JSONResponse({"detail": exc.detail}, status_code=exc.code, headers=exc.headers)
            service.metrics.requests.labels(name, str(response.status_code)).inc()
            service.metrics.latency.labels(name).observe(time.monotonic() - started)
            return response

        return wrapped

    routes = [
        Route("/v1/grade", endpoint("grade", grade), methods=["POST"]),
        Route("/v1/grade/stream", endpoint("grade_stream", grade_stream), methods=["POST"]),
        Route("/v1/grade/stream/{reward}", endpoint("grade_stream", grade_stream), methods=["POST"]),
        Route("/v1/grade/{reward}", endpoint("grade", grade), methods=["POST"]),
        Route("/get_reward", endpoint("openrlhf", openrlhf), methods=["POST"]),
        Route("/{reward}/get_reward", endpoint("openrlhf", openrlhf), methods=["POST"]),
        Route("/slime", endpoint("slime", slime), methods=["POST"]),
        Route("/slime/{reward}", endpoint("slime", slime), methods=["POST"]),
        Route("/run_code", endpoint("run_code", run_code), methods=["POST"]),
        Route("/v1/ping", endpoint("ping", ping), methods=["GET"]),
        Route("/health", endpoint("health", health), methods=["GET"]),
        Route("/ready", endpoint("ready", ready), methods=["GET"]),
        Route("/metrics", endpoint("metrics", metrics), methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()  # after the server stopped taking requests and answered the ones it had

    return Starlette(routes=routes, lifespan=lifespan)

