"""A reward with a syntax error on line 5."""


def compute_reward(completion, ground_truth):
    return 1.0 if completion == ground_truth else
