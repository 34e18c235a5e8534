"""Sleeps far past any timeout."""
import time


def compute_reward(completion, ground_truth):
    time.sleep(600)
    return 1.0
