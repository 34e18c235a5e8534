"""A Ray cluster made the way users make one, with `ray start --head` and `ray start --address`, on loopback.

Every node is a `ray start --block` process in its own session, so one killpg ends the
node and everything it started; token authentication stays on (a fresh token, shared
through the environment), and the temp dir is private, so no other `ray.init()` on this
machine finds this cluster.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from sandbox_helpers import wait_for

NODE_SCRIPT = str(Path(__file__).with_name("ray_start_node.py"))
RAY = str(Path(sys.executable).with_name("ray"))
NODE_FLAGS = ["--block", "--node-ip-address=127.0.0.1", "--object-store-memory=80000000", "--disable-usage-stats"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RayStartCluster:
    """A head node (``start()``) and worker nodes (``add_worker()``), each its own process group."""

    def __init__(self, reconnect_seconds: int = 16) -> None:
        self.temp_dir = tempfile.mkdtemp(prefix="rk-ray-")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",  # every socket on 127.0.0.1
            RAY_AUTH_MODE="token",
            RAY_AUTH_TOKEN=secrets.token_hex(32),
            RAY_USAGE_STATS_ENABLED="0",
            RAY_health_check_period_ms="500",
            RAY_health_check_failure_threshold="2",
            RAY_gcs_rpc_server_reconnect_timeout_s=str(reconnect_seconds),  # nodes and drivers give up on a lost head soon
        )
        self.head: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def _node(self, arguments: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(os.path.join(self.temp_dir, f"node-{len(self.workers) + (self.head is not None)}.log"), "w")
        with log:
            return subprocess.Popen(arguments, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def start(self, cpus: int = 1) -> None:
        self.head = self._node([
            RAY, "start", "--head", f"--port={self.port}", f"--num-cpus={cpus}",
            "--include-dashboard=false", f"--temp-dir={self.temp_dir}", *NODE_FLAGS,
        ])
        head = self.head
        assert wait_for(lambda: self._answers(self.port) or head.poll() is not None, timeout=60, interval=0.2) and head.poll() is None, (
            f"the head node did not start; see {self.temp_dir}"
        )

    def add_worker(self, cpus: int = 1, env: dict | None = None) -> subprocess.Popen:
        worker = self._node([sys.executable, NODE_SCRIPT, "start", f"--address={self.address}", f"--num-cpus={cpus}", *NODE_FLAGS], env)
        self.workers.append(worker)
        return worker

    def wait_for_nodes(self, count: int, timeout: float = 60) -> None:
        """Block until the head reports ``count`` live nodes."""
        status = [RAY, "status", f"--address={self.address}"]

        def alive() -> bool:
            out = subprocess.run(status, env=self.env, capture_output=True, text=True, timeout=30).stdout
            active = out.split("Active:", 1)[-1].split("Pending:", 1)[0]
            return active.count("node_") == count

        assert wait_for(alive, timeout=timeout, interval=0.5), f"the cluster did not reach {count} live nodes"

    def kill_head(self) -> None:
        _kill_group(self.head)

    def stop(self) -> None:
        for node in [*self.workers, self.head]:
            if node is not None:
                _kill_group(node)

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False


def _kill_group(node: subprocess.Popen) -> None:
    try:
        os.killpg(node.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    node.wait(timeout=10)
