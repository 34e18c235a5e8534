"""Imports a module that does not exist (line 3)."""

import rewardbox_no_such_module_xyz  # noqa: F401


def compute_reward(completion, ground_truth):
    return 1.0
