"""Synthetic sample groups whose hygiene figures are known by construction."""

from __future__ import annotations

import json
from pathlib import Path

from rewardbox.graders.hygiene import SampleGroup

# A healthy group: four distinct scores (partial credit), lengths uncorrelated with score within the group.
HEALTHY_SCORES = [0.0, 1.0, 0.25, 0.75]
HEALTHY_LENGTHS = [10, 10, 20, 20]


def group(
    scores: list[float],
    *,
    lengths: list[int] | None = None,
    stop_reasons: list[str] | None = None,
    statuses: list[str] | None = None,
    texts: list[str] | None = None,
    **fields,
) -> SampleGroup:
    """A group with these scores; completions are 'x' * length (default length 10), finished ('stop') and ok."""
    lengths = lengths or [10] * len(scores)
    return SampleGroup(
        prompt="What is 6 * 7?",
        ground_truth="42",
        completions=texts if texts is not None else ["x" * n for n in lengths],
        num_tokens=lengths,
        scores=scores,
        stop_reasons=stop_reasons or ["stop"] * len(scores),
        statuses=statuses or ["ok"] * len(scores),
        **fields,
    )


def healthy(count: int, **fields) -> list[SampleGroup]:
    """``count`` mixed groups that trigger no recommendation."""
    return [group(HEALTHY_SCORES, lengths=HEALTHY_LENGTHS, **fields) for _ in range(count)]


def constant(value: float, count: int, **fields) -> list[SampleGroup]:
    """``count`` groups of four completions that all score ``value``."""
    return [group([value] * 4, **fields) for _ in range(count)]


def write_jsonl(path: Path, lines: list[object]) -> Path:
    """Write groups (as their JSON, without None fields), dicts or raw text lines, one per line."""
    def text(line: object) -> str:
        if isinstance(line, SampleGroup):
            return line.model_dump_json(exclude_none=True)
        return line if isinstance(line, str) else json.dumps(line)

    path.write_text("".join(text(line) + "\n" for line in lines))
    return path
