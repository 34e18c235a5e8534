"""The Ray backend on a real multi-node cluster (``ray.cluster_utils.Cluster``: a head with no CPUs and two
worker nodes of one CPU each, all on this machine): grading spreads over every node, a node killed mid-batch
costs no input its one result, and a hung call on one node does not hold up the other.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'rewardbox[ray]')")
from ray.cluster_utils import Cluster  # noqa: E402

from rewardbox.graders import Grader, Status  # noqa: E402
from ray_helpers import rewardbox_processes  # noqa: E402
from sandbox_helpers import wait_for  # noqa: E402

MIX = str(Path(__file__).with_name("hostile_mix.py"))
NODE = dict(num_cpus=1, object_store_memory=80 * 1024 * 1024)
# Ray notices a dead node after health_check_failure_threshold missed checks of health_check_period_ms.
FAST_FAILURE_DETECTION = {"health_check_period_ms": 500, "health_check_failure_threshold": 2, "kill_worker_timeout_milliseconds": 500}


@pytest.fixture(scope="module")
def cluster():
    """A head without CPUs (no actor lands there) and two one-CPU worker nodes; the driver connects to the head."""
    cluster = Cluster(
        initialize_head=True,
        head_node_args=dict(num_cpus=0, include_dashboard=False, object_store_memory=80 * 1024 * 1024, _system_config=FAST_FAILURE_DETECTION),
    )
    try:
        for _ in range(2):
            cluster.add_node(**NODE)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture
def two_nodes(cluster):
    """The cluster with exactly two live one-CPU worker nodes, whatever the previous test killed."""
    while len(cluster.worker_nodes) < 2:
        cluster.add_node(**NODE)
    cluster.wait_for_nodes()
    assert wait_for(lambda: ray.available_resources().get("CPU", 0) == 2, timeout=20), ray.available_resources()
    return cluster


def comparable(results) -> list[dict]:
    return [result.model_dump(exclude={"duration_ms"}) for result in results]


def test_grading_spreads_over_every_node_with_the_local_results_in_order(two_nodes):
    items = [("raise", "1"), ("hang", "1"), ("nan", "1"), ("exit", "1")] + [(f"sleep:{0.05 * (i % 3)}", str(i)) for i in range(12)]
    with Grader(MIX, workers=2, timeout=1) as local:
        expected, local_summary = local.grade_batch(items), local.summary()
    with Grader(MIX, backend="ray", timeout=1) as remote:  # defaults: workers = 1 (the nodes' CPUs), one actor a node
        results, summary = remote.grade_batch(items), remote.summary()
        sent = {actor.node_id for actor in remote._manager.actors}

    assert comparable(results) == comparable(expected)
    worker_ids = {node.node_id for node in two_nodes.worker_nodes}
    assert set(summary["nodes"]) == worker_ids == sent
    for node in summary["nodes"].values():
        assert node["address"] == "127.0.0.1" and node["actors"] == 1 and node["workers"] == 1
        assert node["layers"] == local_summary["layers"] and node["missing"] == local_summary["missing"]
    assert summary["layers"] == local_summary["layers"]


def test_workers_means_processes_per_node_capped_at_its_cpus(two_nodes):
    """``workers=2`` on two one-CPU nodes: one actor a node with one process each, started at once, never
    an actor asking for CPUs no node has (it used to wait out load_timeout and fail)."""
    items = [(f"sleep:{0.02 * (i % 3)}", str(i)) for i in range(20)]
    started = time.monotonic()
    with Grader(MIX, backend="ray", workers=2, timeout=2, load_timeout=30) as grader:
        start_seconds = time.monotonic() - started
        results, summary = grader.grade_batch(items), grader.summary()
        assert grader.workers == 2
    assert start_seconds < 20
    assert all(result.status == Status.ok for result in results)
    assert {node["actors"] for node in summary["nodes"].values()} == {1}
    assert [node["workers"] for node in summary["nodes"].values()] == [1, 1]


@pytest.mark.parametrize("retries", [2, 0])
def test_a_node_killed_mid_batch_costs_no_input_its_one_result(two_nodes, retries):
    items = [("sleep:0.3", str(i)) for i in range(16)]
    with Grader(MIX, backend="ray", workers=1, timeout=5, ray_retries=retries) as grader:
        manager = grader._manager
        stream = grader.iter_results(items)
        first = next(stream)
        victim = next(actor for actor in list(manager.actors) if actor.batches and actor.node_id != "")
        lost = {work.index for batch in victim.batches for work in batch.works}
        node = next(node for node in two_nodes.worker_nodes if node.node_id == victim.node_id)
        two_nodes.remove_node(node, allow_graceful=False)
        started = time.monotonic()
        collected = [first, *stream]
        elapsed = time.monotonic() - started

    indices = [index for index, _ in collected]
    assert sorted(indices) == list(range(16)), "every input gets exactly one result"
    results = dict(collected)
    assert elapsed < 15, f"the dead node held the batch for {elapsed:.1f} s"
    if retries:
        assert all(result.status is Status.ok for result in results.values())
        assert [results[i].score for i in range(16)] == [float(i) for i in range(16)]
    else:
        crashed = {i for i, result in results.items() if result.status is Status.crashed}
        assert crashed and crashed <= lost - {first[0]}
        for i in crashed:
            assert results[i].score == 0.0
            assert results[i].error.startswith(f"lost with its Ray actor 1 times (ray_retries=0); last: the Ray actor on node 127.0.0.1 ({victim.node_id[:8]}, pid {victim.pid}) failed")
            assert "ActorDiedError" in results[i].error or "ActorUnavailableError" in results[i].error  # as Ray first saw it
        assert all(results[i].status is Status.ok and results[i].score == float(i) for i in set(results) - crashed)


def test_a_hung_call_on_one_node_does_not_hold_up_the_other(two_nodes):
    items = [("hang", "0")] + [("fine", str(i)) for i in range(1, 17)]
    with Grader(MIX, backend="ray", workers=1, timeout=3) as grader:
        started = time.monotonic()
        arrivals = [(index, result, time.monotonic() - started) for index, result in grader.iter_results(items)]

    hung_at = next(at for index, _, at in arrivals if index == 0)
    hung = next(result for index, result, _ in arrivals if index == 0)
    assert hung.status is Status.timeout and hung_at >= 3
    # One worker on the hung call's node is busy for 3 s; the other node grades on meanwhile.
    before = [index for index, _, at in arrivals if at < 2.5]
    assert len(before) >= 8, arrivals
    assert all(result.status is Status.ok and result.score == float(index) for index, result, _ in arrivals if index)


def test_an_exception_in_the_driver_leaves_no_actor_or_sandbox_behind(two_nodes):
    with pytest.raises(RuntimeError, match="the trainer failed"):
        with Grader(MIX, backend="ray", workers=1, timeout=5) as grader:
            actors = [actor.pid for actor in grader._manager.actors]
            stream = grader.iter_results([("sleep:1", "1")] * 8)
            next(stream)
            assert rewardbox_processes(), "the actors' zygotes should be running"
            raise RuntimeError("the trainer failed")
    assert len(actors) == 2
    assert wait_for(lambda: not rewardbox_processes(), timeout=10), f"zygotes left: {rewardbox_processes()}"
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in actors), timeout=10), "actors left"
