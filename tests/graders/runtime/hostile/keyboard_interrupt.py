"""Raises KeyboardInterrupt as if Ctrl-C had been pressed."""


def compute_reward(completion, ground_truth):
    raise KeyboardInterrupt("simulated Ctrl-C")
