"""Time of ``rewardbox report --format json`` over pre-scored samples, as a ratio against parsing the same JSONL.

    python benchmarks/bench_report.py [--completions 100000] [--group-size 16] [--chars 400] [--repeat 3]

Target (issue 5): a report over 100,000 completions with pre-computed scores renders
its JSON in under 5 s. The baseline, measured in the same run, is ``json.loads`` of
every line of the same file: the least any report must do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time

from rewardbox.runner.cli import main


def write_samples(path: str, completions: int, group_size: int, chars: int) -> None:
    """Groups of a 50-step run: some ALL-0, some ALL-1, the rest mixed; some truncated, with token counts."""
    rng = random.Random(0)
    groups = completions // group_size
    with open(path, "w", encoding="utf-8") as out:
        for index in range(groups):
            solve_rate = rng.choice([0.0, 0.0, 1.0, rng.random()])
            scores = [float(rng.random() < solve_rate) for _ in range(group_size)]
            truncated = [rng.random() < 0.1 for _ in range(group_size)]
            texts = ["".join(rng.choices("abcdefghij ", k=rng.randint(chars // 2, chars * 3 // 2))) for _ in range(group_size)]
            record = {
                "prompt": f"problem {index}",
                "ground_truth": str(index),
                "completions": texts,
                "stop_reasons": ["length" if cut else "stop" for cut in truncated],
                "num_tokens": [len(text) // 4 for text in texts],
                "scores": [0.0 if cut else score for cut, score in zip(truncated, scores)],
                "step": index * 50 // groups,
            }
            out.write(json.dumps(record) + "\n")


def parse_only(path: str) -> None:
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            json.loads(line)


def report_json(path: str, output: str) -> None:
    code = main(["report", path, "--format", "json", "-o", output])
    if code != 0:
        raise RuntimeError(f"rewardbox report exited {code}")


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--completions", type=int, default=100_000)
    parser.add_argument("--group-size", type=int, default=16)
    parser.add_argument("--chars", type=int, default=400, help="mean characters per completion")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        samples, output = os.path.join(folder, "samples.jsonl"), os.path.join(folder, "report.json")
        write_samples(samples, args.completions, args.group_size, args.chars)
        size_mb = os.path.getsize(samples) / 1e6
        baseline = statistics.median(timed(parse_only, samples) for _ in range(args.repeat))
        candidate = statistics.median(timed(report_json, samples, output) for _ in range(args.repeat))
        report = json.loads(open(output, encoding="utf-8").read())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"input: {report['num_completions']:,} completions in {report['num_groups']:,} groups, {len(report['steps'])} steps, {size_mb:.0f} MB")
    print(f"baseline, json.loads of every line:   {baseline:6.2f} s")
    print(f"rewardbox report --format json:       {candidate:6.2f} s  (target < 5 s: {'met' if candidate < 5 else 'NOT met'})")
    print(f"ratio report / parse:                 {candidate / baseline:6.2f}x")


if __name__ == "__main__":
    run()
