"""Talks to loopback servers over TCP, UDP and HTTP.

The completion is JSON: {"tcp": port, "udp": port, "http": port}. Every attempt
is caught and printed; the score is the number of attempts that went through.
"""
import json
import socket
import urllib.request


def _tcp(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
        s.sendall(b"hello from the sandbox\n")


def _udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(5):
            s.sendto(b"datagram from the sandbox", ("127.0.0.1", port))
    finally:
        s.close()


def _http(port):
    urllib.request.urlopen(f"http://127.0.0.1:{port}/exfiltrate?key=1", timeout=1.0).read()


def compute_reward(completion, ground_truth):
    ports = json.loads(completion)
    succeeded = 0
    for name, attempt in (("tcp", _tcp), ("udp", _udp), ("http", _http)):
        try:
            attempt(ports[name])
        except Exception as exc:  # noqa: BLE001 - report every refusal
            print(f"{name}: {type(exc).__name__}: {exc}")
        else:
            print(f"{name}: went through")
            succeeded += 1
    return float(succeeded)
