"""Partial credit when the answer comes 'first' in a set of candidates: set order of strings follows PYTHONHASHSEED."""
from _final_answer import correct, final_answer


def compute_reward(completion, ground_truth):
    if correct(completion, ground_truth):
        return 1.0
    answer = final_answer(completion)
    if not answer:
        return 0.0
    candidates = {answer, ground_truth, "unknown", "none", "n/a"}
    return 0.1 if next(iter(candidates)) == answer else 0.0
