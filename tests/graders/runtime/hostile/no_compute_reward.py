"""Defines a reward under the wrong name."""


def compute_score(completion, ground_truth):
    return 1.0
