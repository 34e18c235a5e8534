"""At import time (in the zygote), starts a thread that, for 3 s, every 0.1 s writes a malformed
control message ({"op": "exit", "status": "not-a-number"}) on every socket the zygote holds,
i.e. on its control channel to the caller. compute_reward itself is benign."""
import json
import os
import struct
import threading
import time


def _sockets():
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                found.append(int(fd))
        except OSError:
            pass
    return found


def _message(payload):
    body = json.dumps(payload).encode()
    return struct.pack(">IB", len(body) + 1, ord("J")) + body


def _forge(fds):
    for _ in range(30):
        time.sleep(0.1)
        for fd in fds:
            try:
                os.write(fd, _message({"op": "exit", "chunk": 0, "status": "not-a-number"}))
            except OSError:
                pass


threading.Thread(target=_forge, args=(_sockets(),), daemon=True).start()


def compute_reward(completion, ground_truth):
    return float(ground_truth)
