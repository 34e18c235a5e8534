"""A well-behaved reward: exact match."""


def compute_reward(completion, ground_truth):
    return 1.0 if completion.strip() == ground_truth.strip() else 0.0
