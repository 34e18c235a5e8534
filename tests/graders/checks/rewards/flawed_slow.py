"""Sleeps 150 ms per call (a stand-in for a remote judge or a slow sympy simplify)."""
import time

from _final_answer import correct


def compute_reward(completion, ground_truth):
    time.sleep(0.15)
    return 1.0 if correct(completion, ground_truth) else 0.0
