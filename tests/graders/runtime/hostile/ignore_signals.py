"""Ignores SIGALRM/SIGTERM/SIGINT/SIGHUP and swallows every BaseException, forever."""
import signal
import time


def compute_reward(completion, ground_truth):
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    while True:
        try:
            while True:
                time.sleep(0.01)
                sum(range(10000))
        except BaseException:  # noqa: BLE001, S112 - swallowing everything is the attack
            continue
