"""Tries to change the metadata (mode, times, extended attributes) of a file outside its temp dir.

The completion is the path of that file. The score is the number of changes that took effect
(the sandbox may refuse them or let them succeed without effect; either way the file must not change).
"""
import os


def _xattr(path):
    try:
        return os.getxattr(path, "user.rewardbox")
    except OSError:
        return None


def compute_reward(completion, ground_truth):
    attempts = {
        "chmod": (lambda: os.chmod(completion, 0o777), lambda: os.stat(completion).st_mode),
        "utime": (lambda: os.utime(completion, (0, 0)), lambda: os.stat(completion).st_mtime_ns),
        "setxattr": (lambda: os.setxattr(completion, "user.rewardbox", b"pwned"), lambda: _xattr(completion)),
    }
    changed = 0
    for name, (attempt, observe) in attempts.items():
        before = observe()
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - report every refusal
            print(f"{name}: {type(exc).__name__}: {exc}")
        if observe() != before:
            print(f"{name}: took effect")
            changed += 1
        else:
            print(f"{name}: no effect")
    return float(changed)
