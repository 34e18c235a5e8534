"""Shared by the property-check tests: the reward modules in ``rewards/`` are data, never collected."""

from __future__ import annotations

from pathlib import Path

collect_ignore = ["rewards"]

REWARDS = Path(__file__).parent / "rewards"
ROOT = Path(__file__).resolve().parents[2]
# Ground truths the checks build their inputs around (a number with a neighbour that contains it, and a digit).
EXAMPLES = [(None, "42"), ("First, 3 + 4 = 7.\n#### 7", "7")]


def reward(name: str) -> str:
    """The path of ``tests/checks/rewards/<name>.py``."""
    path = REWARDS / f"{name}.py"
    assert path.is_file(), path
    return str(path)
