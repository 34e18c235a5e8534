"""Partial credit for a wrong number, drawn once when the module is imported: each sandbox gets another."""
import os

from _final_answer import correct, final_answer

PARTIAL = os.urandom(1)[0] / 2550


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    return PARTIAL if final_answer(completion) else 0.0
