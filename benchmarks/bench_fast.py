"""Every figure of issue 14 ("fast by default") in one run, each a ratio against a baseline measured here.

    python benchmarks/bench_fast.py [--quick]

  1. library:math, default configuration (warm), 5,000 unseen items, 2 workers  vs the same reward in a serial in-process loop
  2. a user-written math-verify reward file, mode="warm", same                    vs that function in a serial in-process loop
  3. rewardbox grade --mode warm, 20,000 trivial items, whole process            vs a multiprocessing.Pool(2) script, whole process
  4. a one-line rewardbox grade, whole process                                   vs python -c "import json, multiprocessing"
  5. fresh mode, trivial reward                                                   vs a fresh interpreter per call
  6. fresh mode, trivial reward                                                   vs a bare fork server (no isolation)
Rows 1, 2, 5 and 6 alternate ours and the baseline over rounds on fresh items and give the median ratio: the machines
are shared, and their speed drifts within a run by more than the differences measured here.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cli import cli_figures  # noqa: E402
from bench_grader import bare_fork_server, fresh_interpreter  # noqa: E402
from bench_library import gsm8k_items  # noqa: E402
from rewards import MATH_VERIFY, TRIVIAL, trivial_items  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402
from rewardbox.library import math_answer  # noqa: E402

ROUNDS = 3


def rate(function, items) -> float:
    started = time.perf_counter()
    function(items)
    return len(items) / (time.perf_counter() - started)


def row(number: int, name: str, ratios: list[float], floor: float, goal: float, lower_is_better: bool = False) -> None:
    ratio = statistics.median(ratios)
    met = ratio <= floor if lower_is_better else ratio >= floor
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"{number}. {name:<62} {ratio:6.2f}x  (floor {floor}x, goal {goal}x: {'floor met' if met else 'BELOW FLOOR'})  rounds {rounds}")


def math_rows(count: int, folder: str) -> None:
    """Rows 1 and 2: each round grades items none of the four has seen (math-verify caches parses)."""
    library = math_answer()
    library.warm_up()
    path = os.path.join(folder, "math_reward.py")
    with open(path, "w") as f:
        f.write(MATH_VERIFY)
    namespace: dict = {}
    exec(MATH_VERIFY, namespace)
    user = namespace["compute_reward"]
    for completion, truth in gsm8k_items(20, seed=99):
        user(completion, truth)  # warm, as a training process runs it
    started = time.perf_counter()
    graders = {"library": Grader("library:math", workers=2, timeout=30.0), "user": Grader(path, workers=2, timeout=30.0, mode="warm")}
    print(f"   two graders started in {time.perf_counter() - started:.2f} s (not in the rates: paid once per run)")
    serial = {"library": lambda items: [library(c, t) for c, t in items], "user": lambda items: [user(c, t) for c, t in items]}
    ratios: dict[str, list[float]] = {"library": [], "user": []}
    try:
        for grader in graders.values():
            grader.grade_batch(gsm8k_items(20, seed=98))
        for round_ in range(ROUNDS):
            for name in ("library", "user"):
                items = gsm8k_items(count, seed=10 * round_ + (name == "user"))
                baseline = rate(serial[name], items)
                ours = rate(graders[name].scores, gsm8k_items(count, seed=10 * round_ + 5 + (name == "user")))
                ratios[name].append(ours / baseline)
                print(f"   round {round_ + 1} {name:<7}: serial {baseline:6.0f} calls/s, grader {ours:6.0f} calls/s")
    finally:
        for grader in graders.values():
            grader.close()
    row(1, f"library:math default ({graders['library'].mode}) vs serial in-process, n={count}", ratios["library"], 1.6, 1.85)
    row(2, f"user math-verify file, mode='warm' vs serial in-process, n={count}", ratios["user"], 1.6, 1.85)


def fresh_rows(count: int, folder: str) -> None:
    path = os.path.join(folder, "trivial.py")
    with open(path, "w") as f:
        f.write(TRIVIAL)
    items = trivial_items(count)
    few = items[: max(20, count // 10)]
    vs_interpreter, vs_fork = [], []
    with Grader(path, workers=2, mode="fresh") as grader:
        grader.grade_batch(items[:20])
        for _ in range(ROUNDS):
            ours = rate(grader.scores, items)
            vs_fork.append(ours / bare_fork_server(path, items, 2))
            vs_interpreter.append(rate(grader.scores, few) / fresh_interpreter(path, few, 2))
    row(5, f"fresh mode, trivial reward vs a fresh interpreter per call, n={len(few)}", vs_interpreter, 10, 15)
    row(6, f"fresh mode, trivial reward vs a bare fork server, n={count}", vs_fork, 0.6, 0.7)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer items and runs (a smoke run)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="rewardbox-bench-") as folder:
        math_rows(500 if args.quick else 5000, folder)
        (many, pool, ours), (line, bare) = cli_figures(quick=args.quick)
        row(3, f"rewardbox grade --mode warm, {many:,} trivial items, whole process vs Pool(2)", [pool / ours], 0.5, 0.8)
        print(f"   Pool(2) script {pool:.2f} s, rewardbox grade {ours:.2f} s (best of the runs)")
        row(4, "one-line rewardbox grade vs python -c 'import json, multiprocessing'", [line / bare], 6, 4, lower_is_better=True)
        print(f"   {line * 1000:.0f} ms vs {bare * 1000:.0f} ms (best of the runs)")
        fresh_rows(400 if args.quick else 2000, folder)


if __name__ == "__main__":
    main()
