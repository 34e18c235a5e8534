"""A GSM8K reward for ground truths stored as numbers: it refuses any other type, so a check that handed it
the ground truth as text would see exceptions. It must pass every property."""
from _final_answer import final_answer, number


def compute_reward(completion, ground_truth):
    if type(ground_truth) not in (int, float):
        raise TypeError(f"expected a number ground truth, got {type(ground_truth).__name__}")
    return 1.0 if number(final_answer(completion)) == number(str(ground_truth)) else 0.0
