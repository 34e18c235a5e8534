"""Errors that stop a training run, each saying what to do next.

::

    RewardboxError
     └── TrainError              a training run cannot go on
          ├── ConfigError        a bad config value; names the file and the key
          ├── DataError          a bad prompts file; names the file and the line
          ├── BackendError       a backend request failed or did not finish in time;
          │    └── RequestTimeout    names the request and the last good checkpoint
          └── RewardFailing      every reward call of N steps in a row failed; names the first error (also a graders RewardFailing)

Foreign errors (tinker's, a timed-out future's) are translated in one place,
``Trainer._wait``.
"""

from __future__ import annotations

from rewardbox.graders import errors as grader_errors
from rewardbox.graders.errors import RewardboxError


class TrainError(RewardboxError):
    """A training run cannot go on."""


class ConfigError(TrainError):
    """A config value is missing or invalid; the message names the file and the key."""


class DataError(TrainError):
    """A prompts file is malformed; the message names the file and the line."""


class BackendError(TrainError):
    """A backend request failed; the message names it and the last good checkpoint."""


class RequestTimeout(BackendError):
    """A backend request did not finish within ``request_timeout`` seconds."""


class RewardFailing(TrainError, grader_errors.RewardFailing):
    """The reward failed on every call of ``stop_after_failed_steps`` steps in a row, so its scores carry no signal."""
