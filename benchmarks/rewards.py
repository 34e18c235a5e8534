"""Rewards the benchmarks grade: a trivial one, and a realistic math-verify one."""

TRIVIAL = '''
def compute_reward(completion, ground_truth):
    return 1.0 if completion.strip().endswith(ground_truth) else 0.0
'''

MATH_VERIFY = '''
from math_verify import parse, verify

def compute_reward(completion, ground_truth):
    gold = parse("$" + ground_truth + "$")
    answer = parse(completion)
    return 1.0 if verify(gold, answer) else 0.0
'''

BUSY_20MS = '''
import time

def compute_reward(completion, ground_truth):
    deadline = time.process_time() + 0.02  # 20 ms of CPU: a heavy math or code reward
    while time.process_time() < deadline:
        pass
    return 1.0 if completion.strip().endswith(ground_truth) else 0.0
'''

HANG = '''
import time

def compute_reward(completion, ground_truth):
    if completion == "hang":
        while True:
            time.sleep(0.01)
    return 1.0
'''


def math_items(n: int, start: int = 0) -> list[tuple[str, str]]:
    """Distinct GSM8K-style completions (distinct, so math-verify's parse cache does not help); ``start`` picks another set."""
    items = []
    for i in range(start, start + n):
        answer = 17 * i + 3
        shown = answer if i % 3 else answer + 1
        items.append((f"We add {i} and {answer - i}, so the total is \\boxed{{{shown}}}.", str(answer)))
    return items


def trivial_items(n: int) -> list[tuple[str, str]]:
    return [(f"the answer is {i}", str(i)) for i in range(n)]
