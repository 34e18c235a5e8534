"""How calls reach their process and come back: per-call sockets, big inputs, forks
with and without Python's at-fork callbacks, call processes forked ahead of need,
and output kept apart between the calls of one process."""

from __future__ import annotations

import os

import pytest
from rewardbox.graders import Status
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


REACHES_SIBLINGS = """
import os

def compute_reward(completion, ground_truth):
    if completion != "attack":
        return 0.0
    reached = 0
    own = os.readlink("/proc/self")  # its pid as /proc numbers it (os.getpid() is 1 in its PID namespace)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == own:
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("pipe:"):
                    with open(f"/proc/{pid}/fd/{fd}", "wb", buffering=0) as pipe:
                        pipe.write(b"0 1.0 1\\n")  # a forged result for whoever reads it
                        reached += 1
            except OSError:
                pass
    return float(reached)
"""


def test_a_call_cannot_reach_the_pipes_of_other_call_processes(make_grader):
    """No /proc/<pid>/fd door into a waiting call process (forked ahead), a sibling, the zygote or the caller:
    Landlock confines ptrace-style access to the call's own domain, and call processes are not dumpable."""
    grader = make_grader(REACHES_SIBLINGS, workers=1)
    results = grader.grade_batch([("attack", ""), ("victim", ""), ("victim", ""), ("attack", ""), ("victim", "")])
    assert [(r.status, r.score) for r in results] == [(Status.ok, 0.0)] * 5


LINGERS = """
import os, time

def compute_reward(completion, ground_truth):
    for fd in os.listdir("/proc/self/fd"):  # its result pipe: send a valid result for itself, then never end
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                os.write(int(fd), b"0 1.0 5\\n")
        except OSError:
            pass
    time.sleep(3600)
"""


def test_a_process_that_lingers_after_its_result_is_killed(make_grader):
    grader = make_grader(LINGERS, workers=1, timeout=30.0)
    result = grader.grade("x", "")
    assert (result.status, result.score) == (Status.ok, 1.0)
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=3.0), "the call process outlived its result"


CRASHES = """
import os

def compute_reward(completion, ground_truth):
    if completion == "crash":
        os._exit(3)
    return 1.0
"""


def test_a_caller_with_thousands_of_descriptors_open(make_grader):
    """Descriptor numbers above 1024 (a big training process) do not upset crash handling: batch after batch works."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2048:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below 2048")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        grader = make_grader(CRASHES, workers=2)
        for _ in range(5):
            results = grader.grade_batch([("ok", ""), ("crash", ""), ("ok", "")])
            assert [r.status for r in results] == [Status.ok, Status.crashed, Status.ok]
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


SIGNALS_ITS_MAIN_THREAD = """
import signal, threading, time

def compute_reward(completion, ground_truth):
    hits, errors = [], []
    signal.signal(signal.SIGUSR1, lambda *_: hits.append(1))

    def watchdog():  # how thread-based timeouts interrupt the main thread
        try:
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
        except OSError as exc:
            errors.append(exc)

    thread = threading.Thread(target=watchdog)
    thread.start()
    thread.join()
    time.sleep(0.02)
    if errors:
        raise errors[0]
    return float(len(hits))
"""


@pytest.mark.parametrize("isolation", ["standard", "minimal"])
def test_a_thread_of_the_call_can_signal_its_main_thread(make_grader, isolation):
    """glibc's cached thread id is the call process's own after the zygote's clone (pthread_kill finds the thread)."""
    grader = make_grader(SIGNALS_ITS_MAIN_THREAD, workers=1, isolation=isolation)
    results = grader.grade_batch([("a", "b")] * 3)
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0)] * 3, results[0].error


REGISTERS_AT_FORK = """
import os

STATE = {"forked": 0}
os.register_at_fork(after_in_child=lambda: STATE.update(forked=STATE["forked"] + 1))

def compute_reward(completion, ground_truth):
    return float(STATE["forked"])
"""


def test_a_library_at_fork_callback_runs_in_every_call_process(make_grader):
    """Callbacks a reward's libraries register with os.register_at_fork run as under os.fork (torch, grpc reset state there)."""
    grader = make_grader(REGISTERS_AT_FORK, workers=2)
    assert [r.score for r in grader.grade_batch([("a", "b")] * 4)] == [1.0] * 4
