"""Leaves through os._exit without returning anything."""
import os


def compute_reward(completion, ground_truth):
    os._exit(3)
