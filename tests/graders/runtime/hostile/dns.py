"""Resolves the host name given as the completion (no exception handling)."""
import socket


def compute_reward(completion, ground_truth):
    socket.getaddrinfo(completion, 80)
    return 1.0
