"""The lean grading path (issue 14): the bulk ``Grader.scores`` API, warm mode's automatic warm-up, results
crossing threads in batches, and ``rewardbox grade`` starting its grader while it sets up."""

from __future__ import annotations

import argparse
import json
import time

import pytest
from rewardbox.graders import Grader, GradeResult, RewardSource, Scores, Status
from rewardbox.graders.runtime.grader import WARMUP_EXAMPLES
from rewardbox.runner.cli import build_parser
from rewardbox.runner.errors import UsageError
from rewardbox.runner.options import grader_starting

PICKY = """
def compute_reward(completion, ground_truth):
    if completion == "boom":
        raise ValueError("boom")
    if completion == "nan":
        return float("nan")
    return 1.0 if completion.endswith(str(ground_truth)) else 0.25
"""
FIRST_CALL_STATE = {
    "counter": "CALLS = 0\ndef compute_reward(c, g):\n    global CALLS\n    CALLS += 1\n    return float(CALLS)\n",
    "in_place": "SEEN = []\ndef compute_reward(c, g):\n    SEEN.append(c)\n    return float(len(SEEN))\n",
    "dict_value": "STATE = {'n': 0}\ndef compute_reward(c, g):\n    STATE['n'] += 1\n    return float(STATE['n'])\n",
    "process": "import os, time\ndef compute_reward(c, g):\n    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n    return 1.0\n",
    "new_package": "import sys\ndef compute_reward(c, g):\n    first = 'wave' not in sys.modules\n    import wave\n    return 1.0 if first else 0.0\n",
}
STATELESS_WITH_CACHE_OF_IMPORTS = """
import functools

@functools.lru_cache(maxsize=None)
def _parse(text):
    return text.strip()

def compute_reward(completion, ground_truth):
    return 1.0 if _parse(completion).endswith(str(ground_truth)) else 0.0
"""


def test_scores_match_grade_batch_with_statuses_and_errors_by_index():
    items = [("a 1", "1"), ("boom", "1"), ("b 2", "3"), ("nan", "1"), {"completion": "c 4", "ground_truth": 4}, {"ground_truth": "1"}]
    with Grader(PICKY, workers=2, mode="warm") as grader:
        scores = grader.scores(items)
        results = grader.grade_batch(items)
    assert isinstance(scores, Scores) and len(scores) == len(items)
    assert scores.scores == [r.score for r in results] == [1.0, 0.0, 0.25, 0.0, 1.0, 0.0]
    assert scores.statuses == [r.status for r in results]
    assert scores.statuses[1] is Status.exception and "ValueError: boom" in scores.errors[1]
    assert scores.statuses[3] is Status.invalid_return
    assert scores.statuses[5] is Status.invalid_input and "completion" in scores.errors[5]
    assert set(scores.errors) == {1, 3, 5}
    assert scores.ok == [True, False, True, False, True, False] and scores.failed() == 3


def test_scores_of_many_items_in_order_across_processes():
    items = [(f"answer {i}", str(i % 7)) for i in range(3000)]
    with Grader(PICKY, workers=2, mode="warm", calls_per_process=100) as grader:
        scores = grader.scores(iter(items))  # an iterator: its length is not known ahead
    assert scores.scores == [1.0 if f"answer {i}".endswith(str(i % 7)) else 0.25 for i in range(3000)]
    assert scores.failed() == 0


def test_scores_honour_the_declared_range():
    with Grader(PICKY, workers=1, mode="warm", score_range=(0.5, 1.0)) as grader:
        scores = grader.scores([("a 1", "1"), ("b", "2")])
    assert scores.scores == [1.0, 0.0] and scores.statuses == [Status.ok, Status.invalid_return]
    assert "outside the declared range" in scores.errors[1]


@pytest.mark.parametrize("kind", sorted(FIRST_CALL_STATE))
def test_warm_up_that_leaves_state_is_undone_so_warm_matches_fresh(kind):
    reward = FIRST_CALL_STATE[kind]
    items = [(f"c{i}", "x") for i in range(4)]
    with Grader(reward, workers=1, mode="fresh") as grader:
        fresh = grader.scores(items).scores
    with Grader(reward, workers=1, mode="warm", calls_per_process=1) as grader:
        warm = grader.scores(items).scores
        skipped = grader.summary()["warmup_skipped"]
    assert warm == fresh  # for "process": the calls cannot fork (0.0, exception) in either mode
    assert skipped and "warm-up calls changed the reward's state" in skipped


def test_warm_up_of_a_stateless_reward_is_kept_and_can_be_turned_off():
    with Grader(STATELESS_WITH_CACHE_OF_IMPORTS, workers=1, mode="warm") as grader:
        assert grader.summary()["warmup_skipped"] is None
        assert grader.scores([(" x 1 ", "1")]).scores == [1.0]
    counter = FIRST_CALL_STATE["counter"]
    with Grader(counter, workers=1, mode="warm", warmup=()) as grader:  # no warm-up: nothing to undo
        assert grader.summary()["warmup_skipped"] is None
        assert grader.scores([("a", "x")]).scores == [1.0]
    with Grader(counter, workers=1, mode="warm", warmup=WARMUP_EXAMPLES) as grader:  # asked for: kept, state and all
        assert grader.scores([("a", "x")]).scores == [float(len(WARMUP_EXAMPLES) + 1)]
    with Grader(counter, workers=1, mode="fresh") as grader:  # fresh mode warms nothing up by default
        assert grader.scores([("a", "x")]).scores == [1.0]


def test_results_cross_threads_in_batches_and_iterators_see_every_one():
    items = [(f"answer {i}", str(i % 3)) for i in range(2000)]
    with Grader(PICKY, workers=2, mode="warm") as grader:
        unordered = dict(grader.iter_results(items))
        waits: list[int] = []
        ordered = list(grader.iter_ordered(iter(items), window=50, on_wait=lambda: waits.append(1)))
    assert sorted(unordered) == list(range(2000))
    assert [r.score for r in ordered] == [unordered[i].score for i in range(2000)]
    assert 0 < len(waits) < 2000  # called when no result was ready: per batch, not per item


def test_grade_results_survive_the_dict_round_trip_and_bad_dicts_are_refused():
    result = GradeResult(score=0.5, status=Status.ok, duration_ms=1.5, stdout="hi", components={"format": 1.0})
    assert GradeResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert result.model_dump(exclude={"duration_ms"})["status"] is Status.ok
    assert result.model_copy(update={"score": 1.0}).score == 1.0
    for bad in ({"score": float("nan"), "status": "ok"}, {"score": 1.0, "status": "fine"}, {"score": True, "status": "ok"},
                {"score": 1.0, "status": "ok", "extra": 1}, {"score": 1.0, "status": "ok", "duration_ms": -1}):
        with pytest.raises(ValueError):
            GradeResult.from_dict(bad)
    with pytest.raises(Exception):
        result.score = 2.0  # frozen


def test_reward_sources_check_their_fields():
    source = RewardSource.parse("library:math", {"mode": "strict"})
    assert RewardSource.from_dict(json.loads(json.dumps(source.as_dict()))) == source
    with pytest.raises(ValueError, match="kind"):
        RewardSource(kind="url", target="x")
    with pytest.raises(ValueError, match="JSON"):
        RewardSource(kind="library", target="math", params={"f": object()})


def _args(*argv: str) -> argparse.Namespace:
    return build_parser("grade").parse_args(["grade", *argv, "-i", "in.jsonl", "-o", "out.jsonl"])


def test_grader_starting_closes_the_grader_however_the_block_ends(tmp_path):
    reward = tmp_path / "r.py"
    reward.write_text("def compute_reward(c, g):\n    return 1.0\n")
    started = []
    with pytest.raises(RuntimeError):
        with grader_starting(_args(str(reward), "--workers", "1")) as wait:
            started.append(wait())
            assert started[0].grade("a").ok
            raise RuntimeError("the command failed after the grader started")
    assert started[0]._closed
    with grader_starting(_args(str(reward), "--range", "1,0")) as wait:
        with pytest.raises(UsageError, match="--range"):
            wait()
    with pytest.raises(RuntimeError):  # failing before waiting: the grader that started is closed all the same
        with grader_starting(_args(str(reward))):
            raise RuntimeError("input unreadable")


def test_a_grader_started_in_a_thread_that_ends_keeps_its_zygote():
    """The zygote's parent-death signal follows the thread that started it: a grader made in a worker thread
    (or by asyncio.to_thread, or by grade's early start) must not lose its zygote when that thread ends."""
    import threading

    made: list[Grader] = []
    worker = threading.Thread(target=lambda: made.append(Grader(PICKY, workers=1, mode="fresh")))
    worker.start()
    worker.join()
    with made[0] as grader:
        zygote = grader._manager.sandbox.process
        time.sleep(0.3)  # a SIGKILL on the thread's end lands well within this
        assert zygote.poll() is None
        assert grader.grade("a 1", "1").score == 1.0
        assert grader._manager.sandbox.process is zygote and grader._manager.restarts == 0
