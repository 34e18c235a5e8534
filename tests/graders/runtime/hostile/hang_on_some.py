"""Hangs when the completion is "hang"; otherwise scores len(completion)."""


def compute_reward(completion, ground_truth):
    if completion == "hang":
        while True:
            pass
    return float(len(completion))
