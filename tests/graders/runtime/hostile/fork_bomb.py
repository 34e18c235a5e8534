"""A bounded fork bomb: up to 30 children that sleep for a minute.

The completion is a tag (at most 15 bytes) each child sets as its process name
(/proc/PID/comm), so the test can find survivors anywhere on the host.
Returns the number of forks that succeeded.
"""
import ctypes
import os
import time

LIMIT = 30


def _name_self(tag):
    ctypes.CDLL(None).prctl(15, tag.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def compute_reward(completion, ground_truth):
    forked = 0
    for _ in range(LIMIT):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                _name_self(completion)
                time.sleep(60)
            finally:
                os._exit(0)
        forked += 1
    return float(forked)
