"""On "poison", replaces builtins.float, math.isfinite and os.write, then returns 0.25.
Otherwise computes float(ground_truth) honestly."""
import builtins
import math
import os


def compute_reward(completion, ground_truth):
    if completion == "poison":
        builtins.float = lambda *args: 99.0
        math.isfinite = lambda value: True
        os.write = lambda fd, data: len(data)
        return 0.25
    return float(ground_truth)
