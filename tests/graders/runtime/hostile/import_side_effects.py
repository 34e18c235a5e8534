"""Misbehaves at import time: reads config.json beside itself, then tries to write a file
outside, connect to loopback TCP and UDP servers, read secrets, and run a command.

compute_reward returns the number of side effects that went through and prints them.
"""
import json
import os
import socket
import subprocess

with open(os.path.join(os.path.dirname(__file__), "config.json")) as _f:
    CONFIG = json.load(_f)

OUTCOMES = {}


def _attempt(name, action):
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - report every refusal
        OUTCOMES[name] = f"{type(exc).__name__}: {exc}"
    else:
        OUTCOMES[name] = "went through"


def _write():
    with open(CONFIG["outside_file"], "w") as f:
        f.write("written at import")


def _tcp():
    with socket.create_connection(("127.0.0.1", CONFIG["tcp"]), timeout=1.0) as s:
        s.sendall(b"import-time hello\n")


def _udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"import-time datagram", ("127.0.0.1", CONFIG["udp"]))
    s.close()


def _secrets():
    needle = CONFIG["needle"]
    if any(needle in v for v in os.environ.values()):
        return
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle.encode() in f.read():
                        return
            except OSError:
                pass
    raise LookupError("secret not found")


def _command():
    subprocess.run(["/bin/sh", "-c", f"touch {CONFIG['marker']}"], check=True, timeout=5)


_attempt("write", _write)
_attempt("tcp", _tcp)
_attempt("udp", _udp)
_attempt("secrets", _secrets)
_attempt("command", _command)


def compute_reward(completion, ground_truth):
    for name, outcome in OUTCOMES.items():
        print(f"{name}: {outcome}")
    return float(sum(outcome == "went through" for outcome in OUTCOMES.values()))
