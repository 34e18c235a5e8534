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
RETIRED_EXIT = 75  # a warm call process's exit code when it retires before its chunk is done: the rest runs elsewhere
MAX_TEXT_CHARS = 4096  # per captured stream, and for an error message with its traceback
MAX_COMPONENTS = 32
MAX_COMPONENT_NAME = 64


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
    invalid_input = "invalid_input"  # the row itself could not be graded (not sent to the reward)
    abstained = "abstained"  # a harness reward returned None: it does not apply to this row (TRL's convention)

    def __str__(self) -> str:
        return self.value


class InvalidReturn(Exception):
    """The reward returned something that is not a finite real number."""


# Bound now, before user code runs: a reward that replaces builtins.float must not change how its result is read.
_float, _isinstance, _type, _isfinite, _Real = float, isinstance, type, math.isfinite, numbers.Real
_int, _bool = int, bool


def coerce_score(value: object) -> float:
    """Return ``value`` as a finite float, or raise ``InvalidReturn`` saying why.

    bool, int, float and numpy scalars (numpy.bool_ included) are accepted; None,
    NaN, +-inf, strings, containers, ints too large for a float and objects whose
    conversion fails are not.
    """
    if _type(value) is _float and _isfinite(value):
        return value  # the common case, without the ABC check below
    if _isinstance(value, (str, bytes)) or not (_isinstance(value, _Real) or _is_numpy_scalar(value)):
        raise InvalidReturn(f"reward returned {_type(value).__name__}, expected a real number")
    try:
        score = _float(value)
    except BaseException as exc:  # noqa: BLE001 - any failure of a hostile __float__ is an invalid return
        raise InvalidReturn(f"float() of the returned {_type(value).__name__} failed: {_type(exc).__name__}") from None
    if _type(score) is not _float:  # a float subclass could carry hostile methods
        score = _float.__float__(score)
    if not _isfinite(score):
        raise InvalidReturn(f"reward returned {score!r}, expected a finite number")
    return score


def _is_numpy_scalar(value: object) -> bool:
    """A 0-d numpy bool, integer or float (numpy.bool_ is not a numbers.Real)."""
    dtype = getattr(_type(value), "dtype", None)
    return _type(value).__module__ == "numpy" and dtype is not None and getattr(value, "shape", None) == () and value.dtype.kind in "biuf"


_components: dict[str, float] = {}
_in_sandbox = False  # set by the zygote: there, components belong to one call and more than MAX_COMPONENTS is an error


def record_components(values: dict[str, float]) -> None:
    """Attach named sub-scores (``{"format": 1.0, "correct": 0.0}``) to the result of the call in progress.

    Composed rewards call this so the hygiene report can tell which term gave the
    signal; the score itself is still the float the reward returns. Outside the
    sandbox it only keeps the latest values, readable with ``take_components()``.
    """
    for name, value in values.items():
        if not _isinstance(name, str) or not 0 < len(name) <= MAX_COMPONENT_NAME:
            raise ValueError(f"component name {name!r}: expected a non-empty str of at most {MAX_COMPONENT_NAME} characters")
        if name not in _components and len(_components) >= MAX_COMPONENTS:
            if _in_sandbox:
                raise ValueError(f"at most {MAX_COMPONENTS} components per call")
            _components.clear()  # in-process, nobody may be taking them: keep the latest only
        _components[name] = coerce_score(value)


def take_components() -> dict[str, float]:
    """Return the components recorded since the last call and forget them."""
    taken = dict(_components)
    _components.clear()
    return taken


def bounded(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Keep the head and the tail of ``text`` so it fits in ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 40) // 2
    return f"{text[:half]}\n... [{len(text) - 2 * half} characters cut] ...\n{text[-half:]}"


def frame_limit(text_chars: int) -> int:
    """The largest frame a call may write when ``text_chars`` of each stream are kept (JSON may escape each char into six)."""
    return max(MAX_FRAME_BYTES, 12 * text_chars + MAX_FRAME_BYTES)


def encode_frame(
    call_id: int,
    status: Status,
    score: float,
    duration_ms: float,
    error: str | None = None,
    stdout: str = "",
    stderr: str = "",
    components: dict[str, float] | None = None,
    text_chars: int = MAX_TEXT_CHARS,
) -> bytes:
    """One result as one line: ``ID SCORE MICROSECONDS`` for a silent ok call, ``ID J {json}`` otherwise."""
    duration_us = int(duration_ms * 1000)
    if status is Status.ok and not stdout and not stderr and not components:
        return f"{call_id} {score!r} {duration_us}\n".encode()
    payload = {
        "score": score,
        "status": status.value,
        "error": bounded(error) if error else None,
        "duration_us": duration_us,
        "stdout": bounded(stdout, text_chars),
        "stderr": bounded(stderr, text_chars),
        "components": components or {},
    }
    line = f"{call_id} J {json.dumps(payload, ensure_ascii=True)}\n".encode()
    return line if len(line) <= frame_limit(text_chars) else encode_frame(call_id, status, score, duration_ms, error)
