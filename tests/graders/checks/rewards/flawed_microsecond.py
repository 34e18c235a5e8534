"""Partial credit 0.1 for a wrong number when datetime.now().microsecond is odd."""
from datetime import datetime

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 * (datetime.now().microsecond % 2) if final_answer(completion) else 0.0
