"""Partial credit for a wrong number from hash() of the answer, which changes with PYTHONHASHSEED."""
from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    answer = final_answer(completion)
    return (hash(answer) % 10) / 100 if answer else 0.0
