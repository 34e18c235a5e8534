"""``rewardbox advise``: GRPO for a verified reward, SFT without one or without a checkable answer, reasons citing the checks.

The decision is tested as a pure function over hand-made evidence; the command end to end
runs the real checks and probes in the sandbox on small data.
"""

from __future__ import annotations

import json

import pytest

from rewardbox.runner.cli import main
from rewardbox.runner.training.method_choice import CheckEvidence, DataEvidence, Evidence, RewardEvidence, recommend_method
from rewardbox.runner.probing import ProbeSummary

from sft_helpers import EXAMPLE

GSM8K_REWARD = EXAMPLE + "/../gsm8k/reward.py"
CONSTANT_REWARD = "def compute_reward(completion, ground_truth):\n    return 1.0\n"


def data(answers: int = 10, responses: int = 0) -> DataEvidence:
    return DataEvidence(source="d.jsonl", rows=10, prompts=10, answers=answers, responses=responses, answer_column="ground_truth", response_column="response")


def passing_checks() -> list[CheckEvidence]:
    return [
        CheckEvidence(property="determinism", passed=True, details="20 inputs agree in 4 runs"),
        CheckEvidence(property="gold_consistency", passed=True, details="70 probes over 10 ground truths"),
    ]


GOOD_PROBES = ProbeSummary(prompts=10, signal_fraction=1.0, gold_max_fraction=1.0, wrong_min_fraction=1.0, status_counts={"ok": 390})


def test_a_verified_reward_with_ground_truths_means_grpo_citing_each_check_and_the_probes():
    advice = recommend_method(Evidence(data=data(responses=10), reward=RewardEvidence(reward="r.py", checks=passing_checks(), probes=GOOD_PROBES)))
    assert advice.method == "grpo"
    assert "determinism check passed: 20 inputs agree in 4 runs" in advice.reasons
    assert "gold_consistency check passed: 70 probes over 10 ground truths" in advice.reasons
    assert any(r.startswith("probes on 10 ground truths: the best right answer outscores every wrong") and r.endswith("so the reward gives signal") for r in advice.reasons)
    assert any("SFT run first" in step for step in advice.next_steps)  # the data also holds responses


@pytest.mark.parametrize(
    ("reward", "cited"),
    [
        (None, "no reward was given, so correctness cannot be verified"),
        (RewardEvidence(reward="r.py", load_error="r.py:3: SyntaxError"), "the reward r.py does not load: r.py:3: SyntaxError"),
        (
            RewardEvidence(
                reward="r.py",
                checks=[passing_checks()[0], CheckEvidence(property="gold_consistency", passed=False, details="...", problem="'I don't know.' scored 1, not the minimum 0")],
                probes=GOOD_PROBES,
            ),
            "gold_consistency check failed: 'I don't know.' scored 1, not the minimum 0",
        ),
        (RewardEvidence(reward="r.py", checks=passing_checks()[:1], probes=GOOD_PROBES), "gold_consistency: not checked"),
        (
            RewardEvidence(reward="r.py", checks=passing_checks(), probes=GOOD_PROBES.model_copy(update={"signal_fraction": 0.5})),
            "empty completion for 50%, scores the maximum for 100%; wrong, unrelated and empty text scores the minimum for 100%; below 90% signal",
        ),
        (RewardEvidence(reward="r.py", checks=passing_checks()), "probes: not run"),
    ],
    ids=["no-reward", "load-error", "gold-fails", "check-missing", "no-signal", "no-probes"],
)
def test_without_a_verified_reward_reference_responses_mean_sft_and_nothing_means_neither(reward, cited):
    with_responses = recommend_method(Evidence(data=data(responses=10), reward=reward))
    assert with_responses.method == "sft" and any(cited in reason for reason in with_responses.reasons), with_responses.reasons
    assert "10 of 10 rows hold a reference response (column 'response') to learn from" in with_responses.reasons
    without = recommend_method(Evidence(data=data(responses=0), reward=reward))
    assert without.method == "neither" and any(cited in reason for reason in without.reasons)


def test_reference_responses_without_a_checkable_answer_mean_sft_even_with_a_reward():
    advice = recommend_method(Evidence(data=data(answers=0, responses=10), reward=RewardEvidence(reward="r.py")))
    assert advice.method == "sft"
    assert any("the data holds reference responses without a checkable answer" in reason for reason in advice.reasons)


# ---- the command, with the real checks in the sandbox ---------------------------------------------


@pytest.fixture
def pool(tmp_path):
    rows = [{"prompt": f"What is {n} + {n}?", "ground_truth": str(2 * n), "response": f"{n} + {n} = {2 * n}.\n#### {2 * n}"} for n in (3, 7, 12, 20)]
    path = tmp_path / "pool.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def test_advise_recommends_grpo_for_a_reward_that_passes_its_checks(pool, capsys):
    assert main(["advise", "--data", pool, "--reward", GSM8K_REWARD, "--max-examples", "5", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("recommendation: GRPO\n")
    assert "  - determinism check passed: " in out and "  - gold_consistency check passed: " in out
    assert "  - probes on 4 ground truths: the best right answer outscores every wrong, cut-off, unrelated and empty completion for 100%" in out
    assert "so the reward gives signal" in out


def test_advise_recommends_sft_for_a_reward_without_signal_and_says_which_check_failed(pool, capsys):
    assert main(["advise", "--data", pool, "--reward", CONSTANT_REWARD, "--max-examples", "5", "--workers", "2", "--format", "json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    assert advice["method"] == "sft"
    assert any(reason.startswith("gold_consistency check failed: ") for reason in advice["reasons"]), advice["reasons"]
    assert any("completion for 0%" in reason and "below 90% signal" in reason for reason in advice["reasons"]), advice["reasons"]
    assert "4 of 4 rows hold a reference response (column 'response') to learn from" in advice["reasons"]


def test_advise_reports_a_reward_that_does_not_load(pool, capsys):
    assert main(["advise", "--data", pool, "--reward", "def compute_reward(:\n"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("recommendation: SFT") and "does not load" in out


BOXED_ONLY = r'''
import re


def compute_reward(completion, ground_truth):
    found = re.findall(r"\\boxed\{([^{}]*)\}", completion)
    return 1.0 if found and found[-1].strip() == ground_truth else 0.0
'''


def test_a_reward_that_accepts_one_format_is_verified_for_that_format(pool, capsys):
    common = ["advise", "--data", pool, "--reward", BOXED_ONLY, "--max-examples", "5", "--workers", "2", "--format", "json"]
    assert main(common) == 0
    strict = json.loads(capsys.readouterr().out)
    assert strict["method"] == "sft" and any(r.startswith("gold_consistency check failed") for r in strict["reasons"])
    assert main([*common, "--answer-formats", "boxed,boxed_sentence"]) == 0
    boxed = json.loads(capsys.readouterr().out)
    assert boxed["method"] == "grpo", boxed["reasons"]


COUNTDOWN_REWARD = (
    "def compute_reward(completion, ground_truth, level=1):\n"
    "    return 1.0 if completion.strip() == str(ground_truth['target'] * level) else 0.0\n"
)


def test_advise_takes_dict_ground_truths_as_they_are_and_says_what_would_verify_the_reward(tmp_path, capsys):
    rows = [{"prompt": f"Make {n}", "ground_truth": {"target": n, "numbers": [n, 1]}, "level": 1} for n in (4, 9)]
    data_file = tmp_path / "countdown.jsonl"
    data_file.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["advise", "--data", str(data_file), "--reward", COUNTDOWN_REWARD, "--max-examples", "5", "--workers", "2", "--format", "json"]) == 1
    advice = json.loads(capsys.readouterr().out)
    assert advice["method"] == "neither"
    assert "determinism check passed" in " ".join(advice["reasons"])  # the dicts reached the reward: no exception
    assert any("2 of 2 ground truths are dict" in reason for reason in advice["reasons"]), advice["reasons"]
    assert any("the ground truths are dict" in reason and "signal is unknown" in reason for reason in advice["reasons"])
    assert advice["next_steps"][0].startswith("verify the reward on real completions: rewardbox preflight ")
