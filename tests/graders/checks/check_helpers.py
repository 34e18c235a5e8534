"""Paths and examples shared by the property-check tests (a module of its own: ``conftest`` names collide across folders)."""

from __future__ import annotations

from pathlib import Path

REWARDS = Path(__file__).parent / "rewards"
ROOT = Path(__file__).resolve().parents[3]
# Ground truths the checks build their inputs around (a number with a neighbour that contains it, and a digit).
EXAMPLES = [(None, "42"), ("First, 3 + 4 = 7.\n#### 7", "7")]


def reward(name: str) -> str:
    """The path of ``tests/graders/checks/rewards/<name>.py``."""
    path = REWARDS / f"{name}.py"
    assert path.is_file(), path
    return str(path)
