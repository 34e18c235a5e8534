"""The Ray backend gives the same results as the local grader, keeps order, and survives lost actors.

One local Ray instance (2 CPUs) serves the whole module (``ray_address`` in conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'rewardbox[ray]')")

from rewardbox.graders import Grader, RewardLoadError, Status  # noqa: E402
from rewardbox.graders.runtime import ray_backend  # noqa: E402
from ray_helpers import rewardbox_processes  # noqa: E402
from rewardbox.runner.cli import main as cli_main  # noqa: E402
from sandbox_helpers import hostile, wait_for  # noqa: E402

pytestmark = pytest.mark.usefixtures("ray_address")
MIX = str(Path(__file__).with_name("hostile_mix.py"))
REPO = Path(__file__).resolve().parents[4]
GSM8K = REPO / "examples" / "gsm8k"


def ray_grader(make_grader, reward: str = MIX, **options) -> Grader:
    """A Ray grader of two one-process actors (the test cluster's two CPUs)."""
    return make_grader(reward, backend="ray", workers=1, ray_actors=2, **options)


def comparable(results) -> list[dict]:
    """Everything a result says except how long it took."""
    return [result.model_dump(exclude={"duration_ms"}) for result in results]


def test_hostile_rewards_score_as_they_do_locally(make_grader, loopback_server):
    items = [
        ("raise", "1"), ("hang", "1"), ("nan", "1"), ("exit", "1"),
        (f"connect:{loopback_server.tcp_port}", "1"), ("fine", "0.5"), ("fine", "2"),
    ]
    local = make_grader(MIX, workers=2).grade_batch(items)
    remote = ray_grader(make_grader).grade_batch(items)

    assert comparable(remote) == comparable(local)
    statuses = [Status.exception, Status.timeout, Status.invalid_return, Status.crashed, Status.exception, Status.ok, Status.ok]
    assert [r.status for r in remote] == statuses
    assert [r.score for r in remote] == [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 2.0]
    assert "ValueError: no reward for 'raise'" in remote[0].error
    assert "exceeded the timeout of 1 s" in remote[1].error
    loopback_server.settle()
    assert loopback_server.connections == 0


def test_every_face_keeps_input_order(make_grader):
    # Earlier items sleep longer, so they finish after later ones on the other actor.
    items = [(f"sleep:{0.2 if i % 4 == 0 else 0}", str(i)) for i in range(12)]
    expected = [float(i) for i in range(12)]
    grader = ray_grader(make_grader, timeout=5)
    progress: list[tuple[int, int | None]] = []

    assert [r.score for r in grader.grade_batch(items, progress=lambda done, total: progress.append((done, total)))] == expected
    assert progress[-1] == (12, 12) and len(progress) == 12
    assert [r.score for r in grader.iter_ordered(iter(items))] == expected
    streamed = dict(grader.iter_results(items))
    assert sorted(streamed) == list(range(12)) and [streamed[i].score for i in range(12)] == expected
    assert grader.grade("fine", "7").score == 7.0

    async def faces():
        one = await grader.agrade("fine", "3")
        batch = await grader.agrade_batch(items)
        streamed = {index: result async for index, result in grader.aiter_results(items)}
        return one, batch, streamed

    one, batch, streamed = asyncio.run(faces())
    assert one.score == 3.0
    assert [r.score for r in batch] == expected
    assert [streamed[i].score for i in range(12)] == expected


@pytest.mark.parametrize("name", ["syntax_error", "raises_at_import", "wrong_arity", "missing_import"])
def test_load_errors_fail_fast_with_file_and_line(name):
    with pytest.raises(RewardLoadError) as local:
        Grader(hostile(name), workers=1)
    with pytest.raises(RewardLoadError) as remote:
        Grader(hostile(name), backend="ray", workers=1, ray_actors=1)
    assert str(remote.value) == str(local.value)
    assert (remote.value.path, remote.value.line) == (local.value.path, local.value.line) == (hostile(name), local.value.line)


def test_a_function_shipped_by_value_grades_on_ray(make_grader):
    bonus = 0.25

    def reward(completion: str, ground_truth: str) -> float:
        return float(completion == ground_truth) + bonus

    grader = Grader.from_function(reward, backend="ray", workers=1, ray_actors=1)
    try:
        assert [r.score for r in grader.grade_batch([("7", "7"), ("8", "7")])] == [1.25, 0.25]
    finally:
        grader.close()
    with pytest.raises(ValueError, match=r"ray_actors=0: expected a positive integer"):
        make_grader(MIX, backend="ray", ray_actors=0)


def test_defaults_fill_the_cluster_and_summary_reports_the_actors_layers(make_grader):
    local = make_grader(MIX, workers=1).summary()
    grader = make_grader(MIX, backend="ray", workers=None)
    # Defaults: one actor on every node with CPUs (one node of 2 here), running as many call processes as it has CPUs.
    assert grader.workers == 2 and len(grader._manager.actors) == 1
    remote = grader.summary()
    assert remote["backend"] == "ray" and local["backend"] == "local"
    assert remote["layers"] == local["layers"] and remote["missing"] == local["missing"]


def test_actor_killed_mid_batch_has_its_items_run_again(make_grader):
    grader = ray_grader(make_grader, timeout=5)
    manager = grader._manager
    items = [("sleep:0.4", str(i)) for i in range(12)]
    results = grader.iter_results(items)
    first = next(results)
    victim = next(actor for actor in list(manager.actors) if actor.batches)
    ray.kill(victim.handle)
    collected = dict([first, *results])

    assert [collected[i].score for i in range(12)] == [float(i) for i in range(12)]
    assert all(result.status is Status.ok for result in collected.values())
    assert victim not in manager.actors
    assert wait_for(lambda: sum(actor.ready for actor in manager.actors) == 2, timeout=20), "no replacement actor started"


def test_hung_actor_misses_its_deadline_and_is_replaced(make_grader, monkeypatch):
    monkeypatch.setattr(ray_backend, "_BATCH_SLACK_SECONDS", 0.5)
    grader = ray_grader(make_grader, timeout=0.5)
    manager = grader._manager
    hung = manager.actors[0]
    os.kill(hung.pid, signal.SIGSTOP)  # alive to Ray, but it never answers
    try:
        results = grader.grade_batch([("fine", str(i)) for i in range(4)])
    finally:
        if hung in manager.actors:
            os.kill(hung.pid, signal.SIGCONT)
    assert [(r.status, r.score) for r in results] == [(Status.ok, float(i)) for i in range(4)]
    assert hung not in manager.actors
    assert wait_for(lambda: not os.path.exists(f"/proc/{hung.pid}"), timeout=10), "the hung actor was not killed"


def test_item_lost_with_its_actor_again_and_again_fails_with_a_clear_error(make_grader):
    grader = make_grader(MIX, backend="ray", workers=1, ray_actors=1, ray_retries=1, timeout=5)
    manager = grader._manager
    killed: list[int] = []

    def kill_whoever_holds_it() -> None:
        while len(killed) < 2:  # the first run and its one retry
            holder = wait_for(lambda: next((a for a in list(manager.actors) if a.batches), None), timeout=30)
            if holder is None:
                return
            ray.kill(holder.handle)
            killed.append(holder.pid)
            wait_for(lambda: holder not in manager.actors, timeout=10)

    killer = threading.Thread(target=kill_whoever_holds_it)
    killer.start()
    result = grader.grade("sleep:30", "1")
    killer.join()

    assert len(killed) == 2
    assert result.status is Status.crashed and result.score == 0.0
    assert result.error.startswith("lost with its Ray actor 2 times (ray_retries=1); last: the Ray actor on node ")
    assert "ActorDiedError" in result.error
    assert grader.grade("fine", "1").score == 1.0  # a replacement actor grades what comes next
    with pytest.raises(ValueError, match=r"ray_retries=-1: expected a non-negative integer"):
        make_grader(MIX, backend="ray", ray_retries=-1)


def test_close_leaves_no_rewardbox_process_behind(make_grader):
    grader = ray_grader(make_grader)
    assert grader.grade("fine", "1").ok
    actors = [actor.pid for actor in grader._manager.actors]
    assert len(actors) == 2 and rewardbox_processes(), "the actors' zygotes should be running"
    grader.close()
    assert wait_for(lambda: not rewardbox_processes(), timeout=10), f"zygotes left: {rewardbox_processes()}"
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in actors), timeout=10), "actors left"


def test_cli_grade_on_ray_writes_what_local_writes(tmp_path, ray_address):
    local_out, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    arguments = ["grade", str(GSM8K / "reward.py"), "-i", str(GSM8K / "completions.jsonl"), "--timeout", "5"]
    assert cli_main([*arguments, "-o", str(local_out), "--workers", "2"]) == 0
    process = subprocess.run(  # default --ray-actors: the cluster's 2 free CPUs hold one actor of 2 workers
        [sys.executable, "-m", "rewardbox.runner.cli", *arguments, "-o", str(ray_out), "--workers", "2",
         "--backend", "ray", "--ray-address", ray_address],
        capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert "graded 300 lines: ok 300" in process.stderr

    def records(path: Path) -> list[dict]:
        return [{k: v for k, v in json.loads(line).items() if k != "duration_ms"} for line in path.read_text().splitlines()]

    assert records(ray_out) == records(local_out)
    assert len(records(ray_out)) == 300
