"""Rewards that start worker processes score as they do in their own process, confined, fresh and warm.

Real scorers use process pools and forks for the timeouts threads cannot give (PRIME's math scorer makes a
pool per call, SimpleRL-Zoo's one at import, verl's prime_math a process per comparison). A call may start
processes within its budget; they run under the call's layers and die with it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rewardbox.graders import Status
from sandbox_helpers import descendants, wait_for, zygote_pid

REWARDS = Path(__file__).with_name("pool_rewards")
WAYS = ["mp-fork", "mp-spawn", "mp-forkserver", "ppe-fork", "ppe-spawn", "process-queue", "subprocess"]


@pytest.fixture
def pools(make_grader):
    grader = make_grader(str(REWARDS / "pools.py"), timeout=20.0)
    if not grader.processes.allowed:
        pytest.skip(f"calls may not start processes here: {grader.processes.detail}")
    return grader


def _in_process(way: str) -> float:
    """Control: the reward imported and called in the test process, as its own harness would."""
    spec = importlib.util.spec_from_file_location("pools", REWARDS / "pools.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pools"] = module  # its workers unpickle functions by module name
    try:
        spec.loader.exec_module(module)
        return module.compute_reward(way, "")
    finally:
        del sys.modules["pools"]


def test_every_way_of_starting_workers_scores_as_in_process(pools):
    expected = _in_process("mp-fork")
    assert expected == _in_process("process-queue")
    results = pools.grade_batch([(way, "") for way in WAYS])
    assert [(result.status, result.score) for result in results] == [(Status.ok, expected)] * len(WAYS), [r.error for r in results]
    assert wait_for(lambda: not descendants(zygote_pid(pools)), timeout=5.0), "a worker outlived its call"


def test_a_pool_made_at_import_is_made_again_in_each_call(make_grader):
    grader = make_grader(str(REWARDS / "pool_at_import.py"), timeout=20.0)
    if not grader.processes.allowed:
        pytest.skip(f"calls may not start processes here: {grader.processes.detail}")
    assert "pipes or sockets" in grader.summary()["reloaded_per_call"]
    results = grader.grade_batch([("", str(n)) for n in (2, 3, 4)])
    assert [(result.status, result.score) for result in results] == [(Status.ok, 2.0 * n**3) for n in (2, 3, 4)]
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=5.0)


def test_a_pool_made_at_import_leaves_nothing_behind_after_close(make_grader):
    grader = make_grader(str(REWARDS / "pool_at_import.py"), timeout=20.0)
    zygote = zygote_pid(grader)
    grader.grade("", "2")
    grader.close()
    assert wait_for(lambda: not descendants(zygote), timeout=5.0)
