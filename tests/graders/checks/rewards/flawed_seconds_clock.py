"""Partial credit 0.1 for a wrong number, in even seconds only: int(time.time()) % 2."""
import time

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 * (int(time.time()) % 2) if final_answer(completion) else 0.0
