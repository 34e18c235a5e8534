"""Gives 0.2 'format credit' to anything without an answer, empty and unrelated text included."""
from _final_answer import correct


def compute_reward(completion, ground_truth):
    return 1.0 if correct(completion, ground_truth) else 0.2
