"""A reward whose module makes its process pools at import (SimpleRL-Zoo's scorer does), then uses them per call."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def cube(x):
    return x ** 3


EXECUTOR = ProcessPoolExecutor(max_workers=2)
POOL = multiprocessing.Pool(2)


def compute_reward(completion, ground_truth):
    by_executor = EXECUTOR.submit(cube, int(ground_truth)).result(timeout=10)
    by_pool = POOL.apply_async(cube, (int(ground_truth),)).get(timeout=10)
    return float(by_executor + by_pool)
