"""Spins forever in pure Python."""


def compute_reward(completion, ground_truth):
    while True:
        pass
