"""Whole-process figures of ``rewardbox grade`` (issue 14), each against a baseline run here, alternately, best of 3.

    python benchmarks/bench_cli.py [--quick]

  rewardbox grade --mode warm, 20,000 trivial items   vs a multiprocessing.Pool(2) script doing the same JSONL in/out job
  a one-line rewardbox grade                          vs python -c "import json, multiprocessing", run as many times
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewards import TRIVIAL  # noqa: E402

POOL_SCRIPT = """
import json, multiprocessing, sys

def compute_reward(completion, ground_truth):
    return 1.0 if completion.strip().endswith(ground_truth) else 0.0

def grade(line):
    record = json.loads(line)
    record["score"] = compute_reward(record["completion"], record["ground_truth"])
    return json.dumps(record) + "\\n"

if __name__ == "__main__":
    with open(sys.argv[1]) as source, open(sys.argv[2], "w") as out, multiprocessing.Pool(2) as pool:
        out.writelines(pool.imap(grade, source, chunksize=256))
"""


def seconds(argv: list[str], repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def cli_figures(quick: bool = False) -> tuple[tuple[int, float, float], tuple[float, float]]:
    """((items, Pool(2) seconds, rewardbox grade seconds), (one-line grade seconds, bare interpreter seconds)), best of the rounds."""
    items, repeat, rounds = (2000, 3, 1) if quick else (20_000, 10, 3)
    with tempfile.TemporaryDirectory(prefix="rewardbox-bench-") as folder:
        reward, pool, data, one = (os.path.join(folder, name) for name in ("reward.py", "pool.py", "in.jsonl", "one.jsonl"))
        for path, text in ((reward, TRIVIAL), (pool, POOL_SCRIPT)):
            with open(path, "w") as f:
                f.write(text)
        with open(data, "w") as f:
            f.writelines(json.dumps({"completion": f"the answer is {i}", "ground_truth": str(i)}) + "\n" for i in range(items))
        with open(one, "w") as f:
            f.write(json.dumps({"completion": "the answer is 4", "ground_truth": "4"}) + "\n")
        out = os.path.join(folder, "out.jsonl")
        grade = [sys.executable, "-m", "rewardbox.runner.cli", "grade", reward, "-i", data, "-o", out, "--workers", "2"]
        runs = [(seconds([sys.executable, pool, data, out]), seconds(grade + ["--mode", "warm"])) for _ in range(rounds)]
        many = (items, min(r[0] for r in runs), min(r[1] for r in runs))
        line = [sys.executable, "-m", "rewardbox.runner.cli", "grade", reward, "-i", one, "-o", out]
        bare = [sys.executable, "-c", "import json, multiprocessing"]
        runs = [(seconds(line, repeat), seconds(bare, repeat)) for _ in range(rounds)]
        return many, (min(r[0] for r in runs) / repeat, min(r[1] for r in runs) / repeat)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 items and 3 one-line runs (a smoke run)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    (items, base, ours), (line, bare) = cli_figures(args.quick)
    print(f"{items:,} trivial items, whole process: Pool(2) script {base:.2f} s, rewardbox grade --mode warm {ours:.2f} s, "
          f"ratio {base / ours:.2f}x (floor 0.5x, goal 0.8x)")
    print(f"one-line rewardbox grade: {line * 1000:.0f} ms vs python -c 'import json, multiprocessing' {bare * 1000:.0f} ms, "
          f"ratio {line / bare:.1f}x (floor 6x, goal 4x; lower is better)")


if __name__ == "__main__":
    main()
