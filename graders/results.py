"""What one graded item turns into: ``GradeResult``, its ``Status``, and the
one-line text frame that carries it from the sandboxed child to the caller.

The child converts and checks the reward's return value itself
(``coerce_score``) and writes one bounded line. The caller parses that line
with ``decode_frame`` (``float()`` and ``json.loads``, never pickle) and
validates it again.
"""

from __future__ import annotations

import enum
import json
import math
import numbers

from pydantic import BaseModel, ConfigDict, Field

MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4096  # per captured stream, and for an error message with its traceback


class Status(str, enum.Enum):
    """How a call ended. Only ``ok`` carries the reward's own score."""

    ok = "ok"
    exception = "exception"
    timeout = "timeout"
    invalid_return = "invalid_return"
    crashed = "crashed"
    memory_limit = "memory_limit"
    output_limit = "output_limit"
    load_error = "load_error"

    def __str__(self) -> str:
        return self.value


class GradeResult(BaseModel):
    """The outcome of grading one item: a score and how it was obtained."""

    model_config = ConfigDict(frozen=True)

    score: float
    status: Status
    error: str | None = None
    duration_ms: float = Field(default=0.0, ge=0.0)
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.ok


class InvalidReturn(Exception):
    """The reward returned something that is not a finite real number."""


def coerce_score(value: object) -> float:
    """Return ``value`` as a finite float, or raise ``InvalidReturn`` saying why.

    bool, int, float and numpy scalars are accepted; None, NaN, +-inf, strings,
    containers, ints too large for a float and objects whose conversion fails are not.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
        raise InvalidReturn(f"reward returned {_type_name(value)}, expected a real number")
    try:
        score = float(value)
    except BaseException as exc:  # noqa: BLE001 - any failure of a hostile __float__ is an invalid return
        raise InvalidReturn(f"float() of the returned {_type_name(value)} failed: {type(exc).__name__}") from None
    if type(score) is not float:  # a float subclass could carry hostile methods
        score = float.__float__(score)
    if not math.isfinite(score):
        raise InvalidReturn(f"reward returned {score!r}, expected a finite number")
    return score


def _type_name(value: object) -> str:
    return type(value).__name__


def bounded(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Keep the head and the tail of ``text`` so it fits in ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 40) // 2
    return f"{text[:half]}\n... [{len(text) - 2 * half} characters cut] ...\n{text[-half:]}"


def encode_frame(call_id: int, result: GradeResult) -> bytes:
    """One result as one line: a compact form for a silent ok call, JSON otherwise."""
    duration_us = int(result.duration_ms * 1000)
    if result.status is Status.ok and not result.stdout and not result.stderr:
        return f"{call_id} {result.score!r} {duration_us}\n".encode()
    payload = {
        "score": result.score,
        "status": result.status.value,
        "error": bounded(result.error) if result.error else None,
        "duration_us": duration_us,
        "stdout": bounded(result.stdout),
        "stderr": bounded(result.stderr),
    }
    line = f"{call_id} J {json.dumps(payload, ensure_ascii=True)}\n".encode()
    return line if len(line) <= MAX_FRAME_BYTES else encode_frame(call_id, result.model_copy(update={"stdout": "", "stderr": ""}))


class FrameError(ValueError):
    """A frame from a child was malformed: the child is treated as crashed."""


def decode_frame(line: bytes, *, failure_score: float) -> tuple[int, GradeResult]:
    """Parse one child frame into (call id, result); raise ``FrameError`` if it is malformed."""
    if len(line) > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {len(line)} bytes exceeds {MAX_FRAME_BYTES}")
    try:
        head, _, rest = line.decode("ascii").rstrip("\n").partition(" ")
        call_id = int(head)
        if rest.startswith("J "):
            payload = json.loads(rest[2:])
            if not isinstance(payload, dict):
                raise FrameError("JSON frame is not an object")
            status = Status(payload["status"])
            score = payload["score"] if status is Status.ok else failure_score
            result = GradeResult(
                score=_finite(score),
                status=status,
                error=payload.get("error"),
                duration_ms=int(payload.get("duration_us", 0)) / 1000,
                stdout=payload.get("stdout") or "",
                stderr=payload.get("stderr") or "",
            )
        else:
            score_text, duration_text = rest.split(" ")
            result = GradeResult(score=_finite(float(score_text)), status=Status.ok, duration_ms=int(duration_text) / 1000)
    except FrameError:
        raise
    except Exception as exc:  # noqa: BLE001 - anything unparseable is a malformed frame
        raise FrameError(f"malformed frame: {type(exc).__name__}: {exc}") from None
    return call_id, result


def _finite(value: object) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise FrameError(f"score {value!r} is not a finite number")
    return float(value)


def failure(status: Status, error: str, *, failure_score: float, duration_ms: float = 0.0) -> GradeResult:
    """A result for a call that produced no score of its own."""
    return GradeResult(score=failure_score, status=status, error=error, duration_ms=duration_ms)
