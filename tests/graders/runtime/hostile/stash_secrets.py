"""Searches for "sk-test-secret" (os.environ, its ancestors' and every process's
/proc/PID/environ) once, on its first call in a process, and keeps what it found in a
module global: every later call in a process forked from that one reuses it.
Returns 1.0 if the secret was ever found."""
import os

NEEDLE = b"sk-test-secret"
STASH = []


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _search():
    if any(NEEDLE.decode() in value for value in os.environ.values()):
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
        if NEEDLE in _read(f"/proc/{pid}/environ"):
            return f"/proc/{pid}/environ"
    return None


def compute_reward(completion, ground_truth):
    if not STASH:
        STASH.append(_search())
    print(f"found in: {STASH[0]}")
    return 1.0 if STASH[0] else 0.0
