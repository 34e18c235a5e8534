"""Errors of the command line."""

from __future__ import annotations

from rewardkit.graders.errors import RewardkitError


class UsageError(RewardkitError):
    """A bad flag or input file, named with where it came from; the CLI exits with status 2."""
