"""GSM8K scoring as verl's reward_score/gsm8k.py does it: the last `#### n` in the final 300 characters.

It keeps verl's habit of printing one sample in 64 (RK110 and RK140 point at it: a
warning and an info, not an error).
"""

import random
import re

_SOLUTION_CLIP_CHARS = 300


def extract_solution(solution_str, method="strict"):
    assert method in ["strict", "flexible"]
    if len(solution_str) > _SOLUTION_CLIP_CHARS:
        solution_str = solution_str[-_SOLUTION_CLIP_CHARS:]
    if method == "strict":
        solutions = re.findall("#### (\\-?[0-9\\.\\,]+)", solution_str)
        if len(solutions) == 0:
            final_answer = None
        else:
            final_answer = solutions[-1].replace(",", "").replace("$", "")
    else:
        answer = re.findall("(\\-?[0-9\\.\\,]+)", solution_str)
        final_answer = None
        invalid_str = ["", "."]
        for final_answer in reversed(answer):
            if final_answer not in invalid_str:
                break
    return final_answer


def compute_score(solution_str, ground_truth, method="strict", format_score=0.0, score=1.0):
    answer = extract_solution(solution_str=solution_str, method=method)
    do_print = random.randint(1, 64) == 1
    if do_print:
        print(f"Extracted answer: {answer} | Ground truth: {ground_truth}")
    if answer is None:
        return 0
    if answer == ground_truth:
        return score
    return format_score


def compute_reward(completion, ground_truth):
    return float(compute_score(completion, ground_truth))
