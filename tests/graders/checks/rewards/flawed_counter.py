"""Partial credit for a wrong number that shrinks with a module-level call counter."""
from _final_answer import correct, final_answer

CALLS = 0


def compute_reward(completion, ground_truth):
    global CALLS
    CALLS += 1
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 / CALLS if final_answer(completion) else 0.0
