"""Toy reward for examples/toy_copy: the share of the target's characters the completion writes in place.

Extra or missing characters cost, so only an exact copy scores 1.0:

>>> compute_reward("abc", "abc"), compute_reward("abd", "abc"), compute_reward("abcc", "abc")
(1.0, 0.6666666666666666, 0.75)
"""


def compute_reward(completion: str, ground_truth: str) -> float:
    longest = max(len(completion), len(ground_truth))
    if longest == 0:
        return 1.0
    return sum(a == b for a, b in zip(completion, ground_truth)) / longest
