"""report and preflight take rewards in another harness's signature (graders/runtime/test_conventions.py has the rest)."""

from __future__ import annotations

import json
from pathlib import Path

from rewardbox.runner.cli import main

REWARDS = Path(__file__).resolve().parents[2] / "graders" / "runtime" / "harness_rewards"


def _jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def test_report_grades_with_a_trl_reward_and_leaves_abstentions_out_of_its_means(tmp_path, capsys):
    groups = [
        {"prompt": "p1", "ground_truth": "x", "task": "math", "completions": ["ab", "abc", "abcd"]},
        {"prompt": "p2", "ground_truth": "x", "task": "code", "completions": ["ab", "abc", "abcd"]},
    ]
    samples = _jsonl(tmp_path / "groups.jsonl", groups)
    code = main(["report", samples, "--reward", f"{REWARDS / 'trl_rewards.py'}:math_only", "--format", "json", "--workers", "2"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert report["status_counts"]["abstained"] == 3 and report["status_counts"]["ok"] == 3
    assert report["error_fraction"] == 0.0
    assert abs(report["reward_mean"] - 1 / 3) < 1e-9  # the math group's 0, 1, 0; the code group abstained


def test_preflight_checks_a_verl_compute_score_on_verl_rows(tmp_path, capsys):
    rows = [{"prompt": f"What is {n}+{n}?", "data_source": "openai/gsm8k", "ground_truth": str(2 * n)} for n in range(6)]
    data = _jsonl(tmp_path / "prompts.jsonl", rows)
    code = main(["preflight", f"{REWARDS / 'verl_rewards.py'}:compute_score_dict", "--data", data, "--max-examples", "8", "--probe-prompts", "4", "--workers", "2", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    passed = {r["property"]: r["passed"] for r in result["checks"]["results"]}
    assert passed["determinism"] and passed["type_and_range"] and passed["robustness"]  # graded through verl's signature
    assert not passed["gold_consistency"]  # it reads the last characters only: \boxed{4} is a miss, as preflight says
    assert not [item for item in result["items"] if item["stage"] == "lint"]
    assert result["probes"]["prompts"] == 4
