"""Deduplicates the numbers with a set before taking the last one: a set of strings forgets the order,
and the order it iterates in follows PYTHONHASHSEED."""
import re


def compute_reward(completion, ground_truth):
    numbers = list(set(re.findall(r"-?\d+", completion)))
    return 1.0 if numbers and numbers[-1] == ground_truth.strip() else 0.0
