"""A reward that computes with worker processes, the ways real math and code scorers do.

The completion names the way: "mp-fork" / "mp-spawn" / "mp-forkserver" (a multiprocessing.Pool of
that start method), "ppe-fork" / "ppe-spawn" (concurrent.futures.ProcessPoolExecutor), "process-queue"
(a Process per comparison answering on a Queue, as verl's prime_math does for its timeout) or
"subprocess" (a fresh interpreter). Each computes 1 + 4 + 9 = 14 apart from the reward's process.
"""
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor


def square(x):
    return x * x


def _answer_on(queue, numbers):
    queue.put(sum(square(x) for x in numbers))


def compute_reward(completion, ground_truth):
    way, _, method = completion.partition("-")
    numbers = [1, 2, 3]
    if way == "mp":
        with multiprocessing.get_context(method).Pool(2) as pool:
            return float(sum(pool.map(square, numbers)))
    if way == "ppe":
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as executor:
            return float(sum(executor.map(square, numbers)))
    if way == "process":
        queue = multiprocessing.Queue()
        worker = multiprocessing.Process(target=_answer_on, args=(queue, numbers))
        worker.start()
        try:
            return float(queue.get(timeout=10))
        finally:
            worker.join()
    if way == "subprocess":
        done = subprocess.run([sys.executable, "-c", "print(1 + 4 + 9)"], capture_output=True, text=True, timeout=10, check=True)
        return float(done.stdout)
    raise ValueError(f"unknown way {completion!r}")
