"""Tries to read each file in the JSON list given as the completion.

Prints what happened; returns the number of files it could read.
"""
import json


def compute_reward(completion, ground_truth):
    readable = 0
    for path in json.loads(completion):
        try:
            with open(path, "rb") as f:
                f.read(1)
        except OSError as exc:
            print(f"{path}: {type(exc).__name__}")
        else:
            print(f"{path}: read")
            readable += 1
    return float(readable)
