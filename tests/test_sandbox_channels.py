"""How calls reach their process and come back: per-call sockets, big inputs, forks
with and without Python's at-fork callbacks, call processes forked ahead of need,
and output kept apart between the calls of one process."""

from __future__ import annotations

import os

import pytest
from rewardkit.graders import Status
from sandbox_helpers import descendants, wait_for, zygote_pid

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="these tests read /proc")

LENGTH = "def compute_reward(completion, ground_truth):\n    return float(len(completion) + len(ground_truth))\n"


def test_inputs_larger_than_a_socket_buffer_arrive_whole(make_grader):
    """5 MiB of text (many socket buffers) and non-ASCII text, lone surrogates included, arrive unchanged."""
    grader = make_grader(LENGTH, workers=1, timeout=10.0)
    big = "é" * (5 << 20)
    odd = "\ud800 \U0001f600 \x00 end"
    results = grader.grade_batch([(big, "x"), (odd, "")])
    assert [(r.status, r.score) for r in results] == [(Status.ok, float(len(big) + 1)), (Status.ok, float(len(odd)))]


def test_big_items_in_chunks_keep_their_order(make_grader):
    """calls_per_process=100 over 40 items of 0.5 M characters: the chunks are cut by size, every score lines up."""
    grader = make_grader(LENGTH, workers=2, calls_per_process=100, timeout=10.0)
    items = [("a" * (1 << 19) + "b" * i, "") for i in range(40)]
    results = grader.grade_batch(items)
    assert [r.score for r in results] == [float((1 << 19) + i) for i in range(40)]


THREAD_AT_IMPORT = """
import threading, time
threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()

def compute_reward(completion, ground_truth):
    # in a correctly forked child only the calling thread exists
    return float(threading.active_count())
"""


def test_a_thread_started_at_import_does_not_follow_the_call(make_grader):
    """A zygote with a live thread forks with Python's at-fork callbacks: the call sees one thread."""
    grader = make_grader(THREAD_AT_IMPORT, workers=2)
    results = grader.grade_batch([("a", "b")] * 6)
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0)] * 6


SEEDED = """
import random

def compute_reward(completion, ground_truth):
    return random.random()
"""


@pytest.mark.parametrize("calls_per_process", [1, 4])
def test_every_call_starts_from_the_same_seed(make_grader, calls_per_process):
    """The first call of a process (no reseed needed after a bare fork) and later ones (reseeded) draw the same."""
    grader = make_grader(SEEDED, workers=2, calls_per_process=calls_per_process)
    scores = {r.score for r in grader.grade_batch([("a", "b")] * 12)}
    assert len(scores) == 1


def test_no_call_process_is_left_waiting_when_the_grader_is_idle(make_grader):
    """Call processes forked ahead during a batch are retired once it is done; the next batch still works."""
    grader = make_grader(LENGTH, workers=2)
    for _ in range(2):
        assert all(r.ok for r in grader.grade_batch([("x" * i, "") for i in range(30)]))
        assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=3.0), descendants(zygote_pid(grader))


PRINTS_SOME = """
def compute_reward(completion, ground_truth):
    if int(completion) % 3 == 0:
        print("call", completion)
    return 1.0
"""


def test_output_stays_with_its_call_in_a_shared_process(make_grader):
    """calls_per_process=12: a call's stdout holds only what that call printed."""
    grader = make_grader(PRINTS_SOME, workers=1, calls_per_process=12)
    results = grader.grade_batch([(str(i), "") for i in range(12)])
    assert [r.stdout for r in results] == [f"call {i}\n" if i % 3 == 0 else "" for i in range(12)]


CLOSES_STDOUT = """
import sys

def compute_reward(completion, ground_truth):
    print("before")
    if completion == "close":
        sys.stdout.close()
    return 1.0
"""


def test_a_call_that_closes_stdout_does_not_break_the_next(make_grader):
    grader = make_grader(CLOSES_STDOUT, workers=1, calls_per_process=3)
    results = grader.grade_batch([("close", ""), ("x", ""), ("x", "")])
    assert [r.status for r in results] == [Status.ok] * 3
    assert [r.stdout for r in results[1:]] == ["before\n", "before\n"]


LEAVES_FILES = """
import os

def compute_reward(completion, ground_truth):
    found = len(os.listdir("."))  # what an earlier call may have left in this call's directory
    if completion == "file":
        with open("left-behind.txt", "w") as f:
            f.write("state")
    elif completion == "dir":
        os.mkdir("left-behind")
    return float(found)
"""


def test_a_call_directory_is_empty_whatever_earlier_calls_left(make_grader):
    """Call directories are reused only when empty: files and folders a call leaves go with it."""
    grader = make_grader(LEAVES_FILES, workers=1)
    items = [("file", ""), ("look", ""), ("dir", ""), ("look", "")] * 5
    assert [r.score for r in grader.grade_batch(items)] == [0.0] * len(items)
