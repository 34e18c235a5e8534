"""Rows through the Ray backend: structured ground truths and the fields a reward names arrive as they do locally."""

from __future__ import annotations

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'rewardbox[ray]')")

from rewardbox.graders import Status  # noqa: E402

pytestmark = pytest.mark.usefixtures("ray_address")

COUNTDOWN = """
def compute_reward(completion, ground_truth, level=0):
    target = ground_truth["target"] if isinstance(ground_truth, dict) else ground_truth
    return float(eval(completion, {"__builtins__": {}}) == target) + level
"""


def test_dict_int_and_absent_ground_truths_and_fields_grade_as_they_do_locally(make_grader):
    rows = [
        {"completion": "6 * 4", "ground_truth": {"target": 24, "numbers": [6, 4]}, "level": 2},
        {"completion": "6 + 4", "ground_truth": {"target": 24, "numbers": [6, 4]}},
        {"completion": "3 + 4", "ground_truth": 7, "unused": [1, 2]},
        {"completion": "3 + 4"},  # no ground truth: None, which 7 is not
        {"completion": "3 + 4", "ground_truth": {1, 2}},  # not JSON: never reaches an actor
    ]
    local = make_grader(COUNTDOWN, workers=1).grade_batch(rows)
    remote = make_grader(COUNTDOWN, backend="ray", workers=1, ray_actors=2).grade_batch(rows)
    assert [(r.status, r.score) for r in remote] == [(r.status, r.score) for r in local]
    assert [r.status for r in remote] == [Status.ok] * 4 + [Status.invalid_input]
    assert [r.score for r in remote[:4]] == [3.0, 0.0, 1.0, 0.0]
    assert "of type set" in remote[4].error


GROUP_AWARE_TRL = """
def shortest_in_group(prompts, completions, **kwargs):
    shortest = {}
    for prompt, completion in zip(prompts, completions):
        shortest[prompt] = min(shortest.get(prompt, len(completion)), len(completion))
    return [1.0 if len(c) == shortest[p] else None if len(c) > 5 else 0.0 for p, c in zip(prompts, completions)]
"""


def test_a_trl_batch_reward_grades_on_ray_as_it_does_locally(make_grader, tmp_path):
    path = tmp_path / "trl_reward.py"
    path.write_text(GROUP_AWARE_TRL)
    rows = [{"completion": "x" * n, "prompt": prompt} for prompt in ("a", "b", "c") for n in (3, 1, 2, 7)]
    local = make_grader(f"{path}:shortest_in_group", workers=1).grade_batch(rows)
    remote = make_grader(f"{path}:shortest_in_group", backend="ray", workers=1, ray_actors=2).grade_batch(rows)
    assert [(r.status, r.score) for r in remote] == [(r.status, r.score) for r in local]
    assert [r.status for r in local[:4]] == [Status.ok, Status.ok, Status.ok, Status.abstained]
    assert [r.score for r in local[:3]] == [0.0, 1.0, 0.0]
