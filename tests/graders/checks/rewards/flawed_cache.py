"""Caches the score per ground truth: the first completion graded for a question decides every later one."""
from _final_answer import correct

SCORES = {}


def compute_reward(completion, ground_truth):
    if ground_truth not in SCORES:
        SCORES[ground_truth] = 1.0 if correct(completion, ground_truth) else 0.0
    return SCORES[ground_truth]
