"""Returns numpy's global RNG output; numpy is imported with the module."""
import numpy


def compute_reward(completion, ground_truth):
    return float(numpy.random.random())
