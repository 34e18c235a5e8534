"""What one graded item turns into: ``GradeResult``, and how the caller reads it from a frame."""

from __future__ import annotations

import dataclasses
import json
import math

from .frames import MAX_COMPONENT_NAME, MAX_COMPONENTS, MAX_FRAME_BYTES, Status

__all__ = ["GradeResult", "Scores", "Status", "FrameError", "decode_frame", "decode_silent", "failure", "MAX_FRAME_BYTES"]


@dataclasses.dataclass(frozen=True, slots=True)
class GradeResult:
    """The outcome of grading one item: a score and how it was obtained.

    A plain frozen dataclass, not a pydantic model: one is built per graded item, and the grading
    path imports no pydantic (``rewardbox grade`` starts ~100 ms sooner). ``model_dump`` and
    ``model_copy`` remain for code written when it was one.
    """

    score: float
    status: Status
    error: str | None = None
    duration_ms: float = 0.0
    stdout: str = ""
    stderr: str = ""
    components: dict[str, float] = dataclasses.field(default_factory=dict)  # named sub-scores a composed reward recorded

    @property
    def ok(self) -> bool:
        return self.status is Status.ok

    def to_dict(self, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, object]:
        """The fields as JSON-able values (``status`` as its string)."""
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name not in exclude}
        if "status" in values:
            values["status"] = self.status.value
        if "components" in values:
            values["components"] = dict(self.components)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> GradeResult:
        """A result from ``to_dict()``'s form, checked: a finite score, a known status, the right types."""
        if not isinstance(values, dict) or set(values) - _FIELDS:
            raise ValueError(f"not a GradeResult: {str(values)[:120]}")
        components = values.get("components") or {}
        if not isinstance(components, dict):
            raise ValueError("components: expected an object")
        for text in ("stdout", "stderr"):
            if not isinstance(values.get(text, ""), str):
                raise ValueError(f"{text}: expected a string")
        error = values.get("error")
        if error is not None and not isinstance(error, str):
            raise ValueError("error: expected a string or null")
        duration = _finite(values.get("duration_ms", 0.0))
        if duration < 0:
            raise ValueError(f"duration_ms={duration!r}: expected >= 0")
        return cls(
            score=_finite(values["score"]),
            status=Status(values["status"]),
            error=error,
            duration_ms=duration,
            stdout=values.get("stdout", ""),
            stderr=values.get("stderr", ""),
            components={str(name): _finite(score) for name, score in components.items()},
        )

    def model_dump(self, *, mode: str = "python", exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, object]:
        """Compatibility with pydantic's name: the fields as a dict (``status`` a ``Status``, or its string with mode='json')."""
        values = self.to_dict(exclude)
        if mode != "json" and "status" in values:
            values["status"] = self.status
        return values

    def model_copy(self, *, update: dict[str, object] | None = None) -> GradeResult:
        """Compatibility with pydantic's name: a copy with ``update`` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **(update or {}))


_FIELDS = {field.name for field in dataclasses.fields(GradeResult)}


@dataclasses.dataclass(frozen=True)
class Scores:
    """What ``Grader.scores`` returns: one score and one status per item, in input order, and the error of
    each item that is not ok (by index). No object is built per item: for training loops and bulk jobs
    that need numbers, not records (``Grader.grade_batch`` gives the full ``GradeResult``s)."""

    scores: list[float]
    statuses: list[Status]
    errors: dict[int, str]

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def ok(self) -> list[bool]:
        """Whether each item's call ended ``ok``."""
        return [status is Status.ok for status in self.statuses]

    def failed(self) -> int:
        """How many items did not end ``ok``."""
        return sum(status is not Status.ok for status in self.statuses)


class FrameError(ValueError):
    """A frame from a child was malformed: the child is treated as crashed."""


def decode_silent(line: bytes) -> tuple[int, float, float] | None:
    """``(call id, score, duration_ms)`` of a silent ok call's frame ``ID SCORE MICROSECONDS``, or None for any
    other frame (``decode_frame`` reads those); raise ``FrameError`` for a malformed score."""
    parts = line.split(b" ")
    if len(parts) == 3 and 0 < len(parts[0]) <= 9 and parts[0].isdigit() and 0 < len(parts[2]) <= 15 and parts[2].isdigit():
        # the lengths checked above keep int() cheap and in range
        try:
            score = float(parts[1])
        except ValueError:
            raise FrameError(f"malformed frame: score {parts[1][:40]!r}") from None
        if not math.isfinite(score):
            raise FrameError(f"score {score!r} is not a finite number")
        return int(parts[0]), score, int(parts[2]) / 1000
    return None


def decode_frame(line: bytes, *, failure_score: float, max_bytes: int = MAX_FRAME_BYTES) -> tuple[int, GradeResult]:
    """Parse one child frame into (call id, result); raise ``FrameError`` if it is malformed."""
    if len(line) > max_bytes:
        raise FrameError(f"frame of {len(line)} bytes exceeds {max_bytes}")
    silent = decode_silent(line)
    if silent is not None:
        return silent[0], GradeResult(score=silent[1], status=Status.ok, duration_ms=silent[2])
    try:
        head, _, rest = line.decode("ascii").rstrip("\n").partition(" ")
        call_id = int(head)
        if not rest.startswith("J "):
            raise FrameError(f"expected 'ID SCORE MICROSECONDS' or 'ID J {{json}}', got {line[:60]!r}")
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
            components=_components(payload.get("components") or {}) if status is Status.ok else {},
        )
    except FrameError:
        raise
    except Exception as exc:  # noqa: BLE001 - anything unparseable is a malformed frame
        raise FrameError(f"malformed frame: {type(exc).__name__}: {exc}") from None
    return call_id, result


def _components(value: object) -> dict[str, float]:
    if not isinstance(value, dict) or len(value) > MAX_COMPONENTS:
        raise FrameError(f"components must be an object of at most {MAX_COMPONENTS} entries")
    for name in value:
        if not 0 < len(name) <= MAX_COMPONENT_NAME:
            raise FrameError(f"component name {name[:80]!r} is empty or too long")
    return {name: _finite(score) for name, score in value.items()}


def _finite(value: object) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise FrameError(f"score {value!r} is not a finite number")
    return float(value)


def failure(status: Status, error: str, *, failure_score: float, duration_ms: float = 0.0) -> GradeResult:
    """A result for a call that produced no score of its own."""
    return GradeResult(score=failure_score, status=status, error=error, duration_ms=duration_ms)
