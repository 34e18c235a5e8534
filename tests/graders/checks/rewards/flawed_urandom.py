"""Partial credit for a wrong number, jittered with os.urandom, which nobody can seed."""
import os

from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return os.urandom(1)[0] / 2550 if final_answer(completion) else 0.0
