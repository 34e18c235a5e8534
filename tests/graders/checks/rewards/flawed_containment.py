"""Answer containment: 'The answer is 420' and hedges that list several answers contain '42' and score 1."""


def compute_reward(completion, ground_truth):
    return 1.0 if ground_truth in completion else 0.0
