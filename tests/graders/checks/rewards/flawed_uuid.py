"""Partial credit 0.1 for a wrong number on a coin flip from uuid4."""
import uuid

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return 0.1 * (uuid.uuid4().int % 2) if final_answer(completion) else 0.0
