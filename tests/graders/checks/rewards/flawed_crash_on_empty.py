"""Reads the last line without checking there is one: IndexError on empty or blank completions."""
from _final_answer import correct


def compute_reward(completion, ground_truth):
    last_line = completion.strip().splitlines()[-1]
    return 1.0 if correct(last_line, ground_truth) else 0.0
