"""A reward whose behaviour the completion chooses, to compare the local and Ray backends on one grader:

- "raise": raise ValueError;        - "hang": sleep far past any timeout;
- "nan": return NaN;                - "exit": leave through os._exit(3);
- "connect:PORT": open a TCP connection to 127.0.0.1:PORT, score 1.0 if it went through;
- "sleep:SECONDS": sleep, then score float(ground_truth);
- anything else: float(ground_truth).
"""
import math
import os
import socket
import time


def compute_reward(completion, ground_truth):
    kind, _, argument = completion.partition(":")
    if kind == "raise":
        raise ValueError(f"no reward for {completion!r}")
    if kind == "hang":
        time.sleep(600)
    if kind == "nan":
        return math.nan
    if kind == "exit":
        os._exit(3)
    if kind == "connect":
        with socket.create_connection(("127.0.0.1", int(argument)), timeout=1.0):
            return 1.0
    if kind == "sleep":
        time.sleep(float(argument))
    return float(ground_truth)
