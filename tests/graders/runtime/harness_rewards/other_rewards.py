"""Reward functions as OpenRLHF, verifiers, reasoning-gym and OpenAI graders write them."""
import numpy as np


def reward_func(queries, prompts, labels, **kwargs):
    """OpenRLHF: queries are prompt + response; labels the gold."""
    rewards = [1.0 if query.endswith(label) else 0.0 for query, label in zip(queries, labels)]
    return {"rewards": np.array(rewards), "scores": rewards, "extra_logs": {"query_length": [len(q) for q in queries]}}


def correct_answer(parser, completion, answer, **kwargs):
    """verifiers: the parsed answer against the row's answer."""
    response = parser.parse_answer(completion) or ""
    return 1.0 if response.strip() == str(answer).strip() else 0.0


async def async_correct(completion, answer, **kwargs):
    text = completion[-1]["content"] if isinstance(completion, list) else completion
    return 1.0 if str(answer) in text else 0.0


def score_answer(answer, entry):
    """reasoning-gym: the extracted answer against the entry's."""
    return 1.0 if answer is not None and answer.strip() == str(entry["answer"]) else 0.0


def grade(sample, item):
    """An OpenAI python grader."""
    return 1.0 if sample["output_text"].strip().lower() == item["reference_answer"].lower() else 0.0
