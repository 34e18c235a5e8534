"""``rewardbox check`` as a user runs it: verdicts, exit codes, JSON shape, bad input named by file and line."""

from __future__ import annotations

import json

import pytest
from rewardbox.runner.cli import main

from rewardbox.graders.checks.report import EXPLOITS

from check_helpers import REWARDS, reward

PROMPTS = REWARDS / "questions.jsonl"  # three GSM8K prompts (ground truths 39, 25, 12)


def test_a_correct_reward_exits_0_with_a_line_per_property(capsys):
    code = main(["check", reward("correct_last_number"), "--examples", str(PROMPTS), "--max-examples", "5"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("rewardbox check ") and lines[0].endswith(" s)")
    assert [line.split()[:2] for line in lines[2:7]] == [
        ["PASS", "determinism"], ["PASS", "type_and_range"], ["PASS", "robustness"], ["PASS", "gold_consistency"], ["PASS", "latency"],
    ]
    exploits = [line.split()[:2] for line in lines[7:-2]]
    assert [name for _, name in exploits] == list(EXPLOITS) and {mark for mark, _ in exploits} <= {"PASS", "SKIP"}
    checked = 5 + sum(mark == "PASS" for mark, _ in exploits)
    assert lines[-1] == f"{checked} of {checked} properties passed"


def test_a_failure_exits_1_and_shows_counterexample_scores_and_causes(capsys):
    code = main(["check", reward("flawed_random"), "--examples", str(PROMPTS), "--max-examples", "4", "--property", "determinism"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  determinism       the score changed: baseline " in out
    assert "      completion:   " in out and "      ground truth: " in out
    assert "      scores observed:" in out and "seed=1, PYTHONHASHSEED=1" in out
    assert "      likely causes:\n        1. it draws from random or numpy.random" in out
    assert "(rewardbox lint: RK110 unseeded-random)" in out
    assert out.rstrip().endswith("1 of 1 property failed: determinism")


def test_json_lists_property_passed_counterexample_details(capsys):
    code = main(["check", reward("flawed_only_hashes"), "--examples", str(PROMPTS), "--max-examples", "4", "--format", "json",
                 "--property", "gold_consistency", "--property", "type_and_range"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["passed"] is False
    assert [(r["property"], r["passed"]) for r in report["results"]] == [("type_and_range", True), ("gold_consistency", False)]
    assert {"property", "passed", "counterexample", "details"} <= set(report["results"][1])
    counterexample = report["results"][1]["counterexample"]
    assert counterexample["completion"] == counterexample["ground_truth"] == "39"
    assert counterexample["problem"] == "the ground truth in an answer format scored 0; expected the maximum 1"
    assert counterexample["observations"][0] == {"run": "baseline", "score": 0.0, "status": "ok", "error": None, "duration_ms": counterexample["observations"][0]["duration_ms"]}
    assert report["results"][0]["counterexample"] is None


def test_answer_formats_and_range_change_the_verdict(capsys):
    args = ["check", reward("flawed_only_hashes"), "--examples", str(PROMPTS), "--max-examples", "4", "--property", "gold_consistency"]
    assert main(args + ["--answer-formats", "hashes"]) == 0
    assert main(["check", reward("flawed_out_of_range"), "--max-examples", "4", "--property", "type_and_range", "--range=-1,1"]) == 0


def test_malformed_example_lines_are_reported_with_line_numbers(tmp_path, capsys):
    data = tmp_path / "data.jsonl"
    data.write_text('{"prompt": "p", "ground_truth": "4"}\n\n{not json\n{"completion": "x"}\n{"ground_truth": "4", "completions": [1]}\n')
    with pytest.raises(SystemExit) as exit_info:
        main(["check", reward("correct_last_number"), "--examples", str(data)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "rewardbox check: error: --examples has malformed lines:",
        f"{data}:3: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{data}:5: 'completions' must be a list of strings",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--max-examples", "0"], "--max-examples 0: expected a positive integer"),
        (["--range", "1"], "--range '1': expected LO,HI such as 0,1"),
        (["--latency-budget", "5,1"], "--latency-budget '5,1': LO must be below HI"),
        (["--answer-formats", "latex"], "--answer-formats 'latex': expected names among plain, boxed"),
        (["--examples", "/nonexistent.jsonl"], "--examples /nonexistent.jsonl: No such file or directory"),
    ],
)
def test_usage_errors_exit_2_naming_the_flag(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", reward("correct_last_number")] + args)
    assert exit_info.value.code == 2
    assert f"rewardbox check: error: {message}" in capsys.readouterr().err


def test_a_reward_that_cannot_load_exits_2_with_file_and_line(tmp_path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("import json\n\ndef compute_reward(completion, ground_truth)\n    return 1.0\n")
    assert main(["check", str(broken)]) == 2
    assert f"rewardbox check: cannot load the reward: {broken}:3: syntax error" in capsys.readouterr().err
