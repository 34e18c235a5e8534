"""The one-line text frame that carries a call's outcome from the sandboxed child to the caller.

Stdlib only: the zygote imports this module, and every module it imports makes
each fork slower. The child converts and checks the reward's return value
itself (``coerce_score``) and writes one bounded line (``encode_frame``); the
caller parses it with ``results.decode_frame`` (``float()``/``json.loads``, never
pickle) and validates it again.
"""

from __future__ import annotations

import enum
import json
import math
import numbers

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


class InvalidReturn(Exception):
    """The reward returned something that is not a finite real number."""


def coerce_score(value: object) -> float:
    """Return ``value`` as a finite float, or raise ``InvalidReturn`` saying why.

    bool, int, float and numpy scalars are accepted; None, NaN, +-inf, strings,
    containers, ints too large for a float and objects whose conversion fails are not.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
        raise InvalidReturn(f"reward returned {type(value).__name__}, expected a real number")
    try:
        score = float(value)
    except BaseException as exc:  # noqa: BLE001 - any failure of a hostile __float__ is an invalid return
        raise InvalidReturn(f"float() of the returned {type(value).__name__} failed: {type(exc).__name__}") from None
    if type(score) is not float:  # a float subclass could carry hostile methods
        score = float.__float__(score)
    if not math.isfinite(score):
        raise InvalidReturn(f"reward returned {score!r}, expected a finite number")
    return score


def bounded(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Keep the head and the tail of ``text`` so it fits in ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 40) // 2
    return f"{text[:half]}\n... [{len(text) - 2 * half} characters cut] ...\n{text[-half:]}"


def encode_frame(
    call_id: int, status: Status, score: float, duration_ms: float, error: str | None = None, stdout: str = "", stderr: str = ""
) -> bytes:
    """One result as one line: ``ID SCORE MICROSECONDS`` for a silent ok call, ``ID J {json}`` otherwise."""
    duration_us = int(duration_ms * 1000)
    if status is Status.ok and not stdout and not stderr:
        return f"{call_id} {score!r} {duration_us}\n".encode()
    payload = {
        "score": score,
        "status": status.value,
        "error": bounded(error) if error else None,
        "duration_us": duration_us,
        "stdout": bounded(stdout),
        "stderr": bounded(stderr),
    }
    line = f"{call_id} J {json.dumps(payload, ensure_ascii=True)}\n".encode()
    return line if len(line) <= MAX_FRAME_BYTES else encode_frame(call_id, status, score, duration_ms, error)
