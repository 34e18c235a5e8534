"""Behaviour chosen by the completion:

- "killpg": SIGKILL its whole process group (kill(0, SIGKILL)), then linger;
- "sleep:SECONDS": sleep, then return float(ground_truth);
- anything else: return float(ground_truth).
"""
import os
import signal
import time


def compute_reward(completion, ground_truth):
    kind, _, argument = completion.partition(":")
    if kind == "killpg":
        os.kill(0, signal.SIGKILL)
        time.sleep(2)
    elif kind == "sleep":
        time.sleep(float(argument))
    return float(ground_truth)
