"""Starts a non-daemon thread that keeps writing a file and never ends, then returns 1.0."""
import threading
import time


def _forever():
    while True:
        with open("still-running.txt", "a") as f:
            f.write("tick\n")
        time.sleep(0.01)


def compute_reward(completion, ground_truth):
    threading.Thread(target=_forever, daemon=False).start()
    return 1.0
