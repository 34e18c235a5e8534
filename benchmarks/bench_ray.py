"""Throughput of the Ray backend: against the local grader on one machine, and 2 nodes against 1.

    python benchmarks/bench_ray.py [--quick]

Both grade the same items with the same reward and the same number of sandboxed
processes (``--workers`` in total: one local pool, or Ray actors of one process
each on a local Ray instance started here), measured alternately, best of 3 rounds
(shared machines are noisy). A ratio near 1.0 means Ray costs little on top of the
sandbox; on a cluster the gain comes from more machines.

Then a multi-node cluster (``ray.cluster_utils.Cluster`` on this machine: a head with
no CPUs and two worker nodes of one CPU each) grades a reward that spends 20 ms of
CPU a call, first on one node (one actor of one process), then on both (two actors),
alternately, best of 3: the ratio is what a second node of the same size buys
(targets: 2 nodes / 1 node >= 1.7x; Ray / local on one node >= 0.8x).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # Ray's single-machine mode: loopback addresses only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewards import BUSY_20MS, MATH_VERIFY, TRIVIAL, math_items, trivial_items  # noqa: E402

import ray  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402
from rewardbox.graders.runtime.grader import WARMUP_EXAMPLES  # noqa: E402


def rate(grader: Grader, items: list[tuple[str, str]]) -> float:
    """Calls/s of ``grade_batch`` on ``items``, after a short warm-up batch."""
    grader.grade_batch(items[:20])
    started = time.perf_counter()
    results = grader.grade_batch(items)
    elapsed = time.perf_counter() - started
    assert all(result.ok for result in results), {result.status for result in results}
    return len(items) / elapsed


def compare(name: str, reward: str, items: list[tuple[str, str]], workers: int, rounds: int, **options) -> None:
    """Print local and Ray throughput for one reward (best of ``rounds``, measured alternately), and their ratio."""
    started = time.perf_counter()
    local = Grader(reward, workers=workers, **options)
    local_start = time.perf_counter() - started
    started = time.perf_counter()
    remote = Grader(reward, backend="ray", workers=1, ray_actors=workers, **options)
    ray_start = time.perf_counter() - started
    with local, remote:
        rates = [(rate(local, items), rate(remote, items)) for _ in range(rounds)]
    best_local, best_ray = max(r[0] for r in rates), max(r[1] for r in rates)
    print(
        f"{name} (n={len(items)}, best of {rounds}): local {best_local:8.1f} calls/s, ray {best_ray:8.1f} calls/s, "
        f"ratio ray/local {best_ray / best_local:4.2f}x; start {local_start * 1000:.0f} ms local, {ray_start * 1000:.0f} ms ray"
    )


def compare_nodes(reward: str, items: list[tuple[str, str]], rounds: int) -> None:
    """Throughput of one one-CPU node against two (a fresh grader each round), and the ratio."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args=dict(num_cpus=0, include_dashboard=False, object_store_memory=100 * 2**20))
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1, object_store_memory=100 * 2**20)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        rates: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(rounds):
            for actors in (1, 2):
                with Grader(reward, backend="ray", workers=1, ray_actors=actors, calls_per_process=64) as grader:
                    nodes = len(grader.summary()["nodes"])
                    assert nodes == actors, grader.summary()["nodes"]
                    rates[actors].append(rate(grader, items))
        one, two = max(rates[1]), max(rates[2])
        print(
            f"20 ms CPU reward (n={len(items)}, best of {rounds}): 1 node {one:6.1f} calls/s, 2 nodes {two:6.1f} calls/s, "
            f"ratio 2 nodes / 1 node {two / one:4.2f}x (target >= 1.7x)"
        )
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer items, trivial reward only (a smoke run)")
    parser.add_argument("--workers", type=int, default=2, help="sandboxed processes in total, for both (default 2)")
    args = parser.parse_args()
    scale, rounds = (0.2, 1) if args.quick else (1.0, 3)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Ray {ray.__version__}, {platform.platform()}")
    print(f"{args.workers} sandboxed processes: one local pool of {args.workers} vs {args.workers} Ray actors of 1")
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level="WARNING", object_store_memory=200 * 2**20)
    folder = tempfile.mkdtemp(prefix="rewardbox-bench-")
    try:
        paths = {}
        for name, text in (("trivial", TRIVIAL), ("math", MATH_VERIFY)):
            paths[name] = os.path.join(folder, f"{name}.py")
            with open(paths[name], "w") as f:
                f.write(text)
        compare("trivial reward, default mode", paths["trivial"], trivial_items(int(2000 * scale)), args.workers, rounds)
        compare("trivial reward, calls_per_process=256", paths["trivial"], trivial_items(int(20_000 * scale)), args.workers, rounds, calls_per_process=256)
        if not args.quick:
            compare("math-verify reward, warmup=WARMUP_EXAMPLES", paths["math"], math_items(1000), args.workers, rounds, warmup=WARMUP_EXAMPLES)
        ray.shutdown()
        paths["busy"] = os.path.join(folder, "busy.py")
        with open(paths["busy"], "w") as f:
            f.write(BUSY_20MS)
        compare_nodes(paths["busy"], trivial_items(int(400 * scale)), rounds)
    finally:
        ray.shutdown()
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main()
