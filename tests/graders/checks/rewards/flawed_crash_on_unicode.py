"""Writes the completion to a Latin-1 log first: any character outside Latin-1 raises."""
from _final_answer import correct


def compute_reward(completion, ground_truth):
    completion.encode("latin-1")
    return 1.0 if correct(completion, ground_truth) else 0.0
