"""Throughput of ``library:math`` through the grader, and what math-verify's import costs, against baselines run here.

    python benchmarks/bench_library.py [--quick]

Figures, all measured in this one run on this machine:
  library:math through Grader(workers=2), default mode (warm: library rewards are trusted) vs the same reward serially in-process
  the same in mode="fresh" (a fresh process per call)                                     vs the same serial loop
  math-verify's import in a fresh interpreter, and that cost amortized over the items of one grader (the zygote imports
  it once and every call process is forked from it) vs the per-call cost of the reward
The 5,000 GSM8K-style completions are generated deterministically (distinct numbers, so math-verify's parse cache does
not help; a third wrong, some hedged, several answer formats).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import time

from rewardbox.graders import Grader
from rewardbox.library import math_answer

_IMPORT_TIME = "import time; t = time.perf_counter(); import math_verify; print(time.perf_counter() - t)"


def gsm8k_items(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (completion, ground truth) pairs written the ways models write GSM8K answers."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        a, b = rng.randint(2, 400), rng.randint(2, 60)
        answer = a * b + i
        shown = answer if rng.random() < 0.67 else answer + rng.choice((-10, -1, 1, 7))
        text = f"{shown:,}" if rng.random() < 0.3 else str(shown)
        reasoning = f"Each box holds {a} items and there are {b} boxes, so {a} * {b} = {a * b}. Adding the {i} extra gives {a * b + i}."
        ending = rng.choice(
            (
                f"\n#### {text}",
                f"\nThe final answer is $\\boxed{{{text}}}$.",
                f"\nSo the answer is **{text}**.",
                f"\nThe answer is {text}.",
                f"\nI'm not sure, so the answer is either {text} or {answer + 2}.",
            )
        )
        items.append((reasoning + ending, str(answer)))
    return items


def serial_rate(items: list[tuple[str, str]]) -> tuple[float, list[float]]:
    """Calls/s of the reward called in a loop in this process (after it scored its examples once, as build does)."""
    reward = math_answer()
    reward.warm_up()
    started = time.perf_counter()
    scores = [reward(completion, truth) for completion, truth in items]
    return len(items) / (time.perf_counter() - started), scores


def grader_rate(items: list[tuple[str, str]], **options) -> tuple[float, float, list[float]]:
    """(seconds to start the grader with library:math loaded, calls/s, scores)."""
    started = time.perf_counter()
    with Grader("library:math", workers=2, timeout=30.0, **options) as grader:
        start_seconds = time.perf_counter() - started
        grader.grade_batch(items[:20])
        began = time.perf_counter()
        results = grader.grade_batch(items)
        rate = len(items) / (time.perf_counter() - began)
    assert all(r.ok for r in results), {r.status for r in results}
    return start_seconds, rate, [r.score for r in results]


def import_seconds(repeats: int) -> float:
    """The best of ``repeats`` timings of ``import math_verify`` in a fresh interpreter."""
    times = [float(subprocess.run([sys.executable, "-c", _IMPORT_TIME], capture_output=True, text=True, check=True).stdout) for _ in range(repeats)]
    return min(times)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 items instead of 5,000 (a smoke run)")
    args = parser.parse_args()
    items = gsm8k_items(500 if args.quick else 5000)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"items: {len(items)} GSM8K-style completions")

    serial, expected = serial_rate(items)
    start, default, scores = grader_rate(items)
    assert scores == expected, "the sandboxed reward disagrees with the in-process one"
    _, fresh, scores = grader_rate(items, mode="fresh")
    assert scores == expected, "the sandboxed reward disagrees with the in-process one"
    print(f"share scored 1.0: {sum(expected) / len(expected):.2f} (identical in-process and in the sandbox)")
    print(f"serial in-process loop (baseline)                        {serial:8.1f} calls/s")
    print(f"library:math, Grader(workers=2), default mode (warm)     {default:8.1f} calls/s  ratio {default / serial:5.2f}x  (floor 1.6x, goal 1.85x)")
    print(f"library:math, Grader(workers=2), mode='fresh'            {fresh:8.1f} calls/s  ratio {fresh / serial:5.2f}x")

    per_call = 1 / serial
    imported = import_seconds(3)
    print(f"math-verify import in a fresh interpreter: {imported * 1000:.0f} ms = {imported / per_call:.0f} calls of {per_call * 1000:.2f} ms")
    print(
        f"grader start with library:math (zygote: import, build, warm-up on the examples): {start * 1000:.0f} ms, "
        f"paid once per grader and shared by both workers: {start / len(items) * 1000:.3f} ms per call over {len(items)} items "
        f"({start / len(items) / per_call:.1%} of a call); importing per call instead would cost {imported / per_call:.0f}x the call"
    )


if __name__ == "__main__":
    main()
