"""Tries to change the metadata (mode, times, extended attributes) of a file outside its temp dir.

The completion is the path of that file. The score is the number of changes that went through.
"""
import os


def compute_reward(completion, ground_truth):
    attempts = {
        "chmod": lambda: os.chmod(completion, 0o777),
        "utime": lambda: os.utime(completion, (0, 0)),
        "setxattr": lambda: os.setxattr(completion, "user.rewardbox", b"pwned"),
    }
    succeeded = 0
    for name, attempt in attempts.items():
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - report every refusal
            print(f"{name}: {type(exc).__name__}: {exc}")
        else:
            print(f"{name}: went through")
            succeeded += 1
    return float(succeeded)
