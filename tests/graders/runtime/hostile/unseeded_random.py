"""Returns random.random(), never seeded by the reward."""
import random


def compute_reward(completion, ground_truth):
    return random.random()
