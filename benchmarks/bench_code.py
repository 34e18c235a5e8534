"""End-to-end time of ``library:code`` on correct solutions, 2 workers, against the judges people use instead.

    python benchmarks/bench_code.py [--quick] [--lcb DIR]

Figures, all measured in this one run on this machine (problems: ``code_problems.py``, 48 of our own in 7 formats):
  Python: Grader("library:code", workers=2), fresh mode (the default), the 39 problems LiveCodeBench can judge, as
          stored (APPS, LiveCodeBench, CodeContests, open-r1)
      vs LiveCodeBench's own judge run its own way: ``evaluate_generations`` (a ProcessPoolExecutor of 2 processes,
          each problem through ``check_correctness``: a process running ``run_test`` in-process) on the same
          problems converted to its ``input_output`` sample
      ratio = LiveCodeBench's seconds / ours (floor 0.5x, goal 1.0x); all 48 problems through ours, for the record
  C++:    the same grader on the 27 stdin problems' C++ solutions (compiled once per completion, one confined process
          per test)
      vs a plain baseline: a multiprocessing.Pool(2) over problems, each ``g++ -O2 -o a.out`` then ``./a.out < input``
          per test with subprocess, outputs compared by tokens
      ratio = baseline seconds / ours (goal 0.8x)
Rounds alternate which side runs first; the figure is the median ratio of the rounds. Every correct solution must
score 1.0 in every judge: any that does not is printed.

LiveCodeBench is not part of this repository: export its ``lcb_runner/evaluation/`` into DIR (default
/tmp/peers/lcb, or $REWARDBOX_PEER_LCB); without it only rewardbox runs (see ``LCB_HOWTO``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from code_problems import PROBLEMS, completion, ground_truth_for, lcb_sample  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402

LCB_HOWTO = """LiveCodeBench's judge is not in {folder}: export it there (it is not copied into this repository), e.g.
    git clone --depth 1 <the LiveCodeBench/LiveCodeBench repository> /tmp/lcb-src   (or any bare copy: git --git-dir=...)
    mkdir -p {folder}/lcb_runner/evaluation
    for f in $(git -C /tmp/lcb-src ls-tree --name-only HEAD lcb_runner/evaluation/); do git -C /tmp/lcb-src show HEAD:$f > {folder}/$f; done
  (it needs numpy, tqdm and pandas), then run again with --lcb {folder} or REWARDBOX_PEER_LCB={folder}."""


def load_lcb(folder: str):
    """LiveCodeBench's ``evaluate_generations`` from an exported ``lcb_runner``, or None when it is not there."""
    if not os.path.isfile(os.path.join(folder, "lcb_runner", "evaluation", "testing_util.py")):
        return None
    os.environ.setdefault("TQDM_DISABLE", "1")  # its progress bar
    sys.path.insert(0, folder)
    from lcb_runner.evaluation.compute_code_generation_metrics import evaluate_generations

    return evaluate_generations


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def failures_ours(problems: list[dict], results) -> list[str]:
    return [f"{p['name']}: {r.status.value} {r.score:.2f} {(r.stdout or r.error or '').strip()[:300]}" for p, r in zip(problems, results) if r.score != 1.0]


# ---- LiveCodeBench ---------------------------------------------------------------------------------------


def lcb_run(evaluate_generations, problems: list[dict]) -> list[str]:
    """LiveCodeBench's pipeline on the problems' Python solutions (2 processes, timeout 6 s a test, its default);
    the problems whose solution it did not pass on every test."""
    results, metadata = evaluate_generations([lcb_sample(p) for p in problems], [[p["python"]] for p in problems], debug=False, num_process_evaluate=2, timeout=6)
    failed = []
    for index, problem in enumerate(problems):
        verdicts = results[index][0]
        if len(verdicts) != problem["tests"] or not all(v is True for v in verdicts):
            failed.append(f"{problem['name']}: {verdicts} {metadata[index][0]}")
    return failed


# ---- the C++ baseline ------------------------------------------------------------------------------------


def same_tokens(output: str, expected: str, tolerance: float = 1e-6) -> bool:
    have, want = output.split(), expected.split()
    if len(have) != len(want):
        return False
    for a, b in zip(have, want):
        if a != b:
            try:
                if abs(float(a) - float(b)) > tolerance * max(1.0, abs(float(b))):
                    return False
            except ValueError:
                return False
    return True


def cpp_baseline_one(problem: dict) -> tuple[str, int]:
    """Compile with ``g++ -O2 -o a.out`` and run each test as ``./a.out < input``: (name, tests passed)."""
    folder = tempfile.mkdtemp(prefix="cpp-baseline-")
    try:
        with open(os.path.join(folder, "main.cpp"), "w") as handle:
            handle.write(problem["cpp"])
        if subprocess.run(["g++", "-O2", "-o", "a.out", "main.cpp"], cwd=folder, capture_output=True).returncode != 0:
            return problem["name"], 0
        passed = 0
        for given, expected in zip(problem["inputs"], problem["outputs"]):
            run = subprocess.run(["./a.out"], cwd=folder, input=given.encode(), capture_output=True, timeout=10)
            passed += run.returncode == 0 and same_tokens(run.stdout.decode(), expected)
        return problem["name"], passed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cpp_baseline(problems: list[dict]) -> list[str]:
    with multiprocessing.Pool(2) as pool:
        passed = dict(pool.imap_unordered(cpp_baseline_one, problems))
    return [f"{p['name']}: {passed[p['name']]}/{p['tests']}" for p in problems if passed[p["name"]] != p["tests"]]


# ---- the rounds ------------------------------------------------------------------------------------------


def rounds(count: int, ours, theirs) -> tuple[list[float], list[float], set[str], set[str]]:
    """Run ``ours`` and ``theirs`` ``count`` times, alternating which goes first: their seconds and failures."""
    mine, other, failed_mine, failed_other = [], [], set(), set()
    for round_ in range(count):
        order = [("ours", ours), ("theirs", theirs)] if round_ % 2 == 0 else [("theirs", theirs), ("ours", ours)]
        for side, function in order:
            seconds, failed = timed(function)
            (mine if side == "ours" else other).append(seconds)
            (failed_mine if side == "ours" else failed_other).update(failed)
        print(f"   round {round_ + 1}: ours {mine[-1]:6.2f} s, theirs {other[-1]:6.2f} s, ratio {other[-1] / mine[-1]:5.2f}x")
    return mine, other, failed_mine, failed_other


def report(label: str, mine: list[float], other: list[float], floor: float | None, goal: float) -> None:
    ratios = [b / a for a, b in zip(mine, other)]
    ratio = statistics.median(ratios)
    verdict = "" if floor is None else f", floor {floor}x: {'met' if ratio >= floor else 'BELOW FLOOR'}"
    print(
        f"{label}: ours {statistics.median(mine):.2f} s, theirs {statistics.median(other):.2f} s (medians), "
        f"ratio {ratio:.2f}x (goal {goal}x{verdict}); rounds {', '.join(f'{r:.2f}' for r in ratios)}"
    )


def show_failures(judge: str, failed: set[str]) -> None:
    print(f"   {judge}: every correct solution scored 1.0" if not failed else f"   {judge}: {len(failed)} correct solutions NOT scored 1.0:")
    for line in sorted(failed):
        print(f"      {line}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds, and 5 of the C++ problems (a smoke run, under a minute)")
    parser.add_argument("--lcb", default=os.environ.get("REWARDBOX_PEER_LCB", "/tmp/peers/lcb"), help="folder holding LiveCodeBench's exported lcb_runner/")
    args = parser.parse_args()
    count = 2 if args.quick else 3
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, {platform.platform()}")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    judged = [p for p in PROBLEMS if lcb_sample(p) is not None]
    cpp = [p for p in PROBLEMS if p["cpp"]]
    cpp = cpp[::6] if args.quick else cpp
    print(
        f"problems: {len(PROBLEMS)} ({sum(p['tests'] for p in PROBLEMS)} tests); LiveCodeBench-judgeable: {len(judged)} "
        f"({sum(p['tests'] for p in judged)} tests); C++ here: {len(cpp)} ({sum(p['tests'] for p in cpp)} tests); rounds: {count}"
    )
    evaluate_generations = load_lcb(args.lcb)
    if evaluate_generations is None:
        print(LCB_HOWTO.format(folder=args.lcb))

    started = time.perf_counter()
    with Grader("library:code", workers=2, timeout=60.0) as grader:
        print(f"grader: mode={grader.mode}, workers=2, started in {time.perf_counter() - started:.2f} s (not in the times)")
        grader.grade_batch([(completion(p), ground_truth_for(p)) for p in PROBLEMS[:2]])  # warm the call path

        def ours_python(problems=judged) -> list[str]:
            return failures_ours(problems, grader.grade_batch([(completion(p), ground_truth_for(p)) for p in problems]))

        seconds, failed = timed(ours_python, PROBLEMS)
        print(f"\nPython, all {len(PROBLEMS)} problems through rewardbox: {seconds:.2f} s")
        show_failures("rewardbox", set(failed))
        if evaluate_generations is not None:
            print(f"\nPython, {len(judged)} problems: rewardbox (ours) vs LiveCodeBench's evaluate_generations (theirs), 2 processes each")
            mine, other, failed_mine, failed_other = rounds(count, ours_python, lambda: lcb_run(evaluate_generations, judged))
            report("Python vs LiveCodeBench", mine, other, 0.5, 1.0)
            show_failures("rewardbox", failed_mine)
            show_failures("LiveCodeBench", failed_other)
        else:
            print("\nPython vs LiveCodeBench: skipped (LiveCodeBench not found)")

        if shutil.which("g++") is None:
            print("\nC++: skipped (g++ is not installed)")
            return

        def ours_cpp() -> list[str]:
            return failures_ours(cpp, grader.grade_batch([(completion(p, "cpp"), ground_truth_for(p, "cpp")) for p in cpp]))

        print(f"\nC++, {len(cpp)} stdin problems: rewardbox (ours) vs Pool(2) of g++ -O2 + ./a.out < input (theirs)")
        mine, other, failed_mine, failed_other = rounds(count, ours_cpp, lambda: cpp_baseline(cpp))
        report("C++ vs plain g++ + subprocess", mine, other, None, 0.8)
        show_failures("rewardbox", failed_mine)
        show_failures("baseline", failed_other)


if __name__ == "__main__":
    main()
