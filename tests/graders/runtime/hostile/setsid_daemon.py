"""Double-forks a setsid daemon that ignores SIGTERM/SIGHUP and sleeps for a minute, then returns 1.0.

The completion is a tag (at most 15 bytes) the daemon sets as its process name.
No exception handling: if fork is refused the call raises.
"""
import ctypes
import os
import signal
import time


def compute_reward(completion, ground_truth):
    first = os.fork()
    if first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                    signal.signal(sig, signal.SIG_IGN)
                ctypes.CDLL(None).prctl(15, completion.encode()[:15], 0, 0, 0)  # PR_SET_NAME
                time.sleep(60)
        finally:
            os._exit(0)
    os.waitpid(first, 0)
    return 1.0
