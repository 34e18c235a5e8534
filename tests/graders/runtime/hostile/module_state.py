"""Counts its calls in a module global and returns the count."""
CALLS = 0


def compute_reward(completion, ground_truth):
    global CALLS
    CALLS += 1
    return float(CALLS)
