"""At import time, looks for "sk-test-secret" in os.environ and in the environ of its
ancestors and of every process in /proc. compute_reward returns 1.0 if it was found."""
import os

NEEDLE = "sk-test-secret"


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _search():
    if any(NEEDLE in value for value in os.environ.values()):
        return "os.environ"
    pids, pid = [], "self"
    for _ in range(16):
        stat = _read(f"/proc/{pid}/stat")
        if not stat:
            break
        pid = int(stat.rsplit(b")", 1)[1].split()[1])
        if pid <= 0:
            break
        pids.append(pid)
    pids += [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    for pid in pids:
        if NEEDLE.encode() in _read(f"/proc/{pid}/environ"):
            return f"/proc/{pid}/environ"
    return None


FOUND = _search()


def compute_reward(completion, ground_truth):
    print(f"found in: {FOUND}")
    return 1.0 if FOUND else 0.0
