"""Unbounded recursion under the default recursion limit: RecursionError."""


def _down(n):
    return _down(n + 1) + 1


def compute_reward(completion, ground_truth):
    return float(_down(0))
