r"""The correct core the flawed rewards share (last \boxed{}, '####' line, 'answer is' phrase, else the
last number), with the parsed ground truths kept in a functools.lru_cache: a pure cache never changes a
result, so the checks must not call it state carried between calls. It must pass every property.
"""
import functools

from _final_answer import final_answer, number

_ground_truth_number = functools.lru_cache(maxsize=1024)(number)


def compute_reward(completion, ground_truth):
    expected = _ground_truth_number(ground_truth)
    return 1.0 if expected is not None and number(final_answer(completion)) == expected else 0.0
