"""Calls sys.exit (a SystemExit, a BaseException)."""
import sys


def compute_reward(completion, ground_truth):
    sys.exit(0 if completion == "zero" else "reward gave up")
