"""Starts processes through libc, bypassing Python: system() or fork() via ctypes.

- "system:PATH": returns libc system("touch PATH") (glibc reports a shell that
  could not be started as exit status 127, i.e. 32512);
- "fork": returns 1000.0 if libc fork() succeeded, else minus its errno.
"""
import ctypes


def compute_reward(completion, ground_truth):
    libc = ctypes.CDLL(None, use_errno=True)
    kind, _, argument = completion.partition(":")
    if kind == "system":
        return float(libc.system(f"touch {argument}".encode()))
    pid = libc.fork()
    if pid == 0:
        libc._exit(0)
    return 1000.0 if pid > 0 else -float(ctypes.get_errno())
