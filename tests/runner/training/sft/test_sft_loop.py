"""The SFT loop end to end on the offline backend: learning, overfitting, resume, the learning rate, the run directory."""

from __future__ import annotations

import json

import pytest
from sft_helpers import tiny_config, unrelated_examples

from rewardbox.runner.training.sft import SFTTrainer

TIMING = {"step_seconds", "eval_seconds", "checkpoint", "best_checkpoint"}


def metrics(trainer: SFTTrainer) -> list[dict]:
    return trainer.log.read_metrics()


def without_timing(rows: list[dict]) -> list[dict]:
    return [{key: value for key, value in row.items() if key not in TIMING} for row in rows]


def test_validation_loss_falls_well_below_its_start_on_the_toy_set(toy_config, trainers):
    trainer = trainers(toy_config())
    report = trainer.train_sft_step(num_epochs=6, planned_steps=6 * trainer.steps_per_epoch)
    start, end = report.evaluations[0], report.evaluations[-1]
    assert (start.step, start.train_loss) == (0, None)
    assert start.val_loss == pytest.approx(2.639, abs=0.01)  # ln(14): the untrained policy is uniform over its vocabulary
    assert end.val_loss < 0.1 * start.val_loss, [e.val_loss for e in report.evaluations]
    assert [e.step for e in report.evaluations] == [0, 7, 14, 21, 28, 35, 42]  # 100 training examples, batches of 16
    assert report.best_step == 42 and report.best_checkpoint.endswith("/best-000042")
    assert report.overfitting is None and not report.stopped_early
    spot = trainer.sample()  # the spot-check prompts: the first validation examples
    assert [p.completions[0].text for p in spot.prompts] == [p.reference for p in spot.prompts]

    rows = metrics(trainer)
    steps, evals = [r for r in rows if r["kind"] == "step"], [r for r in rows if r["kind"] == "eval"]
    assert len(steps) == 42 and len(evals) == 7
    assert all(r["train_loss"] > 0 and r["learning_rate"] >= 0 for r in steps)
    assert [r["val_loss"] for r in evals] == [e.val_loss for e in report.evaluations]
    with open(trainer.log.path("sampling_debug.log"), encoding="utf-8") as log:
        assert log.read().count("spot check") == 7


def test_an_overtrained_tiny_set_shows_the_overfitting_signature_and_names_the_best_checkpoint(trainers):
    trainer = trainers(tiny_config(), examples=unrelated_examples())
    report = trainer.train_sft_step(num_epochs=8)
    evals = report.evaluations
    found = report.overfitting
    assert found is not None and not found.stopped and not report.stopped_early and trainer.step == 24
    window = [e for e in evals if e.step in found.steps]
    assert all(b.val_loss > a.val_loss for a, b in zip(window, window[1:])) and window[-1].train_loss < window[1].train_loss
    assert found.detected_at_step == found.steps[-1] and len(found.steps) == 4  # patience 3: three rises in a row
    best = min(evals, key=lambda e: e.val_loss)
    assert (found.best_step, found.best_val_loss) == (best.step, best.val_loss) and best.step > 0
    assert found.best_checkpoint == report.best_checkpoint and found.best_checkpoint.endswith(f"/best-{best.step:06d}")
    assert [e.overfitting for e in evals if e.step < found.detected_at_step] == [False] * len([e for e in evals if e.step < found.detected_at_step])
    with open(trainer.log.path("training_debug.log"), encoding="utf-8") as log:
        assert "overfitting: validation loss rose at 3 evaluations in a row" in log.read()

    stopping = trainers(tiny_config(stop_on_overfit=True), "stopping", examples=unrelated_examples())
    stopped = stopping.train_sft_step(num_epochs=8)
    assert stopped.stopped_early and stopped.overfitting.stopped and stopping.step == found.detected_at_step
    assert stopped.best_checkpoint.endswith(f"/best-{best.step:06d}")
    assert "training stopped" in stopped.overfitting.message()


def test_resume_continues_steps_order_evaluations_and_optimizer_without_warmup(toy_config, trainers):
    config = toy_config(save_interval=7, warmup_steps=3, scheduler_total_steps=21, spot_checks=0)
    straight = trainers(config, "straight")
    straight.train_sft_step(num_epochs=3)

    first = trainers(config, "split")
    first.train_sft_step(num_epochs=1)
    saved = first.training_client.optimizer
    moments = (saved.exp_avg.copy(), saved.step)
    first.close()
    resumed = trainers(config, "split", resume=True)
    assert (resumed.step, resumed.prompts_consumed, resumed.warm_up) == (7, 100, False)
    assert (resumed.training_client.optimizer.exp_avg == moments[0]).all() and resumed.training_client.optimizer.step == 7
    assert [e.step for e in resumed.evals] == [0, 7]  # the history comes back from metrics.jsonl
    resumed.train_sft_step(num_epochs=2)
    assert without_timing(metrics(resumed)) == without_timing(metrics(straight))


def test_learning_rate_decays_over_a_known_horizon_and_stays_constant_in_small_calls(toy_config, trainers):
    rates = lambda report: [s.learning_rate for s in report.steps]  # noqa: E731
    planned = trainers(toy_config(learning_rate=0.1, spot_checks=0), "planned")
    assert rates(planned.train_sft_step(num_epochs=1, planned_steps=14)) == pytest.approx([0.1 * (1 - s / 14) for s in range(7)])

    small = trainers(toy_config(learning_rate=0.1, spot_checks=0), "small")
    assert rates(small.train_sft_step(num_steps=3)) + rates(small.train_sft_step(num_steps=3)) == pytest.approx([0.1] * 6)

    horizon = trainers(toy_config(learning_rate=0.1, spot_checks=0, scheduler_total_steps=10), "horizon")
    first, second = horizon.train_sft_step(num_steps=2), horizon.train_sft_step(num_steps=2)
    assert rates(first) + rates(second) == pytest.approx([0.1, 0.09, 0.08, 0.07])

    warm = trainers(toy_config(learning_rate=0.1, spot_checks=0, warmup_steps=4), "warm")
    first, second = warm.train_sft_step(num_steps=2), warm.train_sft_step(num_steps=2)
    assert rates(first) + rates(second) == pytest.approx([0.025, 0.05, 0.1, 0.1])  # warmup belongs to the first call


def test_large_epochs_are_evaluated_inside_the_epoch(toy_config, trainers):
    trainer = trainers(toy_config(batch_size=2, validation_split=0.2, spot_checks=0))  # 50 steps an epoch
    assert (trainer.steps_per_epoch, trainer.eval_interval) == (50, 13)
    report = trainer.train_sft_step(num_epochs=1)
    assert [e.step for e in report.evaluations] == [0, 13, 26, 39, 50]


def test_run_directory_heartbeat_checkpoints_and_load(toy_config, trainers):
    trainer = trainers(toy_config(save_interval=5, spot_checks=1))
    report = trainer.train_sft_step(num_steps=10)
    with open(trainer.log.path("checkpoints.jsonl"), encoding="utf-8") as stream:
        names = [json.loads(line)["name"] for line in stream]
    assert names == ["step-000005", "best-000007", "step-000010"]
    assert [s.checkpoint is not None for s in report.steps] == [i in (4, 9) for i in range(10)]
    trainer.heartbeat.beat()
    progress = open(trainer.log.path("progress.txt"), encoding="utf-8").read()
    assert "step 10" in progress and "epoch 1 batch 3/7" in progress and "examples trained 148" in progress and "phase idle" in progress
    loaded = trainer.load(report.steps[4].checkpoint)
    assert (loaded.step, loaded.loop_state_restored, trainer.step) == (5, True, 5)
    assert [e.step for e in trainer.evals] == [0]
    saved = trainer.save("by-hand")
    assert (saved.step, saved.name) == (5, "by-hand")
