"""compute_reward takes no argument for the completion (defined on line 4)."""


def compute_reward():
    return 1.0
