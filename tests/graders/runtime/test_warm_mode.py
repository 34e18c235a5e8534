"""mode="warm": a confined process serves many calls, and is replaced after any call that leaves a trace.

Each retirement rule is broken by a reward that would score differently in a process that
served an earlier call; warm mode must give the fresh-process score every time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rewardbox.graders import Grader, Status
from rewardbox.graders.runtime.grader import WARM_CALLS

ROOT = Path(__file__).resolve().parents[3]
GSM8K = ROOT / "examples" / "gsm8k"

COUNTER = """
CALLS = 0

def compute_reward(completion, ground_truth):
    global CALLS
    CALLS += 1
    return float(CALLS)
"""
THREAD = """
import threading, time

def compute_reward(completion, ground_truth):
    alive = threading.active_count()
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    return float(alive)
"""
IMPORTS = """
import importlib, sys

def compute_reward(completion, ground_truth):
    first = "wave" not in sys.modules
    importlib.import_module("wave")
    return 1.0 if first else 0.0
"""
MUTATES = """
SEEN = []

def compute_reward(completion, ground_truth):
    if completion == "boom":
        raise ValueError("boom")
    SEEN.append(completion)
    return float(len(SEEN))
"""
ITEMS = [(f"c{i}", "x") for i in range(6)]


def scores(reward, items=ITEMS, **options):
    with Grader(reward, workers=1, **options) as grader:
        return [(r.score, r.status.value) for r in grader.grade_batch(items)]


@pytest.mark.parametrize("reward", [COUNTER, THREAD, IMPORTS], ids=["rebound_global", "thread_left_running", "new_module"])
def test_a_call_that_leaves_a_trace_retires_its_process(reward):
    fresh = scores(reward, mode="fresh")
    assert scores(reward, mode="warm") == fresh
    assert scores(reward, calls_per_process=6) != fresh  # the same process without the rules: the trace shows


def test_a_call_that_fails_retires_its_process_and_in_place_changes_are_documented_to_carry():
    items = [("a", "x"), ("b", "x"), ("boom", "x"), ("c", "x")]
    # SEEN.append is an in-place change warm mode does not see: it carries until the failing call retires the process
    assert scores(MUTATES, items, mode="warm") == [(1.0, "ok"), (2.0, "ok"), (0.0, "exception"), (1.0, "ok")]
    assert scores(MUTATES, items, mode="fresh") == [(1.0, "ok"), (1.0, "ok"), (0.0, "exception"), (1.0, "ok")]


def test_a_warm_process_serves_at_most_calls_per_process_calls():
    assert [score for score, _ in scores(MUTATES, ITEMS, mode="warm", calls_per_process=2)] == [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]


def test_a_timeout_retires_the_process_and_the_rest_of_its_chunk_still_runs():
    reward = "import time\n\ndef compute_reward(completion, ground_truth):\n    if completion == 'hang':\n        time.sleep(60)\n    return 1.0\n"
    items = [("a", "x"), ("hang", "x"), ("b", "x"), ("c", "x")]
    assert [status for _, status in scores(reward, items, mode="warm", timeout=1)] == ["ok", "timeout", "ok", "ok"]


@pytest.mark.parametrize("reward", ["library:math", "library:string", "library:numeric", "library:choice", "library:similarity", str(GSM8K / "reward.py")])
def test_warm_mode_scores_stateless_rewards_as_fresh_mode_does(reward):
    lines = [json.loads(line) for line in (GSM8K / "completions.jsonl").read_text().splitlines()][:40]
    items = [(line["completion"], line["ground_truth"]) for line in lines] + [("The answer is (B).", "B"), ("", "")]
    with Grader(reward, mode="fresh", workers=2) as fresh, Grader(reward, mode="warm", workers=2) as warm:
        expected = [(r.score, r.status) for r in fresh.grade_batch(items)]
        assert [(r.score, r.status) for r in warm.grade_batch(items)] == expected
        assert [(r.score, r.status) for r in warm.grade_batch(items[::-1])] == expected[::-1]


def test_defaults_by_trust_and_clear_errors():
    with Grader("library:math", workers=1) as library, Grader(str(GSM8K / "reward.py"), workers=1) as user:
        assert (library.mode, library.calls_per_process) == ("warm", WARM_CALLS)
        assert (user.mode, user.calls_per_process) == ("fresh", 1)
        assert library.summary()["mode"] == "warm"
    with Grader("library:code", workers=1) as code:
        assert code.mode == "fresh"
    with pytest.raises(ValueError, match="mode='fresh' runs one call per process"):
        Grader("library:math", mode="fresh", calls_per_process=8)
    with pytest.raises(ValueError, match="mode='lukewarm': expected 'fresh' or 'warm'"):
        Grader("library:math", mode="lukewarm")


LAZY_SUBMODULE = """
import importlib

import lazypkg

SEEN = []

def compute_reward(completion, ground_truth):
    importlib.import_module("lazypkg.part")  # a part of a package the process has (sympy loading a printer)
    SEEN.append(completion)
    return float(len(SEEN))
"""


def test_a_lazily_imported_submodule_of_a_loaded_package_keeps_the_process(tmp_path):
    (tmp_path / "lazypkg").mkdir()
    (tmp_path / "lazypkg" / "__init__.py").write_text("")
    (tmp_path / "lazypkg" / "part.py").write_text("VALUE = 1\n")
    (tmp_path / "reward.py").write_text(LAZY_SUBMODULE)
    assert [score for score, _ in scores(str(tmp_path / "reward.py"), mode="warm")] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
