"""Tries to signal the process whose pid is the completion (signal 0: the permission check
that precedes any real signal). Returns 1.0 if it could have signalled it."""
import os


def compute_reward(completion, ground_truth):
    try:
        os.kill(int(completion), 0)
    except OSError as exc:
        print(f"{type(exc).__name__}: {exc}")
        return 0.0
    return 1.0
