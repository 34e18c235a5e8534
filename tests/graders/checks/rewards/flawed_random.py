"""Partial credit for a wrong number, jittered with random.random() to break ties.

The sandbox seeds random before every call, so the jitter repeats under one seed; another seed shows it.
"""
import random

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 * random.random() if final_answer(completion) else 0.0
