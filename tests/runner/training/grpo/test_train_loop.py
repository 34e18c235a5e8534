"""The GRPO loop end to end on the offline backend and the toy_copy example, graded in the sandbox."""

from __future__ import annotations

import glob
import json
import os
import threading
import time

import pytest
import tinker
from train_fakes import Intercepted, failed, never

from rewardbox.runner.training.grpo import BackendError, DataError, RequestTimeout, RewardFailing, Trainer, offline_backend
from rewardbox.runner.training.grpo.backends import Backend
from rewardbox.runner.training.grpo.data import read_prompts

TIMING = {"step_seconds", "sampling_seconds", "grading_tail_seconds", "training_seconds", "checkpoint"}


def metrics(trainer: Trainer) -> list[dict]:
    with open(trainer.log.path("metrics.jsonl"), encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def without_timing(rows: list[dict]) -> list[dict]:
    return [{key: value for key, value in row.items() if key not in TIMING} for row in rows]


def sample_ids(trainer: Trainer, step: int) -> list[str]:
    with open(trainer.log.path("samples.jsonl"), encoding="utf-8") as stream:
        return [line["id"] for line in map(json.loads, stream) if line["step"] == step]


def test_offline_backend_learns_the_toy_task_from_chance_deterministically(toy_config, trainers):
    config = toy_config(eval_interval=0, save_interval=0)
    trainer = trainers(config, "first")
    rewards = []
    while len(rewards) < 45 and not (len(rewards) >= 2 and min(rewards[-2:]) >= 0.9):
        rewards.append(trainer.train_grpo_step().steps[0].reward_mean)
    assert rewards[0] < 0.15, rewards[:3]  # chance: a uniform policy over 8 tokens copies ~1 letter in 12
    assert min(rewards[-2:]) >= 0.9, f"reward after {len(rewards)} steps: {rewards[-5:]}"
    rows = metrics(trainer)
    trained = [row for row in rows if row["num_datums"]]
    assert trained and all(abs(row["kl_sample_train"]) < 1e-5 and not row["kl_spike"] for row in trained)  # on-policy

    again = trainers(config, "second")
    again.train_grpo_step(num_iterations=8)
    assert without_timing(metrics(again)) == without_timing(rows[:8])


def test_resume_continues_steps_rotation_and_optimizer_state_without_warmup(toy_config, trainers):
    config = toy_config(save_interval=2, eval_interval=0, warmup_steps=0, sampling_seed=7)  # seeded: a resumed run repeats exactly
    straight = trainers(config, "straight")
    straight.train_grpo_step(num_iterations=4)

    first = trainers(config, "split")
    first.train_grpo_step(num_iterations=2)
    saved = first.training_client.optimizer
    moments = (saved.exp_avg.copy(), saved.exp_avg_sq.copy(), saved.step)
    first.close()
    resumed = trainers(config, "split", resume=True)
    assert (resumed.step, resumed.prompts_consumed, resumed.warm_up) == (2, 16, False)
    restored = resumed.training_client.optimizer
    assert (
        (restored.exp_avg == moments[0]).all() and (restored.exp_avg_sq == moments[1]).all() and restored.step == moments[2] == 2
    )
    resumed.train_grpo_step(num_iterations=2)

    assert [row["step"] for row in metrics(resumed)] == [0, 1, 2, 3]
    assert without_timing(metrics(resumed)) == without_timing(metrics(straight))
    assert sample_ids(resumed, 3) == sample_ids(straight, 3)


def test_warmup_is_applied_to_a_fresh_run_only(toy_config, trainers):
    config = toy_config(save_interval=2, eval_interval=0, warmup_steps=4, learning_rate=0.2)
    fresh = trainers(config, "warm")
    assert [s.learning_rate for s in fresh.train_grpo_step(num_iterations=2).steps] == pytest.approx([0.05, 0.1])
    fresh.close()
    resumed = trainers(config, "warm", resume=True)
    assert [s.learning_rate for s in resumed.train_grpo_step(num_iterations=2).steps] == pytest.approx([0.2, 0.2])


def test_schedules_decay_over_the_explicit_horizon(toy_config, trainers):
    trainer = trainers(
        toy_config(lr_schedule="linear", scheduler_total_steps=4, learning_rate=0.2, eval_interval=0, save_interval=0)
    )
    assert [s.learning_rate for s in trainer.train_grpo_step(num_iterations=3).steps] == pytest.approx([0.2, 0.15, 0.1])


PARTLY_CONSTANT = """
def compute_reward(completion, ground_truth):
    if ground_truth[0] in "ab":
        return 1.0
    if ground_truth[0] in "cd":
        return 0.0
    return sum(x == y for x, y in zip(completion, ground_truth)) / max(len(completion), len(ground_truth), 1)
"""


def test_constant_groups_are_dropped_and_counted_as_all_min_or_all_max(toy_config, trainers):
    trainer = trainers(toy_config(reward=PARTLY_CONSTANT, eval_interval=0, save_interval=0, prompts_per_step=24))
    report = trainer.train_grpo_step().steps[0]
    with open(trainer.log.path("samples.jsonl"), encoding="utf-8") as stream:
        groups = [json.loads(line) for line in stream]
    all_max = [g for g in groups if set(g["scores"]) == {1.0}]
    all_min = [g for g in groups if set(g["scores"]) == {0.0}]
    mixed = [g for g in groups if len(set(g["scores"])) > 1]
    assert all_max and all_min and mixed
    assert all(g in all_max for g in groups if g["id"][0] in "ab") and all(g in all_min for g in groups if g["id"][0] in "cd")
    assert (report.all_max_fraction, report.all_min_fraction) == (len(all_max) / 24, len(all_min) / 24)
    assert report.groups_dropped == 24 - len(mixed) and report.no_signal_fraction == report.groups_dropped / 24
    assert report.num_datums == 8 * len(mixed) > 0


def test_a_reward_that_fails_on_every_call_stops_the_run_after_the_first_step(toy_config, trainers):
    trainer = trainers(
        toy_config(reward="def compute_reward(completion, ground_truth):\n    return 1 / 0\n", eval_interval=0, save_interval=0)
    )
    with pytest.raises(
        RewardFailing, match=r"(?s)failed on all 64 calls of step 0 \(exception 64\).*instead of training.*Traceback.*ZeroDivisionError"
    ) as stopped:
        trainer.train_grpo_step(num_iterations=5)
    assert "reward_debug.log" in str(stopped.value)
    [row] = metrics(trainer)
    assert (row["step"], row["num_datums"], row["status_counts"]) == (0, 0, {"exception": 64})
    assert trainer.training_client.optimizer.step == 0  # nothing was trained on the failure scores
    with open(trainer.log.path("training_debug.log"), encoding="utf-8") as log:
        assert "RewardFailing" in log.read()


def test_with_stop_after_failed_steps_the_run_warns_on_each_failed_step_and_stops_at_the_nth(toy_config, trainers):
    reward = "def compute_reward(completion, ground_truth):\n    return ground_truth['target']\n"  # the toy's answers are strings
    trainer = trainers(toy_config(reward=reward, eval_interval=0, save_interval=0, stop_after_failed_steps=2))
    with pytest.raises(RewardFailing, match=r"step 1 \(2 steps in a row\)") as stopped:
        trainer.train_grpo_step(num_iterations=5)
    assert "TypeError: string indices must be integers" in str(stopped.value)
    with open(trainer.log.path("training_debug.log"), encoding="utf-8") as log:
        warning = log.read().split("failed on all 64 calls of step 0", 1)[1]
    assert "stop_after_failed_steps=2" in warning and "Traceback" in warning.split("step 1")[0]
    assert [row["step"] for row in metrics(trainer)] == [0, 1] and trainer.training_client.optimizer.step == 0


def test_structured_ground_truths_and_row_fields_reach_the_reward_in_training(tmp_path, toy_config, trainers):
    prompts = tmp_path / "countdown.jsonl"
    prompts.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "prompt": f"say {i}", "ground_truth": {"target": str(i), "numbers": [i]}, "level": i % 2}) + "\n"
            for i in range(8)
        )
    )
    reward = (
        "def compute_reward(completion, ground_truth, level):\n"
        "    return float(completion.strip() == ground_truth['target']) + 0.5 * level\n"
    )
    trainer = trainers(toy_config(reward=reward, prompts=str(prompts), eval_interval=0, save_interval=0, prompts_per_step=4, group_size=4))
    report = trainer.train_grpo_step(num_iterations=1).steps[0]
    assert report.status_counts == {"ok": 16}
    with open(trainer.log.path("samples.jsonl"), encoding="utf-8") as stream:
        groups = [json.loads(line) for line in stream]
    assert all(isinstance(group["ground_truth"], dict) for group in groups)
    levels = {group["id"]: int(group["id"][1:]) % 2 for group in groups}
    assert all(min(group["scores"]) >= 0.5 * levels[group["id"]] for group in groups)


def test_a_reward_without_ground_truth_trains_on_prompts_without_one(tmp_path, toy_config, trainers):
    prompts = tmp_path / "open.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "prompt": f"write {i}"}) + "\n" for i in range(8)))
    reward = "def compute_reward(completion):\n    return float(len(completion) > 3)\n"
    trainer = trainers(toy_config(reward=reward, prompts=str(prompts), eval_interval=0, save_interval=0, prompts_per_step=4, group_size=4))
    assert trainer.train_grpo_step(num_iterations=1).steps[0].status_counts == {"ok": 16}
    needs = "def compute_reward(completion, ground_truth):\n    return 1.0\n"
    with pytest.raises(DataError, match=r"prompt 'p0' has no ground truth .*compute_reward\(completion, ground_truth\) takes one"):
        trainers(toy_config(reward=needs, prompts=str(prompts)), name="needs")


def _intercepted_trainer(config, tmp_path, handler, **options) -> Trainer:
    records = read_prompts(config.prompts)
    offline = offline_backend(records, str(tmp_path / "state"), **options)
    backend = Backend("fake", Intercepted(offline.service_client, handler), offline.make_renderer, offline.close)
    return Trainer(config, backend, log_dir=str(tmp_path / "run"), records=records, heartbeat_seconds=0.2)


@pytest.mark.parametrize(
    ("method", "at_call", "message"),
    [
        ("sample", 16, r"sampling request for prompt 0 \(\w+\) \(and 7 more\) did not finish within 0.5 s"),
        ("forward_backward", 2, r"forward_backward did not finish within 0.5 s"),
        ("save_weights_and_get_sampling_client", 2, r"save_weights_and_get_sampling_client did not finish within 0.5 s"),
    ],
)
def test_a_request_that_never_completes_stops_the_run_naming_the_last_checkpoint(toy_config, tmp_path, method, at_call, message):
    config = toy_config(request_timeout=0.5, save_interval=1, eval_interval=0)
    trainer = _intercepted_trainer(
        config, tmp_path, lambda name, count, args, kwargs: never() if name == method and count >= at_call else None
    )
    try:
        started = time.monotonic()
        with pytest.raises(RequestTimeout, match=message) as stopped:
            trainer.train_grpo_step(num_iterations=5)
        assert time.monotonic() - started < 15
        assert f"Last good checkpoint: {trainer.checkpoint.state_path} (continue with --resume)" in str(stopped.value)
        assert trainer.checkpoint.step == 2
        assert [row["step"] for row in metrics(trainer)] == [0, 1]
        with open(trainer.log.path("progress.txt"), encoding="utf-8") as progress:
            assert "stopped: RequestTimeout" in progress.read()
    finally:
        trainer.close("errored")


def test_a_failed_request_names_itself_and_says_no_checkpoint_exists_yet(toy_config, tmp_path):
    failure = tinker.RequestFailedError("Request failed: out of memory", "r-1", "server")
    trainer = _intercepted_trainer(
        toy_config(eval_interval=0, save_interval=0),
        tmp_path,
        lambda name, count, *_: failed(failure) if name == "forward_backward" else None,
    )
    with (
        trainer,
        pytest.raises(
            BackendError,
            match=r"forward_backward failed: RequestFailedError: Request failed: out of memory. No checkpoint was saved yet",
        ),
    ):
        trainer.train_grpo_step()


def test_the_run_directory_holds_every_log(toy_config, trainers):
    trainer = trainers(toy_config(save_interval=1, eval_interval=2, holdout_fraction=0.1))
    report = trainer.train_grpo_step(num_iterations=2)
    trainer.close()
    folder = report.log_dir
    rows = [json.loads(line) for line in open(os.path.join(folder, "metrics.jsonl"), encoding="utf-8")]
    required = {
        "step",
        "reward_mean",
        "no_signal_fraction",
        "all_min_fraction",
        "all_max_fraction",
        "kl_sample_train",
        "learning_rate",
        "num_datums",
        "step_seconds",
    }
    assert [row["step"] for row in rows] == [0, 1] and required <= set(rows[0])
    assert rows[0]["eval_reward_mean"] is None and 0 <= rows[1]["eval_reward_mean"] <= 1
    assert [row["checkpoint"] for row in rows] == [
        c["state_path"] for c in map(json.loads, open(os.path.join(folder, "checkpoints.jsonl")))
    ]
    with (
        open(os.path.join(folder, "grading_function.py"), encoding="utf-8") as copy,
        open(toy_config().reward, encoding="utf-8") as original,
    ):
        assert copy.read() == original.read()
    groups = [json.loads(line) for line in open(os.path.join(folder, "samples.jsonl"), encoding="utf-8")]
    assert len(groups) == 16 and {"prompt", "ground_truth", "completions", "scores", "stop_reasons", "num_tokens", "step"} <= set(
        groups[0]
    )
    assert len(groups[0]["completions"]) == len(groups[0]["scores"]) == 8
    assert sum(1 for _ in open(os.path.join(folder, "reward_debug.log"), encoding="utf-8")) == 128
    assert "score" in open(os.path.join(folder, "sampling_debug.log"), encoding="utf-8").read()
    progress = open(os.path.join(folder, "progress.txt"), encoding="utf-8").read()
    assert "step 2" in progress and "phase closed (success)" in progress
    debug = open(os.path.join(folder, "training_debug.log"), encoding="utf-8").read()
    assert "fresh run on meta-llama/Llama-3.2-1B (backend offline)" in debug and "saved checkpoint step-000002" in debug
    renderer = json.load(open(os.path.join(folder, "renderer.json"), encoding="utf-8"))
    assert (renderer["name"], renderer["stop"]) == ("plain", [0])  # the offline backend's character vocabulary, EOS = 0
    assert renderer["example"]["text"].endswith(">") and renderer["example"]["tokens"] == len(renderer["example"]["text"])


def test_progress_is_rewritten_every_heartbeat_while_a_step_runs(toy_config, tmp_path):
    config = toy_config(eval_interval=0, save_interval=0)
    records = read_prompts(config.prompts)
    trainer = Trainer(
        config,
        offline_backend(records, str(tmp_path / "state"), sample_latency=1.5, sampling_workers=8),
        log_dir=str(tmp_path / "run"),
        records=records,
        heartbeat_seconds=0.2,
    )
    with trainer:
        step = threading.Thread(target=trainer.train_grpo_step)
        step.start()
        seen, contents = set(), []
        while step.is_alive():
            path = trainer.log.path("progress.txt")
            seen.add(os.stat(path).st_mtime_ns)
            contents.append(open(path, encoding="utf-8").read())
            time.sleep(0.05)
        step.join()
    assert len(seen) >= 5  # a 1.5 s step, a 0.2 s heartbeat
    assert any("phase sampling" in text and "groups sampled 0/8" in text and "step running" in text for text in contents)


def test_sample_save_and_load_for_agents(toy_config, trainers):
    trainer = trainers(toy_config(eval_interval=0, save_interval=0, holdout_fraction=0.1))
    spot = trainer.sample(["abc>", {"prompt": "fed>", "ground_truth": "fed"}], num_samples=3)
    assert spot.prompts[0].completions[0].score is None and spot.prompts[1].completions[0].score is not None
    assert spot.reward_mean == pytest.approx(sum(c.score for c in spot.prompts[1].completions) / 3)
    holdout = trainer.sample()
    assert {p.prompt for p in holdout.prompts} == {r.prompt for r in trainer.pool.holdout}
    saved = trainer.save("mine")
    assert (saved.name, saved.step, saved.prompts_consumed) == ("mine", 0, 0)
    trainer.train_grpo_step(num_iterations=2)
    loaded = trainer.load(saved.state_path)
    assert (loaded.step, loaded.prompts_consumed, loaded.loop_state_restored) == (0, 0, True)
    assert trainer.training_client.optimizer.step == 0


def test_wandb_logs_each_step_in_offline_mode(toy_config, trainers, monkeypatch):
    wandb = pytest.importorskip("wandb")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    trainer = trainers(toy_config(wandb_project="rewardbox-test", eval_interval=0, save_interval=0))
    trainer.train_grpo_step(num_iterations=2)
    trainer.close()
    wandb.teardown()  # wandb keeps a service process for the interpreter's lifetime otherwise
    [record_log] = glob.glob(os.path.join(trainer.log.log_dir, "wandb", "offline-run-*", "*.wandb"))
    data = open(record_log, "rb").read()
    assert data.count(b"reward_mean") >= 2 and b"kl_sample_train" in data and b"rewardbox-test" in data


def test_each_step_reports_its_hacking_signals_in_the_metrics_and_the_summary_line(toy_config, trainers):
    from rewardbox.runner.training.grpo.trainer import summary_line

    trainer = trainers(toy_config(eval_interval=0, save_interval=0))
    report = trainer.train_grpo_step(num_iterations=1).steps[0]
    assert report.hacking_signals == {} and "hacking" not in summary_line(report)  # copying letters games nothing
    assert metrics(trainer)[0]["hacking_signals"] == {}
    flagged = report.model_copy(update={"hacking_signals": {"several_answers": 3}})
    assert summary_line(flagged).endswith("hacking? several_answers 3")
