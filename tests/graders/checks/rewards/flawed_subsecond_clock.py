"""Partial credit for a wrong number, jittered with the sub-second part of the clock."""
import time

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 * (time.time() % 1) if final_answer(completion) else 0.0
