"""Raises while being imported (line 5)."""


def _configure():
    raise RuntimeError("cannot configure the reward")


_configure()


def compute_reward(completion, ground_truth):
    return 1.0
