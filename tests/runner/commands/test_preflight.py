"""``rewardbox preflight``: what it finds in good and broken rewards, the verdict, and the exit code CI sees."""

from __future__ import annotations

import json
import os

import pytest
from rewardbox.graders import GradeResult, Status
from rewardbox.runner.cli import main
from rewardbox.runner.commands.preflight import Item, Verdict, exit_code, verdict
from rewardbox.runner.probing import probe_summary

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "gsm8k")
FAST = ["--max-examples", "8", "--probe-prompts", "6", "--workers", "2", "--format", "json"]

CONTAINMENT = """
def compute_reward(completion, ground_truth):
    return 1.0 if ground_truth in completion else 0.0
"""
CONSTANT = """
def compute_reward(completion, ground_truth):
    return 0.0
"""
RANDOM = """
import os

def compute_reward(completion, ground_truth):
    return os.urandom(1)[0] / 255
"""


def preflight(capsys, reward, *extra):
    code = main(["preflight", reward, "--data", os.path.join(EXAMPLE, "prompts.jsonl"), *FAST, *extra])
    return code, json.loads(capsys.readouterr().out)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_bundled_example_passes_with_its_samples_graded_and_reported(capsys):
    code, result = preflight(capsys, os.path.join(EXAMPLE, "reward.py"), "--samples", os.path.join(EXAMPLE, "groups.jsonl"))
    assert code == 0 and result["verdict"] in ("pass", "warn")
    # every property holds; one exploit works: its last-number fallback pays a copy of a prompt whose last number is the answer
    assert [r["property"] for r in result["checks"]["results"] if not r["passed"]] == ["exploit:prompt_echo"]
    [gamed] = [item for item in result["items"] if item["stage"] == "exploits"]
    assert gamed["severity"] == "warning" and gamed["finding"].startswith("exploit:prompt_echo: worked on 1 of 20 rows")
    assert result["report"]["num_groups"] == 60 and result["report"]["all_max_fraction"] == pytest.approx(10 / 60)
    assert not [item for item in result["items"] if item["severity"] == "error"]


def test_the_example_reward_gives_signal_on_every_probed_ground_truth(capsys):
    code, result = preflight(capsys, os.path.join(EXAMPLE, "reward.py"))
    assert code == 0
    assert result["probes"]["prompts"] == 6 and result["probes"]["signal_fraction"] == 1.0
    assert result["report"] is None
    [warm] = [item for item in result["items"] if "mode='warm'" in item["finding"]]
    assert warm["severity"] == "info" and warm["finding"].startswith("mode='warm' gives the same ") and "x faster (fresh " in warm["finding"]
    assert result["method"]["method"] == "grpo"


def test_containment_reward_fails_on_its_lint_error(capsys, tmp_path):
    code, result = preflight(capsys, write(tmp_path, "contains.py", CONTAINMENT))
    assert code == 1 and result["verdict"] == "fail"
    assert any(item["stage"] == "lint" and "RK120" in item["finding"] and item["severity"] == "error" for item in result["items"])


def test_a_reward_without_signal_fails_on_the_probes(capsys, tmp_path):
    code, result = preflight(capsys, write(tmp_path, "constant.py", CONSTANT))
    assert code == 1
    assert result["probes"]["signal_fraction"] == 0.0
    assert result["method"]["method"] != "grpo"  # no verified reward: SFT if the data had responses, else neither
    assert any(item["stage"] == "probes" and item["severity"] == "error" for item in result["items"])


SEEN_LIST = """
SEEN = []

def compute_reward(completion, ground_truth):
    SEEN.append(completion)
    return 1.0 if ground_truth in completion and len(SEEN) < 3 else 0.0
"""


def test_warm_mode_is_judged_on_the_same_calls_and_a_difference_is_a_warning():
    from rewardbox.graders import Grader
    from rewardbox.runner.commands.preflight import warm_items

    rows = [(f"#### {i}", str(i)) for i in range(30)]
    with Grader(os.path.join(EXAMPLE, "reward.py"), workers=2) as grader:
        [same] = warm_items(grader, os.path.join(EXAMPLE, "reward.py"), {"workers": 2}, rows)
    assert same.severity == "info"
    code = "\n".join(SEEN_LIST.splitlines())
    with Grader(code, workers=2) as grader:
        [differs] = warm_items(grader, code, {"workers": 2}, rows)
    assert differs.severity == "warning" and "scored" in differs.finding and "differently from fresh processes" in differs.finding


def test_a_random_reward_fails_the_determinism_check(capsys, tmp_path):
    code, result = preflight(capsys, write(tmp_path, "random_reward.py", RANDOM))
    assert code == 1
    assert any(item["stage"] == "checks" and item["finding"].startswith("determinism failed") for item in result["items"])


def test_malformed_data_lines_are_errors_with_their_line_numbers(capsys, tmp_path):
    data = write(tmp_path, "prompts.jsonl", '{"prompt": "p", "ground_truth": "4"}\nnot json\n{"prompt": "q"}\n')
    code = main(["preflight", os.path.join(EXAMPLE, "reward.py"), "--data", data, *FAST])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    findings = [item["finding"] for item in result["items"] if item["stage"] == "data"]
    assert findings == [
        f"{data}:2: not valid JSON (Expecting value at column 1)",
        f"{data}:3: no 'ground_truth', which compute_reward(completion: 'str', ground_truth: 'str | int | float') -> 'float' "
        "takes without a default",
    ]


def test_fail_on_warning_turns_a_warning_verdict_into_exit_1(capsys):
    samples = os.path.join(EXAMPLE, "groups.jsonl")
    code, result = preflight(capsys, os.path.join(EXAMPLE, "reward.py"), "--samples", samples, "--fail-on", "warning")
    assert code == (1 if result["verdict"] == "warn" else 0)


def test_text_output_shows_each_stage_and_the_verdict(capsys):
    code = main(["preflight", os.path.join(EXAMPLE, "reward.py"), "--data", os.path.join(EXAMPLE, "prompts.jsonl"), "--max-examples", "8", "--probe-prompts", "4", "--workers", "2"])
    out = capsys.readouterr().out
    assert code == 0
    for stage in ("lint", "checks", "probes", "verdict"):
        assert stage in out


def test_usage_errors_exit_2(capsys, tmp_path):
    empty = write(tmp_path, "empty.jsonl", "")
    with pytest.raises(SystemExit) as exit_info:
        main(["preflight", os.path.join(EXAMPLE, "reward.py"), "--data", empty])
    assert exit_info.value.code == 2 and "no row (a JSON object a line)" in capsys.readouterr().err


COUNTDOWN = os.path.join(os.path.dirname(__file__), "..", "..", "graders", "checks", "rewards", "correct_countdown.py")
THINK_FORMAT = os.path.join(os.path.dirname(__file__), "..", "..", "graders", "checks", "rewards", "correct_think_format.py")
BY_SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "graders", "checks", "rewards", "correct_by_source.py")


def rows(tmp_path, name, lines):
    return write(tmp_path, name, "".join(json.dumps(line) + "\n" for line in lines))


def test_dict_ground_truths_are_checked_and_the_probes_say_they_skipped_them(capsys, tmp_path):
    data = rows(tmp_path, "countdown.jsonl", [
        {"prompt": "Make 24 from 3 8 2 1", "ground_truth": {"target": 24, "numbers": [3, 8, 2, 1]}},
        {"prompt": "Make 10 from 5 2 7", "ground_truth": {"target": 10, "numbers": [5, 2, 7]}},
    ])
    code = main(["preflight", COUNTDOWN, "--data", data, *FAST])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["verdict"] == "warn"  # nothing showed the reward's signal
    checks = {r["property"]: (r["passed"], r["skipped"]) for r in result["checks"]["results"] if not r["property"].startswith("exploit:")}
    assert checks == {"determinism": (True, False), "type_and_range": (True, False), "robustness": (True, False),
                      "gold_consistency": (True, True), "latency": (True, False)}
    exploits = {r["property"]: r["passed"] for r in result["checks"]["results"] if r["property"].startswith("exploit:")}
    assert all(exploits.values()) and exploits["exploit:schema_json"]  # countdown dicts: the JSON family applies, and fails to game it
    assert result["probes"]["prompts"] == 0 and result["probes"]["skipped"] == 2 and result["probes"]["skipped_kinds"] == ["dict"]
    [probe] = [item for item in result["items"] if item["stage"] == "probes"]
    assert probe["severity"] == "warning" and "2 ground truths are dict" in probe["finding"] and "--samples" in probe["action"]


def test_a_format_reward_runs_on_prompts_without_ground_truths_and_grades_their_samples(capsys, tmp_path):
    data = rows(tmp_path, "prompts.jsonl", [{"prompt": "Say hi"}, {"prompt": "Count to 3", "ground_truth": None}])
    samples = rows(tmp_path, "groups.jsonl", [
        {"prompt": "Say hi", "completions": ["<think>hi</think><answer>hi</answer>", "hi"]},
        {"prompt": "Count to 3", "completions": ["1 2 3", "<think>.</think><answer>1 2 3</answer>"]},
    ])
    code = main(["preflight", THINK_FORMAT, "--data", data, "--samples", samples, *FAST])
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result["items"]
    assert result["report"]["num_groups"] == 2 and result["report"]["reward_mean"] == pytest.approx(0.5)
    [probe] = [item for item in result["items"] if item["stage"] == "probes"]
    assert probe["severity"] == "info" and "null" in probe["finding"]


def test_number_ground_truths_are_probed_and_rows_without_a_required_field_are_named(capsys, tmp_path):
    data = rows(tmp_path, "prompts.jsonl", [
        {"prompt": "a", "ground_truth": 39, "data_source": "openai/gsm8k"},
        {"prompt": "b", "ground_truth": 12.5, "data_source": "lighteval/MATH"},
        {"prompt": "c", "ground_truth": 7},
    ])
    code = main(["preflight", BY_SOURCE, "--data", data, *FAST])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [item["finding"] for item in result["items"] if item["stage"] == "data"] == [
        f"{data}:3: no 'data_source', which compute_reward(completion, ground_truth, data_source) takes without a default"
    ]
    assert result["probes"]["prompts"] == 2 and result["probes"]["signal_fraction"] == 1.0
    assert all(r["passed"] and (not r["skipped"] or r["property"].startswith("exploit:")) for r in result["checks"]["results"])


# ---- the pure pieces ------------------------------------------------------------------------------------


def item(severity):
    return Item(stage="lint", severity=severity, finding="f", action="a")


@pytest.mark.parametrize(
    "severities, expected, on_error, on_warning",
    [([], Verdict.passed, 0, 0), (["info"], Verdict.passed, 0, 0), (["warning", "info"], Verdict.warned, 0, 1), (["warning", "error"], Verdict.failed, 1, 1)],
)
def test_verdict_is_the_worst_severity_and_fail_on_sets_the_exit_code(severities, expected, on_error, on_warning):
    result = verdict([item(s) for s in severities])
    assert result is expected
    assert (exit_code(result, "error"), exit_code(result, "warning")) == (on_error, on_warning)


def ok(score):
    return GradeResult(score=score, status=Status.ok)


def test_probe_summary_counts_signal_gold_at_max_and_wrong_at_min():
    truths = ["1", "2", "3"]
    results = [
        {"correct_formats": [ok(1.0), ok(0.0)], "wrong": [ok(0.0)], "empty": [ok(0.0)]},  # signal, gold max, wrong min
        {"correct_formats": [ok(0.5)], "wrong": [ok(0.5)], "empty": [ok(0.0)]},  # no signal: a wrong answer ties
        {"correct_formats": [ok(0.8)], "wrong": [ok(0.2)], "empty": [GradeResult(score=0.0, status=Status.exception)]},
    ]
    summary = probe_summary(truths, results, (0.0, 1.0))
    assert summary.signal_fraction == pytest.approx(2 / 3)
    assert summary.gold_max_fraction == pytest.approx(1 / 3)
    assert summary.wrong_min_fraction == pytest.approx(1 / 3)
    assert summary.no_signal_examples == ["2"]
    assert summary.status_counts == {"ok": 9, "exception": 1}
