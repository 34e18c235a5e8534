"""A format reward that takes no ground truth (the think/answer tag recipe). It must pass every property."""
import re

_FORMAT = re.compile(r"^<think>.*?</think>\s*<answer>\s*\S.*?</answer>\s*$", re.S)  # an answer in the tags: empty ones earn nothing


def compute_reward(completion):
    return 1.0 if _FORMAT.match(completion) else 0.0
