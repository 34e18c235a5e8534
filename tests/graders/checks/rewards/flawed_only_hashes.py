r"""Accepts only the GSM8K '#### n' format: '\boxed{n}' or 'The answer is n.' score 0."""
import re


def compute_reward(completion, ground_truth):
    match = re.search(r"####\s*(\S+)\s*$", completion)
    return 1.0 if match and match.group(1) == ground_truth else 0.0
