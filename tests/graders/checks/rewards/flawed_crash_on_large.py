"""Converts every digit run with int(): Python refuses strings of more than 4300 digits."""
import re

from _final_answer import correct


def compute_reward(completion, ground_truth):
    numbers = [int(run) for run in re.findall(r"\d+", completion)]
    return 1.0 if numbers and correct(completion, ground_truth) else 0.0
