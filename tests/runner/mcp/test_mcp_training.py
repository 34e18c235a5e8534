"""``rewardbox mcp`` over stdio: a GRPO session on the offline backend, one small step at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp_session import ROOT, TOY_CONFIG

TOY_PROMPTS = ROOT / "examples" / "toy_copy" / "prompts.jsonl"
BROKEN = "def compute_reward(completion, ground_truth):\n    return (\n"


@pytest.fixture
def mcp_training(mcp):
    """The module's server; a training session a test leaves open (when it fails) is closed after it."""
    yield mcp
    mcp.portal.call(mcp.session.call_tool, "train_close", {})  # a tool error when no session is open


def metrics(files: dict) -> list[dict]:
    return [json.loads(line) for line in Path(files["metrics"]).read_text().splitlines()]


def test_train_step_sample_save_load_and_close_on_the_offline_backend(mcp_training, tmp_path, write):
    mcp = mcp_training
    assert "call train_open(config_path) first" in mcp.error("train_grpo_step")

    session = mcp.call("train_open", config_path=str(TOY_CONFIG), backend="offline", log_dir=str(tmp_path / "run"))
    assert (session["backend"], session["step"], session["last_checkpoint"]) == ("offline", 0, None)
    assert session["total_steps"] == 60 and session["train_prompts"] + session["holdout_prompts"] == 216
    assert session["files"]["log_dir"] == str(tmp_path / "run")

    trained = mcp.call("train_grpo_step", num_iterations=2)
    assert [line.split()[:2] for line in trained["lines"]] == [["step", "0"], ["step", "1"]]
    assert trained["next_step"] == 2 and trained["last"]["step"] == 1
    assert [step["step"] for step in metrics(trained["files"])] == [0, 1]
    assert metrics(trained["files"])[-1]["reward_mean"] == trained["last"]["reward_mean"]

    prompts = write("prompts.jsonl", TOY_PROMPTS.read_text().splitlines()[0] + '\n{"prompt": "fed>"}\n')
    sampled = mcp.call("sample", prompts_path=prompts, num_samples=3)
    assert (sampled["step"], sampled["prompts"], sampled["completions"]) == (2, 2, 6)
    assert sum(sampled["status_counts"].values()) == 3  # only the prompt with a ground truth is graded
    full = json.loads(Path(sampled["outputs"]["samples"]).read_text())
    assert [len(prompt["completions"]) for prompt in full["prompts"]] == [3, 3]
    assert full["prompts"][1]["completions"][0]["score"] is None
    assert mcp.call("sample", prompts=["cab>"])["completions"] == 1

    saved = mcp.call("save", name="after-two")
    assert (saved["name"], saved["step"]) == ("after-two", 2)
    assert json.loads(Path(saved["checkpoints"]).read_text().splitlines()[-1])["state_path"] == saved["state_path"]

    assert mcp.call("train_grpo_step")["next_step"] == 3
    loaded = mcp.call("load", path=saved["state_path"])
    assert loaded == {"state_path": saved["state_path"], "step": 2, "prompts_consumed": saved["prompts_consumed"], "loop_state_restored": True}
    assert mcp.call("train_grpo_step")["last"]["step"] == 2

    closed = mcp.call("train_close")
    assert closed["step"] == 3 and closed["last_checkpoint"] == saved["state_path"]
    assert "call train_open(config_path) first" in mcp.error("sample", prompts=["abc>"])


def test_training_errors_are_tool_errors(mcp_training, tmp_path, write):
    mcp = mcp_training
    config = write("bad.toml", TOY_CONFIG.read_text().replace("group_size = 8", "group_size = 1"))
    message = mcp.error("train_open", config_path=config, backend="offline", log_dir=str(tmp_path / "bad"))
    line = next(number for number, text in enumerate(TOY_CONFIG.read_text().splitlines(), 1) if text.startswith("group_size"))
    assert f"{config}:{line}: key 'group_size': Input should be greater than or equal to 2" in message

    sft = str(ROOT / "examples" / "sft_toy" / "config.toml")
    assert f"{sft}: method = 'sft': the training tools run GRPO" in mcp.error("train_open", config_path=sft, backend="offline")

    reward = write("reward.py", BROKEN)
    config = write("broken.toml", TOY_CONFIG.read_text().replace('"reward.py"', json.dumps(reward)).replace('"prompts.jsonl"', json.dumps(str(TOY_PROMPTS))))
    broken = dict(config_path=config, backend="offline", log_dir=str(tmp_path / "broken"))
    assert f"{reward}:2: syntax error" in mcp.error("train_open", **broken)
    write("reward.py", (ROOT / "examples" / "toy_copy" / "reward.py").read_text())
    assert mcp.call("train_open", **broken)["step"] == 0  # the failed open left no run behind
    mcp.call("train_close")

    run = dict(config_path=str(TOY_CONFIG), backend="offline", log_dir=str(tmp_path / "run"))
    mcp.call("train_open", **run)
    assert "pass prompts_path or prompts, not both" in mcp.error("sample", prompts_path=str(TOY_PROMPTS), prompts=["abc>"])
    assert "no-such-state" in mcp.error("load", path=str(tmp_path / "no-such-state"))
    mcp.call("train_grpo_step")
    saved = mcp.call("save", name="one")
    mcp.call("train_close")

    assert "already holds a run" in mcp.error("train_open", **run)
    resumed = mcp.call("train_open", **run, resume=True)
    assert (resumed["step"], resumed["last_checkpoint"]) == (1, saved["state_path"])
    mcp.call("train_close")
