"""Behaviour chosen by the completion:

- "sleep:SECONDS": sleep, then return float(ground_truth);
- "tag:NAME": set the process name to NAME, then sleep for a minute;
- "hang": spin forever;
- anything else: return float(ground_truth).
"""
import ctypes
import time


def compute_reward(completion, ground_truth):
    kind, _, argument = completion.partition(":")
    if kind == "sleep":
        time.sleep(float(argument))
    elif kind == "tag":
        ctypes.CDLL(None).prctl(15, argument.encode()[:15], 0, 0, 0)  # PR_SET_NAME
        time.sleep(60)
    elif kind == "hang":
        while True:
            pass
    return float(ground_truth)
