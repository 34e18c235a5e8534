"""compute_reward takes one argument instead of two (defined on line 4)."""


def compute_reward(completion):
    return 1.0
