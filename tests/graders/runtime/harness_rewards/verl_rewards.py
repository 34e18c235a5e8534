"""Reward functions written the way verl's reward_score modules write them."""


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """gsm8k style: the number after ####."""
    answer = solution_str.split("####")[-1].strip() if "####" in solution_str else None
    return 1.0 if answer == str(ground_truth) else 0.0


def compute_score_dict(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """A dict with the score and other values to log."""
    correct = solution_str.strip().endswith(str(ground_truth))
    return {"score": float(correct), "acc": float(correct), "length": len(solution_str), "source": data_source}


def compute_score_fork(solution_str, ground_truth, method="strict"):
    """A fork's signature: no data_source."""
    return float(solution_str.strip() == str(ground_truth))
