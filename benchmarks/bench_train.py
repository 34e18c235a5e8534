"""Grading overhead of a GRPO step, with grading overlapped with sampling (the default) and not, in one run.

    python benchmarks/bench_train.py [--steps 5] [--reward-ms 20] [--latency-ms 300] [--service-threads 2]

Both runs use the offline backend on the toy_copy example with a slow reward (it sleeps
``--reward-ms`` per call, in the sandbox, a fresh process per call) and a sampler that
spends ``--latency-ms`` on each request, ``--service-threads`` requests at a time, so
groups arrive over time as they do from a remote service. The grading overhead of a step
is its grading tail: the time from the last group sampled to the last completion graded,
which overlapping hides behind sampling. Steps of the two runs alternate, after one
warm-up step each, so machine load affects both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile

from rewardbox.runner.training.grpo import Trainer, load_config, offline_backend
from rewardbox.runner.training.grpo.data import read_prompts

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "toy_copy", "config.toml")
SLOW_REWARD = """
import time

def compute_reward(completion, ground_truth):
    time.sleep({seconds})
    return sum(a == b for a, b in zip(completion, ground_truth)) / max(len(completion), len(ground_truth), 1)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=5, help="measured steps per mode (default 5)")
    parser.add_argument("--reward-ms", type=float, default=20.0, help="time one reward call sleeps (default 20)")
    parser.add_argument("--latency-ms", type=float, default=300.0, help="time one sampling request takes (default 300)")
    parser.add_argument("--service-threads", type=int, default=2, help="sampling requests served at once (default 2)")
    parser.add_argument("--prompts", type=int, default=8, help="prompts per step (default 8)")
    parser.add_argument("--group-size", type=int, default=16, help="completions per prompt (default 16)")
    args = parser.parse_args()

    config = load_config(
        EXAMPLE,
        reward=SLOW_REWARD.format(seconds=args.reward_ms / 1000),
        reward_calls_per_process=1,
        group_size=args.group_size,
        prompts_per_step=args.prompts,
        eval_interval=0,
        save_interval=0,
    )
    records = read_prompts(config.prompts)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(
        f"step: {args.prompts} prompts x {args.group_size} completions; reward {args.reward_ms:g} ms per call in the sandbox "
        f"(fresh process per call, {os.cpu_count()} workers); sampling {args.latency_ms:g} ms per request, "
        f"{args.service_threads} at a time; n = {args.steps} steps per mode after 1 warm-up"
    )
    with tempfile.TemporaryDirectory() as folder:
        trainers = {
            overlap: Trainer(
                config,
                offline_backend(records, os.path.join(folder, f"state-{overlap}"), sample_latency=args.latency_ms / 1000, sampling_workers=args.service_threads),
                log_dir=os.path.join(folder, f"run-{overlap}"),
                records=records,
                overlap_grading=overlap,
            )
            for overlap in (True, False)
        }
        try:
            reports: dict[bool, list] = {True: [], False: []}
            for index in range(args.steps + 1):
                for overlap, trainer in trainers.items():
                    report = trainer.train_grpo_step().steps[0]
                    if index:  # the first step of each warms the sandbox up
                        reports[overlap].append(report)
        finally:
            for trainer in trainers.values():
                trainer.close()

    print(f"{'':<24}{'step s':>10}{'sampling s':>12}{'grading tail s':>16}{'tail share of step':>20}")
    figures = {}
    for overlap, label in ((True, "overlapped (default)"), (False, "not overlapped")):
        step = statistics.mean(r.step_seconds for r in reports[overlap])
        sampling = statistics.mean(r.sampling_seconds for r in reports[overlap])
        tail = statistics.mean(r.grading_tail_seconds for r in reports[overlap])
        figures[overlap] = (step, tail)
        print(f"{label:<24}{step:>10.2f}{sampling:>12.2f}{tail:>16.2f}{tail / step:>19.0%}")
    (step_on, tail_on), (step_off, tail_off) = figures[True], figures[False]
    print(f"grading tail: {tail_off / tail_on:.1f}x shorter overlapped; step time: {step_off / step_on:.2f}x faster overlapped")


if __name__ == "__main__":
    main()
