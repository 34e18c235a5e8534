"""Starts a fresh interpreter (exec) that attacks from outside the reward's own process.

The completion is JSON: {"port": a loopback port to connect to, "write": a path outside
the temp dir, "read": a file outside the allow-list, "secret": the secret's text, "holder":
the pid of a process whose environment holds it}.
The child prints one JSON object of what worked; the score is how many attacks worked.
"""
import json
import subprocess
import sys

CHILD = r'''
import json, os, socket, sys
config = json.loads(sys.argv[1])
worked = {}
try:
    socket.create_connection(("127.0.0.1", config["port"]), timeout=1).close()
    worked["network"] = True
except OSError:
    worked["network"] = False
try:
    with open(config["write"], "w") as f:
        f.write("pwned")
    worked["write"] = True
except OSError:
    worked["write"] = False
try:
    with open(config["read"]) as f:
        f.read()
    worked["read"] = True
except OSError:
    worked["read"] = False
worked["secret"] = any(config["secret"] in value for value in os.environ.values())
try:
    with open(f"/proc/{config['holder']}/environ", "rb") as f:
        worked["secret"] = worked["secret"] or config["secret"].encode() in f.read()
except OSError:
    pass
print(json.dumps(worked))
'''


def compute_reward(completion, ground_truth):
    done = subprocess.run([sys.executable, "-c", CHILD, completion], capture_output=True, text=True, timeout=10)
    print(done.stdout, done.stderr[-500:])
    worked = json.loads(done.stdout)
    return float(sum(worked.values()))
