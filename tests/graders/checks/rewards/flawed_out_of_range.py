"""Penalises a wrong number with -0.5, outside the declared range [0, 1]."""
from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return -0.5 if final_answer(completion) else 0.0
