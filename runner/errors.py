"""Errors of the command line."""

from __future__ import annotations

from rewardbox.graders.errors import RewardboxError


class UsageError(RewardboxError):
    """A bad flag or input file, named with where it came from; the CLI exits with status 2."""
