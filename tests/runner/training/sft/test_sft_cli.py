"""``rewardbox train`` with method = "sft", ``rewardbox data inspect`` and ``rewardbox advise`` without a reward."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from rewardbox.runner.cli import main

from config_helpers import edit
from sft_helpers import EXAMPLE


@pytest.fixture
def example(tmp_path):
    """A copy of the sft_toy example, so configs can be edited."""
    folder = tmp_path / "toy"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_train_runs_sft_from_the_config_method_prints_losses_and_resumes(example, tmp_path, capsys):
    config, log_dir = edit(example / "config.toml", num_epochs=2, spot_checks=0), str(tmp_path / "run")
    assert main(["train", config, "--log-dir", log_dir]) == 0
    err = capsys.readouterr().err
    assert "data: 125 examples (100 train, 25 validation)" in err and "steps 0 to 13: 2 epochs of 7 steps" in err
    assert "eval at step 0  epoch 0.00  train_loss -  val_loss 2.6391" in err and "eval at step 14  epoch 2.00" in err
    assert "best checkpoint tinker://" in err and "done: step 14 of 14" in err
    assert main(["train", config, "--log-dir", log_dir, "--epochs", "3", "--resume"]) == 0
    err = capsys.readouterr().err
    assert "steps 14 to 20: 3 epochs of 7 steps" in err and "eval at step 21" in err and "eval at step 0 " not in err
    with open(f"{log_dir}/metrics.jsonl") as stream:
        rows = [json.loads(line) for line in stream]
    assert [row["step"] for row in rows if row["kind"] == "eval"] == [0, 7, 14, 21]
    assert all({"train_loss", "learning_rate"} <= set(row) for row in rows if row["kind"] == "step")
    assert all({"train_loss", "val_loss", "learning_rate"} <= set(row) for row in rows if row["kind"] == "eval")


def test_train_maps_columns_and_reports_truncation(example, tmp_path, capsys):
    with open(example / "train.jsonl") as stream:
        rows = [json.loads(line) for line in stream]
    with open(example / "pairs.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["q", "a"])
        writer.writeheader()
        writer.writerows({"q": row["prompt"], "a": row["response"]} for row in rows)
    config = edit(example / "config.toml", data="pairs.csv", num_epochs=1, max_length=7, spot_checks=0)
    args = ["train", config, "--log-dir", str(tmp_path / "run")]
    with pytest.raises(SystemExit) as usage:
        main(args)
    assert usage.value.code == 2
    assert "pairs.csv: no column 'prompt' (the prompt column; choose another with --prompt-column" in capsys.readouterr().err
    assert main([*args, "--prompt-column", "q", "--response-column", "a"]) == 0
    assert "125 longer than max_length 7 were cut at the end (row-1, row-2" in capsys.readouterr().err


def test_train_refuses_flags_of_the_other_method(example, tmp_path, capsys):
    with pytest.raises(SystemExit) as usage:
        main(["train", str(example / "config.toml"), "--steps", "3", "--log-dir", str(tmp_path / "run")])
    assert usage.value.code == 2
    assert "a method = 'sft' run has no 'steps' setting (given on the command line)" in capsys.readouterr().err


def test_data_inspect_shows_size_columns_rows_and_what_the_data_can_train(tmp_path, capsys):
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        json.dumps({"question": "2+2?", "answer": 4, "response": "It is 4."}) + "\n" + json.dumps({"question": "x" * 300, "answer": None}) + "\n"
    )
    assert main(["data", "inspect", str(source), "--prompt-column", "question", "--answer-column", "answer", "--rows", "2"]) == 0
    out = capsys.readouterr().out
    assert "mixed.jsonl (jsonl): 2 rows" in out
    assert "  answer: number 1, null 1" in out and "  response: text 1, missing 1" in out
    assert "prompt column 'question' found; answer column 'answer' found; response column 'response' found" in out
    assert "can train: GRPO (prompts and ground truths), SFT (prompts and reference responses)" in out
    assert "[140 more characters]" in out
    assert main(["data", "inspect", str(source), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["table"]["usable_for"] == [] and report["table"]["found"]["prompt"] is False and report["parse"] is None


def test_advise_without_a_reward_recommends_sft_for_reference_responses_and_neither_otherwise(tmp_path, capsys):
    assert main(["advise", "--data", str(EXAMPLE + "/train.jsonl"), "--format", "json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    assert advice["method"] == "sft"
    assert "no reward was given, so correctness cannot be verified from (completion, ground_truth)" in advice["reasons"]
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps({"prompt": "2+2?", "ground_truth": "4"}) + "\n")
    assert main(["advise", "--data", str(pool)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("recommendation: neither GRPO nor SFT can start")
    assert "pass --reward REWARD to check whether a reward can verify the ground truths (GRPO)" in out


def test_data_inspect_counts_the_ground_truths_the_reward_can_parse(tmp_path, capsys):
    source = tmp_path / "pool.jsonl"
    truths = ["39", "1,050", "3/4", "12 dollars"]
    source.write_text("".join(json.dumps({"prompt": "q", "ground_truth": truth}) + "\n" for truth in truths))
    reward = EXAMPLE + "/../gsm8k/reward.py"  # one number per answer: a fraction never parses
    assert main(["data", "inspect", str(source), "--reward", reward, "--rows", "0", "--workers", "2", "--format", "json"]) == 0
    parse = json.loads(capsys.readouterr().out)["parse"]
    assert (parse["ground_truths"], parse["checked"], parse["parseable"], parse["failed_calls"]) == (4, 4, 3, 0)
    assert parse["by_format"] == dict.fromkeys(["plain", "boxed", "boxed_sentence", "hashes", "answer_is", "answer_colon", "bold"], 3)
    assert parse["not_parsed"] == [{"ground_truth": "3/4", "best_score": 0.0, "best_format": "plain"}]
    assert main(["data", "inspect", str(source), "--reward", reward, "--sample", "2", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 ground truths (an even sample of 2 of 4) (50%) score the maximum 1 in some answer format" in out


def test_data_inspect_checks_number_ground_truths_as_numbers_and_names_structured_ones(tmp_path, capsys):
    source = tmp_path / "mixed.jsonl"
    rows = [{"prompt": "q", "ground_truth": 42}, {"prompt": "q", "ground_truth": "7"}, {"prompt": "q", "ground_truth": {"target": 24, "numbers": [6, 4]}}]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    reward = tmp_path / "typed.py"  # only a number ground truth that is still a number scores 1 on "42"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return float(completion.strip() == str(ground_truth) and not isinstance(ground_truth, dict))\n")
    assert main(["data", "inspect", str(source), "--reward", str(reward), "--rows", "0", "--workers", "1", "--format", "json"]) == 0
    parse = json.loads(capsys.readouterr().out)["parse"]
    assert (parse["ground_truths"], parse["structured"], parse["checked"], parse["parseable"]) == (3, 1, 2, 2)
    assert main(["data", "inspect", str(source), "--reward", str(reward), "--rows", "0", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "  ground_truth: number 1, text 1, object 1" in out
    assert "1 ground truths are objects, lists or booleans: no answer format writes them" in out
