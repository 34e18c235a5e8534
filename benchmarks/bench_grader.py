"""Throughput and latency of the sandboxed grader, as ratios against baselines run in this same script.

    python benchmarks/bench_grader.py [--quick]

Targets (issue 2), all on this machine in one run:
  default mode (fresh child per call), 2 workers   >= 0.5x a bare fork server, >= 5x a fresh interpreter per call
  calls_per_process=1000, 20,000 items            >= 0.5x multiprocessing.Pool(2).imap(chunksize=256)
  math-verify reward, default mode, 2 workers     >= 1.6x an in-process serial loop
  a hung call costs <= 150 ms beyond its timeout and does not stall the other worker; start to first result <= 0.5 s
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import platform
import selectors
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewards import HANG, MATH_VERIFY, TRIVIAL, math_items, trivial_items  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402
from rewardbox.graders.runtime.grader import WARMUP_EXAMPLES  # noqa: E402

ROUNDS = 3

_FORK_SERVER = textwrap.dedent(
    """
    import os, sys, signal
    namespace = {}
    exec(open(sys.argv[1]).read(), namespace)
    reward = namespace["compute_reward"]
    requests = os.fdopen(0, "rb", buffering=0)
    def reap(*_):
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
    signal.signal(signal.SIGCHLD, reap)
    buffer = b""
    while True:
        data = requests.read(65536)
        if not data:
            break
        buffer += data
        *lines, buffer = buffer.split(b"\\n")
        for line in lines:
            index, completion, truth = line.decode().split("\\t")
            if os.fork() == 0:
                score = reward(completion, truth)
                os.write(1, f"{index} {score}\\n".encode())
                os._exit(0)
    """
)


def bare_fork_server(reward_path: str, items: list[tuple[str, str]], workers: int) -> float:
    """Calls/s of a zygote that forks one unhardened child per call, with ``workers`` calls in flight."""
    server = subprocess.Popen([sys.executable, "-c", _FORK_SERVER, reward_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    selector = selectors.DefaultSelector()
    selector.register(server.stdout, selectors.EVENT_READ)
    started = time.perf_counter()
    sent = done = 0
    buffer = b""
    while done < len(items):
        while sent < len(items) and sent - done < workers:
            completion, truth = items[sent]
            server.stdin.write(f"{sent}\t{completion}\t{truth}\n".encode())
            sent += 1
        selector.select()
        data = os.read(server.stdout.fileno(), 65536)
        if not data:
            raise RuntimeError(f"the fork server died (exit {server.wait()})")
        buffer += data
        *lines, buffer = buffer.split(b"\n")
        done += len(lines)
    elapsed = time.perf_counter() - started
    server.stdin.close()
    server.wait()
    return len(items) / elapsed


def fresh_interpreter(reward_path: str, items: list[tuple[str, str]], workers: int) -> float:
    """Calls/s of starting a new interpreter per call (how naive sandboxes work)."""
    code = "import sys; ns = {}; exec(open(sys.argv[1]).read(), ns); print(ns['compute_reward'](sys.argv[2], sys.argv[3]))"

    def call(item: tuple[str, str]) -> str:
        return subprocess.run([sys.executable, "-I", "-c", code, reward_path, *item], capture_output=True, text=True, check=True).stdout

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(call, items))
    return len(items) / (time.perf_counter() - started)


def _trivial(item: tuple[str, str]) -> float:
    completion, truth = item
    return 1.0 if completion.strip().endswith(truth) else 0.0


def plain_pool(items: list[tuple[str, str]]) -> float:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        list(pool.imap(_trivial, items[:512], chunksize=256))
        started = time.perf_counter()
        list(pool.imap(_trivial, items, chunksize=256))
        return len(items) / (time.perf_counter() - started)


def grader_rate(reward_path: str, items: list[tuple[str, str]], **options) -> tuple[float, Grader]:
    grader = Grader(reward_path, workers=2, **options)
    grader.grade_batch(items[:20])
    started = time.perf_counter()
    results = grader.grade_batch(items)
    elapsed = time.perf_counter() - started
    assert all(r.ok for r in results), {r.status for r in results}
    return len(items) / elapsed, grader


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def report(name: str, ours: float, baseline: float, target: float, unit: str = "calls/s") -> None:
    ratio = ours / baseline
    verdict = "meets" if ratio >= target else "MISSES"
    print(f"{name:<58} {ours:10.1f} vs {baseline:10.1f} {unit}  ratio {ratio:5.2f}x  (target >= {target}x: {verdict})")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer items (a smoke run)")
    args = parser.parse_args()
    scale = 0.25 if args.quick else 1.0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    folder = tempfile.mkdtemp(prefix="rewardbox-bench-")
    paths = {}
    for name, text in (("trivial", TRIVIAL), ("math", MATH_VERIFY), ("hang", HANG)):
        paths[name] = os.path.join(folder, f"{name}.py")
        with open(paths[name], "w") as f:
            f.write(text)

    # rounds alternate ours and the baseline: the machine's speed drifts over a run, and a ratio of
    # medians over interleaved rounds is what that drift leaves alone
    items = trivial_items(int(2000 * scale))
    ours_rates, bare_rates = [], []
    for _ in range(ROUNDS):
        ours, grader = grader_rate(paths["trivial"], items)
        zygote_rss = rss_mb(grader._manager.sandbox.process.pid)
        layers = ", ".join(s.name for s in grader.layers if s.active)
        grader.close()
        ours_rates.append(ours)
        bare_rates.append(bare_fork_server(paths["trivial"], items, 2))
    print(f"active layers: {layers}")
    print("  rounds (ours/bare): " + ", ".join(f"{a:.0f}/{b:.0f} = {a / b:.2f}x" for a, b in zip(ours_rates, bare_rates)))
    ours = statistics.median(ours_rates)
    report("default mode vs bare fork server, median of %d rounds (n=%d)" % (ROUNDS, len(items)), ours, statistics.median(bare_rates), 0.5)
    few = items[: int(200 * scale)]
    report("default mode vs fresh interpreter per call (n=%d)" % len(few), ours, fresh_interpreter(paths["trivial"], few, 2), 5.0)

    many = trivial_items(20_000)
    ours, grader = grader_rate(paths["trivial"], many, calls_per_process=1000)
    grader.close()
    report("calls_per_process=1000 vs Pool(2).imap(chunksize=256) (n=20000)", ours, plain_pool(many), 0.5)

    math = math_items(int(1000 * scale))
    namespace: dict = {}
    exec(MATH_VERIFY, namespace)

    def serial_rate() -> float:
        # items it has not seen: math-verify caches parses, and a second pass over the same items is faster
        fresh = math_items(len(math), start=len(math) * (1 + len(serial_rates)))
        started = time.perf_counter()
        for completion, truth in fresh:
            namespace["compute_reward"](completion, truth)
        return len(fresh) / (time.perf_counter() - started)

    for completion, truth in WARMUP_EXAMPLES:  # the serial loop is timed warm, as a training process would run it
        namespace["compute_reward"](completion, truth)
    serial_rates: list[float] = []
    serial_rates.append(serial_rate())  # one pass between each of ours: the median follows the machine's drift
    cold, grader = grader_rate(paths["math"], math)
    grader.close()
    ours, grader = grader_rate(paths["math"], math, warmup=WARMUP_EXAMPLES)
    grader.close()
    serial_rates.append(serial_rate())
    ours_batched, grader = grader_rate(paths["math"], math, calls_per_process=64, warmup=WARMUP_EXAMPLES)
    grader.close()
    ours_trusted, grader = grader_rate(paths["math"], math, calls_per_process=1000, warmup=WARMUP_EXAMPLES)
    grader.close()
    serial_rates.append(serial_rate())
    serial = statistics.median(serial_rates)
    print("  serial passes: " + ", ".join(f"{rate:.0f}" for rate in serial_rates) + " calls/s (the median is the baseline)")
    report("math-verify, default mode, no warm-up vs serial in-process (n=%d)" % len(math), cold, serial, 1.6)
    report("math-verify, default mode, warmup=WARMUP_EXAMPLES vs serial (n=%d)" % len(math), ours, serial, 1.6)
    report("math-verify, calls_per_process=64 + warm-up vs serial (n=%d)" % len(math), ours_batched, serial, 1.6)
    report("math-verify, calls_per_process=1000 + warm-up vs serial (n=%d)" % len(math), ours_trusted, serial, 1.6)
    print("  (the 1.6x target is for the default mode; calls_per_process > 1 is for trusted code: state carries between calls)")

    started = time.perf_counter()
    with Grader(paths["hang"], workers=2, timeout=0.5) as grader:
        first_start = time.perf_counter() - started
        first = time.perf_counter()
        grader.grade("ok", "1")
        first_result = time.perf_counter() - started
        benign_done = []
        hang_done = []
        submitted = time.perf_counter()
        for index, result in grader.iter_results([("hang", "1")] + [("ok", "1")] * 50):
            (hang_done if index == 0 else benign_done).append(time.perf_counter() - submitted)
        overshoot_ms = (hang_done[0] - 0.5) * 1000
        print(f"hung call: result {hang_done[0] * 1000:.0f} ms after submit with timeout 500 ms -> {overshoot_ms:.0f} ms beyond (target <= 150 ms)")
        print(f"other worker: 50 benign calls done {max(benign_done) * 1000:.0f} ms after submit, before the hung call's result: {max(benign_done) < hang_done[0]}")
        print(f"pool start {first_start * 1000:.0f} ms, start to first result {first_result * 1000:.0f} ms (target <= 500 ms); one call {1000 * (time.perf_counter() - first):.0f} ms")
        print(f"memory: caller RSS {rss_mb(os.getpid()):.0f} MB, zygote RSS {zygote_rss:.0f} MB (trivial reward)")


if __name__ == "__main__":
    main()
