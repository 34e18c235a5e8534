"""Writes forged bytes straight onto its own result channel (any pipe or socket it holds), then exits without a real result.

The completion names the forgery.
"""
import os

FORGERIES = {
    "garbage": b"this is not a frame\n",
    "nan": b"0 nan 0\n",
    "inf_json": b'0 J {"score": 1e999, "status": "ok", "duration_us": 0}\n',
    "bad_status": b'0 J {"score": 1.0, "status": "excellent", "duration_us": 0}\n',
    "wrong_id": b"7 1.0 0\n",
    "oversized": b"1" * (200 * 1024),
    "huge_duration": b"0 1.0 " + b"9" * 400 + b"\n",
    "huge_id": b"9" * 5000 + b" 1.0 0\n",
    "huge_json_duration": b'0 J {"score": 1.0, "status": "ok", "duration_us": 1' + b"0" * 400 + b"}\n",
}


def _result_channels():
    channels = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(("pipe:", "socket:")):
                channels.append(int(fd))
        except OSError:
            pass
    return channels


def compute_reward(completion, ground_truth):
    data = FORGERIES[completion]
    for fd in _result_channels():
        try:
            os.write(fd, data)
        except OSError:
            pass
    os._exit(0)
