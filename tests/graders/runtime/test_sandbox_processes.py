"""Hostile rewards against the process side of the sandbox: hangs, crashes, exits,
resource bombs, processes and threads that try to outlive their call, and the pool
around them (order, streaming, outside kills, close)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
from rewardbox.graders import Grader, GraderClosed, RewardboxError, Status
from sandbox_helpers import (
    descendants,
    hostile,
    processes_named,
    run_bounded,
    sandbox_temp_dir,
    unique_tag,
    wait_for,
    zygote_pid,
)

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="these tests read /proc")


def assert_timed_out(result, timeout: float) -> None:
    assert result.status is Status.timeout, result
    assert result.score == 0.0
    assert "timeout" in result.error
    assert timeout * 1000 * 0.9 <= result.duration_ms <= (timeout + 1.0) * 1000


# ---- hangs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reward", ["infinite_loop", "sleep_forever", "ignore_signals"])
def test_hanging_call_is_killed_at_the_timeout(make_grader, reward):
    grader = make_grader(reward, timeout=1.0)
    started = time.monotonic()
    result = grader.grade("anything", "anything")
    elapsed = time.monotonic() - started
    assert_timed_out(result, 1.0)
    assert 0.9 <= elapsed < 1.75, f"a 1 s timeout took {elapsed:.2f} s to enforce"
    assert wait_for(lambda: not descendants(zygote_pid(grader))), "the killed call left processes behind"


def test_hang_on_some_inputs_leaves_other_calls_unaffected(make_grader):
    grader = make_grader("hang_on_some", timeout=1.0, workers=2)
    items = [("hang", ""), ("ab", ""), ("abc", ""), ("hang", ""), ("abcd", "")]
    results = grader.grade_batch(items)
    assert [r.status for r in results] == [Status.timeout, Status.ok, Status.ok, Status.timeout, Status.ok]
    assert [r.score for r in results] == [0.0, 2.0, 3.0, 0.0, 4.0]
    started = time.monotonic()
    later = grader.grade("abcdef", "")
    assert (later.status, later.score) == (Status.ok, 6.0)
    assert time.monotonic() - started < 0.5


def test_timed_out_call_scores_the_failure_score(make_grader):
    """failure_score is what every failed call scores."""
    grader = make_grader("hang_on_some", timeout=1.0, failure_score=-1.0)
    result = grader.grade("hang", "b")
    assert (result.status, result.score) == (Status.timeout, -1.0)


# ---- exits, exceptions, crashes ------------------------------------------------------------------


def test_os_exit_is_crashed(make_grader):
    result = make_grader("os_exit").grade("a", "b")
    assert (result.status, result.score) == (Status.crashed, 0.0)
    assert "code 3" in result.error


@pytest.mark.parametrize("completion, message", [("zero", "SystemExit"), ("message", "SystemExit: reward gave up")])
def test_sys_exit_is_an_exception(make_grader, completion, message):
    result = make_grader("sys_exit").grade(completion, "b")
    assert (result.status, result.score) == (Status.exception, 0.0)
    assert message in result.error
    assert "sys_exit.py" in result.error  # the traceback points at the user's code


def test_keyboard_interrupt_is_an_exception(make_grader):
    result = make_grader("keyboard_interrupt").grade("a", "b")
    assert (result.status, result.score) == (Status.exception, 0.0)
    assert "KeyboardInterrupt: simulated Ctrl-C" in result.error


def test_stack_overflow_through_c_code_is_crashed_with_sigsegv(make_grader):
    """With the recursion limit raised, recursion through map() overflows the C stack: SIGSEGV."""
    result = make_grader("stack_overflow", timeout=5.0).grade("a", "b")
    assert (result.status, result.score) == (Status.crashed, 0.0)
    assert "SIGSEGV" in result.error
    assert result.duration_ms < 4000


def test_recursion_error_is_an_exception(make_grader):
    result = make_grader("recursion_error").grade("a", "b")
    assert (result.status, result.score) == (Status.exception, 0.0)
    assert "RecursionError" in result.error
    assert len(result.error) <= 8192, "the traceback of a deep recursion must be bounded"


# ---- resource bombs -------------------------------------------------------------------------------


def test_memory_bomb_hits_the_memory_limit(make_grader):
    grader = make_grader("memory_bomb", timeout=5.0, memory_mb=512)
    result = grader.grade("grow", "b")
    assert (result.status, result.score) == (Status.memory_limit, 0.0)
    assert "512" in result.error


def test_huge_allocation_hits_the_default_memory_limit(make_grader):
    result = make_grader("memory_bomb", timeout=5.0).grade("huge", "b")
    assert (result.status, result.score) == (Status.memory_limit, 0.0)
    assert "2048" in result.error


@pytest.mark.parametrize("channel", ["print", "stderr", "fd"])
def test_100_mb_of_output_is_output_limit(make_grader, channel):
    result = make_grader("output_flood", timeout=5.0).grade(channel, "b")
    assert (result.status, result.score) == (Status.output_limit, 0.0)
    assert re.search(r"stdout|stderr|output", result.error)
    assert len(result.stdout) + len(result.stderr) < 10_000, "captured output must stay bounded"


def test_fork_bomb_runs_and_leaves_nothing_running(make_grader):
    """A call may fork (within its budget): 30 sleeping children start, and none outlives the call."""
    tag = unique_tag()
    grader = make_grader("fork_bomb")
    if not grader.processes.allowed:
        pytest.skip(f"calls may not start processes here: {grader.processes.detail}")
    result = grader.grade(tag, "")
    assert (result.status, result.score) == (Status.ok, 30.0)
    assert wait_for(lambda: not processes_named(tag), timeout=5.0), f"forked children survive: {processes_named(tag)}"
    # the call process itself may still be exiting just after it wrote its result; nothing else may be there
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=5.0), f"running under the zygote: {descendants(zygote_pid(grader))}"


def test_an_unbounded_fork_bomb_stops_at_the_call_budget_and_dies_with_it(make_grader):
    """Children that fork too: the call's task budget stops them (fork fails), and all die with the call."""
    tag = unique_tag()
    grader = make_grader("fork_bomb_unbounded", timeout=5.0)
    if grader.processes.scope != "call":
        pytest.skip(f"no per-call task budget here: {grader.processes.detail}")
    result = grader.grade(tag, "")
    assert result.status is Status.ok and 0 < result.score < grader.processes.tasks, result
    assert wait_for(lambda: not processes_named(tag), timeout=10.0), f"{len(processes_named(tag))} forked processes survive"
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=5.0)
    assert grader.grade(unique_tag(), "").status is Status.ok, "the next call starts with its own budget"
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=10.0)


def user_tasks() -> int:
    """Tasks (threads) whose real user is this process's, as RLIMIT_NPROC counts them."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields["Uid"].split()[0]) == os.getuid():
            total += int(fields["Threads"])
    return total


def test_fork_bomb_without_syscall_filter_leaves_nothing_running(make_grader):
    """isolation="minimal" has no seccomp: the forks succeed, and the kill layer must still end them all."""
    tag = unique_tag()
    grader = make_grader("fork_bomb", isolation="minimal")
    if grader.processes.scope == "sandbox":  # a non-root user's RLIMIT_NPROC counts all its tasks: an earlier test's must be gone
        assert wait_for(lambda: user_tasks() + 60 < grader.processes.tasks, timeout=10.0), f"{user_tasks()} tasks of this user"
    result = grader.grade(tag, "")
    assert (result.status, result.score) == (Status.ok, 30.0)
    assert wait_for(lambda: not processes_named(tag)), f"forked children survive: {processes_named(tag)}"
    assert wait_for(lambda: not descendants(zygote_pid(grader)))


# ---- processes and threads that outlive the call --------------------------------------------------


@pytest.mark.parametrize("isolation", ["standard", "minimal"])
def test_double_fork_setsid_daemon_is_killed_with_its_call(make_grader, isolation):
    """A daemon (double fork, setsid, ignoring SIGTERM/SIGHUP) starts, and must not survive the call."""
    tag = unique_tag()
    grader = make_grader("setsid_daemon", isolation=isolation)
    if not grader.processes.allowed:
        pytest.skip(f"calls may not start processes here: {grader.processes.detail}")
    result = grader.grade(tag, "")
    assert (result.status, result.score) == (Status.ok, 1.0)
    assert wait_for(lambda: not processes_named(tag), timeout=5.0), f"the daemon survived its call: {processes_named(tag)}"
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=5.0), f"running under the zygote: {descendants(zygote_pid(grader))}"


@pytest.mark.parametrize("calls_per_process", [1, 3])
def test_thread_that_outlives_the_call(make_grader, calls_per_process):
    grader = make_grader("lingering_thread", timeout=2.0, workers=1, calls_per_process=calls_per_process)
    started = time.monotonic()
    results = grader.grade_batch([("a", "b")] * 3)
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0)] * 3
    assert time.monotonic() - started < 1.5
    assert wait_for(lambda: not descendants(zygote_pid(grader))), "a call process is still running"
    assert _thread_count(zygote_pid(grader)) == 1, "the reward's threads run in the zygote, which forks every call"
    temp_dir = sandbox_temp_dir(grader)
    assert wait_for(lambda: not _written_under(temp_dir)), f"files left by calls: {_written_under(temp_dir)}"


def _written_under(folder: str) -> list[str]:
    """Everything under ``folder`` but empty directories (an ended call's empty directory is kept for the next)."""
    found = []
    for root, dirs, files in os.walk(folder):
        found += [os.path.join(root, name) for name in files]
        found += [os.path.join(root, name) for name in dirs if os.listdir(os.path.join(root, name))]
    return found


def _thread_count(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


# ---- the pool -------------------------------------------------------------------------------------------


def test_order_is_preserved_under_parallelism(make_grader):
    grader = make_grader("by_input", workers=2, timeout=5.0)
    delays = [0.4, 0.0, 0.3, 0.0, 0.2, 0.0, 0.1, 0.0, 0.0, 0.05]
    items = [(f"sleep:{d}", str(i)) for i, d in enumerate(delays)]
    progress = []
    results = grader.grade_batch(items, progress=lambda done, total: progress.append((done, total)))
    assert [(r.status, r.score) for r in results] == [(Status.ok, float(i)) for i in range(len(items))]
    assert progress == [(i, len(items)) for i in range(1, len(items) + 1)]
    completion_order = [index for index, _ in grader.iter_results(items)]
    assert sorted(completion_order) == list(range(len(items)))
    assert completion_order != list(range(len(items))), "slow items should finish after fast ones"
    assert [r.score for r in grader.iter_ordered(items)] == [float(i) for i in range(len(items))]


def test_async_batch_keeps_order_and_reports_failures(make_grader):
    grader = make_grader("by_input", workers=2, timeout=1.0)
    items = [("sleep:0.2", "0"), ("hang", "1"), ("x", "2"), ("x", "3")]

    async def run():
        batch = await grader.agrade_batch(items)
        streamed = {index: result async for index, result in grader.aiter_results(items)}
        single = await grader.agrade("x", "7")
        return batch, streamed, single

    batch, streamed, single = asyncio.run(run())
    expected = [(Status.ok, 0.0), (Status.timeout, 0.0), (Status.ok, 2.0), (Status.ok, 3.0)]
    assert [(r.status, r.score) for r in batch] == expected
    assert [(streamed[i].status, streamed[i].score) for i in range(4)] == expected
    assert (single.status, single.score) == (Status.ok, 7.0)


def test_mixed_failures_in_one_batch_give_one_result_each(make_grader):
    source = (
        "import os, sys\n"
        "def compute_reward(completion, ground_truth):\n"
        "    if completion == 'exit': os._exit(9)\n"
        "    if completion == 'raise': raise ValueError('bad')\n"
        "    if completion == 'hang':\n"
        "        while True: pass\n"
        "    if completion == 'none': return None\n"
        "    if completion == 'segv':\n"
        "        import ctypes; ctypes.string_at(0)\n"
        "    return float(ground_truth)\n"
    )
    grader = make_grader(source, workers=2, timeout=1.0)
    kinds = ["ok", "exit", "raise", "hang", "none", "segv", "ok", "ok"]
    items = [(kind, str(i)) for i, kind in enumerate(kinds)]
    seen = [index for index, _ in grader.iter_results(items)]
    assert sorted(seen) == list(range(len(items))), "every item gets exactly one result"
    results = grader.grade_batch(items)
    assert [r.status for r in results] == [
        Status.ok, Status.crashed, Status.exception, Status.timeout,
        Status.invalid_return, Status.crashed, Status.ok, Status.ok,
    ]
    assert [r.score for r in results] == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 6.0, 7.0]
    assert "code 9" in results[1].error
    assert "ValueError: bad" in results[2].error
    assert "SIGSEGV" in results[5].error


def _call_processes_named(grader, tag):
    """Processes named ``tag`` whose parent chain leads to the grader's zygote."""
    zygote = zygote_pid(grader)
    return processes_named(tag) & descendants(zygote)


def test_call_killed_from_outside_is_crashed_and_the_rest_complete(make_grader):
    grader = make_grader("by_input", workers=2, timeout=5.0)
    tag = unique_tag()
    items = [("sleep:0.05", str(i)) for i in range(8)]
    items.insert(3, (f"tag:{tag}", "99"))
    killed = []

    def killer():
        pids = wait_for(lambda: _call_processes_named(grader, tag), timeout=3.0)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    started = time.monotonic()
    results = grader.grade_batch(items)
    elapsed = time.monotonic() - started
    thread.join(timeout=5.0)
    assert killed, "the slow call's process was never found under the zygote"
    assert elapsed < 4.0, "the killed item waited for its timeout instead of being reported at once"
    victim = results[3]
    assert (victim.status, victim.score) == (Status.crashed, 0.0)
    assert "SIGKILL" in victim.error
    others = results[:3] + results[4:]
    assert [(r.status, r.score) for r in others] == [(Status.ok, float(i)) for i in range(8)]


def test_benign_batch_keeps_flowing_beside_a_hung_call(make_grader):
    timeout = 2.0
    # fresh mode: in warm mode the calls queued behind a hung call in its process wait for its timeout (docs/how-it-runs.md)
    grader = make_grader("by_input", workers=2, timeout=timeout, mode="fresh")
    items = [("hang", "0")] + [("sleep:0.01", str(i)) for i in range(1, 21)]
    started = time.monotonic()
    finished = {}
    for index, result in grader.iter_results(items):
        finished[index] = (time.monotonic() - started, result)
    assert_timed_out(finished[0][1], timeout)
    benign = [finished[i] for i in range(1, 21)]
    assert [(r.status, r.score) for _, r in benign] == [(Status.ok, float(i)) for i in range(1, 21)]
    last_benign = max(t for t, _ in benign)
    assert last_benign < timeout * 0.6, f"benign items took {last_benign:.2f} s beside a hung call"
    assert finished[0][0] >= timeout * 0.9


def test_killing_its_own_process_group_hurts_no_other_item(make_grader):
    """kill(0, SIGKILL) from a call must end that call only, not the zygote and the calls beside it."""
    grader = make_grader("kill_process_group", workers=2, timeout=3.0)
    items = []
    for i in range(12):
        items.append(("sleep:0.1", str(i)))
        if i % 3 == 0:
            items.append(("killpg", "-1"))
    finished, results = run_bounded(lambda: grader.grade_batch(items), timeout=20.0)
    assert finished, "grade_batch did not return"
    assert not isinstance(results, BaseException), f"grade_batch raised {results!r}"
    benign = [(r.status, r.score) for (c, _), r in zip(items, results) if c != "killpg"]
    assert benign == [(Status.ok, float(i)) for i in range(12)]
    hostile = [r for (c, _), r in zip(items, results) if c == "killpg"]
    # In its own session the call can only signal itself; as init of its PID namespace it
    # ignores a signal it sends itself, lingers, and returns. Without a PID namespace it dies.
    expected = (Status.ok, -1.0) if grader._manager.sandbox.pid_namespace else (Status.crashed, 0.0)
    assert [(r.status, r.score) for r in hostile] == [expected] * 4
    finished, after = run_bounded(lambda: grader.grade("x", "5"), timeout=5.0)
    assert finished and not isinstance(after, BaseException), after
    assert (after.status, after.score) == (Status.ok, 5.0)


def test_forged_control_message_from_import_time_code_never_hangs_the_caller(make_grader):
    """Import-time code runs in the zygote, which holds the control channel to the caller: whatever it
    writes there, every later grade() must come back (with results or an error) instead of hanging."""
    grader = make_grader("forge_control", workers=2, timeout=2.0)
    time.sleep(0.5)  # forged messages have been arriving for a while now
    for _ in range(2):
        finished, outcome = run_bounded(lambda: grader.grade_batch([("x", "1"), ("x", "2")]), timeout=5.0)
        assert finished, "grade_batch hangs after the zygote wrote a malformed control message"
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, RewardboxError), repr(outcome)
        else:
            assert [(r.status, r.score) for r in outcome] == [(Status.ok, 1.0), (Status.ok, 2.0)]


def test_close_leaves_no_process_and_no_temp_dir(make_grader):
    grader = make_grader("by_input", workers=2, timeout=1.0)
    assert [r.status for r in grader.grade_batch([("x", "1"), ("hang", "2"), ("x", "3")])] == [
        Status.ok, Status.timeout, Status.ok,
    ]
    zygote, temp_dir = zygote_pid(grader), sandbox_temp_dir(grader)
    assert zygote in descendants() and os.path.isdir(temp_dir)
    grader.close()
    assert wait_for(lambda: not descendants()), f"still running after close(): {descendants()}"
    assert not os.path.exists(temp_dir)
    with pytest.raises(GraderClosed):
        grader.grade("x", "1")
    grader.close()  # closing twice is harmless


def test_close_while_a_call_is_running_releases_the_waiting_caller(make_grader):
    grader = make_grader("by_input", workers=1, timeout=30.0)
    outcome = {}

    def grade():
        try:
            outcome["result"] = grader.grade("hang", "1")
        except BaseException as exc:  # noqa: BLE001 - any way out is acceptable, hanging forever is not
            outcome["error"] = exc

    thread = threading.Thread(target=grade, daemon=True)
    thread.start()
    assert wait_for(lambda: descendants(zygote_pid(grader)), timeout=2.0), "the call never started"
    grader.close()
    thread.join(timeout=3.0)
    assert not thread.is_alive(), "grade() in another thread still blocks 3 s after close()"
    assert outcome, "grade() returned without a result or an error"
    assert wait_for(lambda: not descendants())


def test_context_manager_closes():
    with Grader(hostile("benign"), timeout=1.0, workers=1) as grader:
        assert grader.grade("x", "x").score == 1.0
        temp_dir = sandbox_temp_dir(grader)
    assert wait_for(lambda: not descendants())
    assert not os.path.exists(temp_dir)


# ---- calls_per_process ---------------------------------------------------------------------------------


def test_calls_per_process_shares_state_within_a_process(make_grader):
    """Documented trade-off: with calls_per_process=N one process serves up to N calls in a row,
    so module globals persist between them (here, a call counter)."""
    grader = make_grader("module_state", workers=1, calls_per_process=4)
    scores = [r.score for r in grader.grade_batch([("a", "b")] * 4)]
    first = scores[0]
    assert scores == [first, first + 1, first + 2, first + 3]


def test_timeout_in_the_middle_of_a_chunk(make_grader):
    grader = make_grader("by_input", workers=1, calls_per_process=5, timeout=1.0)
    items = [("x", "1"), ("x", "2"), ("hang", "3"), ("x", "4"), ("x", "5")]
    started = time.monotonic()
    results = grader.grade_batch(items)
    assert [(r.status, r.score) for r in results] == [
        (Status.ok, 1.0), (Status.ok, 2.0), (Status.timeout, 0.0), (Status.ok, 4.0), (Status.ok, 5.0),
    ]
    assert_timed_out(results[2], 1.0)
    assert time.monotonic() - started < 2.0


def test_crash_in_the_middle_of_a_chunk(make_grader):
    source = (
        "import os\n"
        "CALLS = 0\n"
        "def compute_reward(completion, ground_truth):\n"
        "    global CALLS\n"
        "    CALLS += 1\n"
        "    if completion == 'exit': os._exit(4)\n"
        "    return float(CALLS)\n"
    )
    grader = make_grader(source, workers=1, calls_per_process=5)
    results = grader.grade_batch([("x", ""), ("x", ""), ("exit", ""), ("x", ""), ("x", "")])
    assert [r.status for r in results] == [Status.ok, Status.ok, Status.crashed, Status.ok, Status.ok]
    assert "code 4" in results[2].error
    # the items after the crash run in a fresh process: its counter starts again
    first = results[0].score
    assert [results[i].score for i in (0, 1, 3, 4)] == [first, first + 1, first, first + 1]
