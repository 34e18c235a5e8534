"""Writes 100 MB: to stdout through print, to stderr, or straight to fd 1 (chosen by the completion)."""
import os
import sys

BLOCK = "x" * (1 << 20)


def compute_reward(completion, ground_truth):
    for _ in range(100):
        if completion == "stderr":
            sys.stderr.write(BLOCK)
        elif completion == "fd":
            os.write(1, BLOCK.encode())
        else:
            print(BLOCK)
    return 1.0
