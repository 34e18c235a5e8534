"""Raises the recursion limit and recurses through C code (map) until the C stack overflows."""
import sys


def _down(n):
    return sum(map(_down, [n + 1]))


def compute_reward(completion, ground_truth):
    sys.setrecursionlimit(10**8)
    return float(_down(0))
