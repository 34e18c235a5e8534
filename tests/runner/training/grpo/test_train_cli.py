"""``rewardbox train``: exit codes, summary lines, resume, and errors that name their culprit."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from rewardbox.runner.cli import main
from rewardbox.runner.training.grpo.config import DESCRIPTIONS

from config_helpers import edit

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "examples", "toy_copy")  # not from conftest: tests/runner/training/sft has one too


@pytest.fixture
def example(tmp_path):
    """A copy of the toy_copy example, so configs can be edited."""
    folder = tmp_path / "toy"
    shutil.copytree(EXAMPLE, folder)
    return folder


def train(*args: str) -> int:
    return main(["train", *args])


def test_a_run_prints_a_line_per_step_and_resumes_to_a_new_total(example, tmp_path, capsys):
    config, log_dir = str(example / "config.toml"), str(tmp_path / "run")
    assert train(config, "--steps", "2", "--log-dir", log_dir) == 0
    err = capsys.readouterr().err
    assert "step 0  reward" in err and "step 1  reward" in err and "done: step 2 of 2" in err
    assert train(config, "--steps", "1", "--log-dir", str(tmp_path / "again")) == 0  # the offline backend repeats a run, unseeded
    first_line = next(line for line in err.splitlines() if line.startswith("step 0"))
    assert first_line.split("  ")[:2] == next(line for line in capsys.readouterr().err.splitlines() if line.startswith("step 0")).split("  ")[:2]
    assert train(config, "--steps", "2", "--log-dir", log_dir) == 1
    assert "already holds a run" in capsys.readouterr().err
    assert train(config, "--steps", "3", "--log-dir", log_dir, "--resume") == 0
    err = capsys.readouterr().err
    assert "step 2  reward" in err and "step 0 " not in err
    with open(os.path.join(log_dir, "metrics.jsonl")) as metrics:
        assert [json.loads(line)["step"] for line in metrics] == [0, 1, 2]
    with open(os.path.join(log_dir, "checkpoints.jsonl")) as checkpoints:
        assert [(c["name"], c["step"]) for c in map(json.loads, checkpoints)] == [("final", 2), ("final", 3)]


def test_the_default_run_directory_is_named_after_the_config(example, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert train(str(example / "config.toml"), "--steps", "1") == 0
    assert (tmp_path / "runs" / "config" / "metrics.jsonl").exists()


def test_resume_without_a_checkpoint_says_so(example, tmp_path, capsys):
    assert train(str(example / "config.toml"), "--resume", "--log-dir", str(tmp_path / "empty")) == 1
    assert "nothing to resume" in capsys.readouterr().err


def test_config_errors_exit_2_naming_file_line_and_key(example, capsys):
    config = edit(example / "config.toml", group_sise=4)
    with pytest.raises(SystemExit) as exit_:
        train(config)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"rewardbox train: error: {config}:" in err and "unknown key 'group_sise'" in err


def test_a_failing_reward_stops_the_run_with_exit_1(example, tmp_path, capsys):
    (example / "broken.py").write_text("def compute_reward(completion, ground_truth):\n    return {}[completion]\n")
    config = edit(example / "config.toml", reward="broken.py")
    assert train(config, "--steps", "3", "--log-dir", str(tmp_path / "run")) == 1
    err = capsys.readouterr().err
    assert "stopped at step 0: the reward failed on all 64 calls of step 0 (exception 64)" in err and "KeyError" in err


def test_an_unloadable_reward_exits_2(example, tmp_path, capsys):
    (example / "syntax.py").write_text("def compute_reward(completion, ground_truth)\n    return 1.0\n")
    config = edit(example / "config.toml", reward="syntax.py")
    assert train(config, "--log-dir", str(tmp_path / "run")) == 2
    assert "cannot load the reward" in capsys.readouterr().err


def test_help_shares_the_config_descriptions(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for key in ("steps", "log_dir"):
        assert " ".join(DESCRIPTIONS[key].split()) in help_text
    assert "--backend {tinker,offline}" in help_text and "--resume" in help_text


def test_a_reward_in_trl_s_signature_trains_as_written(example, tmp_path, capsys):
    """A TRL batch function (the toy reward rewritten as TRL's docs write one) drives the same run."""
    (example / "trl_reward.py").write_text(
        "def copy_reward(prompts, completions, ground_truth, **kwargs):\n"
        "    scores = []\n"
        "    for completion, target in zip(completions, ground_truth):\n"
        "        longest = max(len(completion), len(target))\n"
        "        scores.append(1.0 if longest == 0 else sum(a == b for a, b in zip(completion, target)) / longest)\n"
        "    return scores\n"
    )
    assert train(str(example / "config.toml"), "--steps", "2", "--log-dir", str(tmp_path / "as_is")) == 0
    as_written = [line.split("  ")[1] for line in capsys.readouterr().err.splitlines() if line.startswith("step ")]
    config = edit(example / "config.toml", reward="trl_reward.py:copy_reward")
    assert train(config, "--steps", "2", "--log-dir", str(tmp_path / "run")) == 0
    err = capsys.readouterr().err
    assert "done: step 2 of 2" in err
    assert [line.split("  ")[1] for line in err.splitlines() if line.startswith("step ")] == as_written  # compute_reward's figures
