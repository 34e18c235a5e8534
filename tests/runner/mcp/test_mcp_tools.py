"""``rewardbox mcp`` over stdio: the reward tools on the gsm8k example, their output files, and their tool errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mcp_session import GSM8K
from rewardbox.runner.mcp.tools import Outputs, Tools

REWARD = str(GSM8K / "reward.py")
REWARD_TOOLS = {"lint_reward", "check_reward", "grade", "hygiene_report", "preflight"}
TRAINING_TOOLS = {"train_open", "train_grpo_step", "sample", "save", "load", "train_close"}
CONTAINMENT = "def compute_reward(completion, ground_truth):\n    return float(ground_truth in completion)\n"
RAISES_ON_BOOM = "def compute_reward(completion, ground_truth):\n    return 1 / 0 if completion == 'boom' else 1.0\n"
OUT_OF_RANGE = "def compute_reward(completion, ground_truth):\n    return 2.0\n"
BROKEN = "def compute_reward(completion, ground_truth):\n    x = 1\n    return x +\n"


def read_jsonl(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_lists_every_tool_with_a_description_and_says_where_outputs_go(mcp):
    tools = {tool.name: tool for tool in mcp.list_tools()}
    assert set(tools) == REWARD_TOOLS | TRAINING_TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object" and tool.output_schema is not None
    assert tools["grade"].input_schema["required"] == ["reward", "input_path"]
    assert str(mcp.outputs) in mcp.initialized.instructions


def test_lint_reward_returns_counts_first_findings_and_every_finding_in_files(mcp, write):
    clean = mcp.call("lint_reward", reward=REWARD)
    assert clean["findings"] == 0 and clean["first"] == []

    path = write("containment.py", CONTAINMENT)
    found = mcp.call("lint_reward", reward=path)
    line = f"{path}:2:18: RK120 `ground_truth in completion` rewards any completion that contains the answer, hedges included"
    assert found["first"][0] == line
    assert found["by_severity"]["error"] >= 1
    assert Path(found["outputs"]["text"]).read_text().splitlines()[0] == line
    assert len(json.loads(Path(found["outputs"]["json"]).read_text())) == found["findings"]


def test_grade_writes_every_line_in_input_order_and_summarises_it(mcp):
    summary = mcp.call("grade", reward=REWARD, input_path=str(GSM8K / "completions.jsonl"))
    graded = read_jsonl(summary["outputs"]["graded"])
    inputs = read_jsonl(str(GSM8K / "completions.jsonl"))
    assert [line["id"] for line in graded] == [line["id"] for line in inputs]
    assert summary["lines"] == len(inputs) and summary["status_counts"] == {"ok": len(inputs)}
    assert summary["score_mean"] == sum(line["score"] for line in graded) / len(graded)
    assert graded[0]["score"] == 0.0  # "I'm sorry, but I don't have enough information..."
    assert {line["score"] for line in graded} == {0.0, 1.0}
    assert summary["isolation"].startswith("isolation standard: ")


def test_grade_names_the_line_of_each_problem(mcp, write):
    reward = write("boom.py", RAISES_ON_BOOM)
    data = write("input.jsonl", '{"completion": "fine", "ground_truth": "1"}\nnot json\n{"completion": "boom", "ground_truth": "1"}\n')
    summary = mcp.call("grade", reward=reward, input_path=data)
    assert summary["status_counts"] == {"ok": 1, "invalid_input": 1, "exception": 1}
    assert summary["first_problems"] == [
        f"{data}:2: invalid_input: line 2: not valid JSON (Expecting value at column 1)",
        f"{data}:3: exception: ZeroDivisionError: division by zero",
    ]
    assert [line["status"] for line in read_jsonl(summary["outputs"]["graded"])] == ["ok", "invalid_input", "exception"]


def test_grade_takes_structured_ground_truths_absent_ones_and_row_fields(mcp, write):
    reward = write(
        "countdown.py",
        "def compute_reward(completion, ground_truth=None, level=0):\n"
        "    if ground_truth is None:\n        return 0.25\n"
        "    return float(eval(completion) == ground_truth['target']) + level\n",
    )
    rows = [
        {"completion": "6 * 4", "ground_truth": {"target": 24, "numbers": [6, 4]}, "level": 1},
        {"completion": "6 + 4", "ground_truth": {"target": 24, "numbers": [6, 4]}},
        {"completion": "6 * 4"},
        {"completion": "6 * 4", "ground_truth": {"target": 24}, "level": 0.5},
    ]
    data = write("rows.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    summary = mcp.call("grade", reward=reward, input_path=data)
    graded = read_jsonl(summary["outputs"]["graded"])
    assert [line["score"] for line in graded] == [2.0, 0.0, 0.25, 1.5]
    assert [line.get("ground_truth") for line in graded] == [row.get("ground_truth") for row in rows]
    assert summary["status_counts"] == {"ok": 4} and summary["score_mean"] == 3.75 / 4


def test_hygiene_report_gives_the_key_figures_and_writes_the_full_report(mcp):
    summary = mcp.call("hygiene_report", samples_path=str(GSM8K / "groups.jsonl"), reward=REWARD, score_range=[0, 1])
    report = json.loads(Path(summary["outputs"]["json"]).read_text())
    assert summary["num_groups"] == report["num_groups"] == len(read_jsonl(str(GSM8K / "groups.jsonl")))
    for figure in ("reward_mean", "no_signal_fraction", "all_min_fraction", "all_max_fraction", "truncation_fraction"):
        assert summary[figure] == report[figure]
    assert summary["score_source"] == "fresh" and summary["status_counts"] == {"ok": report["num_completions"]}
    codes = [recommendation["code"] for recommendation in report["recommendations"]]
    assert [line.split(":")[0].split()[1] for line in summary["recommendations"]] == codes[:5]
    text = Path(summary["outputs"]["text"]).read_text()
    assert re.search(rf"no signal \(constant groups\) +{summary['no_signal_fraction']:.1%}", text)


def test_hygiene_report_without_scores_or_reward_is_a_tool_error(mcp):
    message = mcp.error("hygiene_report", samples_path=str(GSM8K / "groups.jsonl"))
    assert f"{GSM8K / 'groups.jsonl'}:1: no 'scores' and no reward to grade with (and 59 more)" in message


def test_check_reward_passes_a_sound_reward_and_explains_a_failing_one(mcp, write):
    fast = dict(max_examples=5, properties=["type_and_range", "gold_consistency"])
    sound = mcp.call("check_reward", reward=REWARD, examples_path=str(GSM8K / "prompts.jsonl"), **fast)
    assert sound["passed"] is True
    assert sound["properties"] == {"type_and_range": "pass", "gold_consistency": "pass"}

    failing = mcp.call("check_reward", reward=write("two.py", OUT_OF_RANGE), **fast)
    assert failing["passed"] is False and failing["properties"]["type_and_range"] == "fail"
    assert failing["failures"][0].startswith("type_and_range failed: ")
    assert json.loads(Path(failing["outputs"]["json"]).read_text())["passed"] is False
    assert "FAIL  type_and_range" in Path(failing["outputs"]["text"]).read_text()


def test_preflight_gives_the_verdict_a_line_per_stage_and_the_full_result(mcp):
    summary = mcp.call(
        "preflight", reward=REWARD, data_path=str(GSM8K / "prompts.jsonl"), samples_path=str(GSM8K / "groups.jsonl"), max_examples=5
    )
    result = json.loads(Path(summary["outputs"]["json"]).read_text())
    # groups.jsonl: a truncation warning; the reward: a prompt echo that scores on one row; nothing worse
    assert summary["verdict"] == result["verdict"] == "warn"
    assert list(summary["stages"]) == ["lint", "checks", "can it be gamed", "probes", "samples", "method"]
    assert summary["items_by_severity"]["error"] == 0 and summary["items_by_severity"]["warning"] >= 1
    warnings = {item.split("]")[0] for item in summary["first_items"] if item.startswith("warning")}
    assert warnings == {"warning [exploits", "warning [samples"}
    assert Path(summary["outputs"]["markdown"]).read_text().startswith("# Preflight: ")


COUNTDOWN_REWARD = """
def compute_reward(completion, ground_truth):
    return 1.0 if completion.strip() == str(ground_truth["target"]) else 0.0
"""


def test_check_preflight_and_hygiene_report_take_dict_ground_truths(mcp, write):
    reward = write("countdown_target.py", COUNTDOWN_REWARD)
    rows = [{"prompt": "Make 24", "ground_truth": {"target": 24, "numbers": [6, 4]}}, {"prompt": "Make 7", "ground_truth": {"target": 7, "numbers": [3, 4]}}]
    data = write("countdown.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    checked = mcp.call("check_reward", reward=reward, examples_path=data, max_examples=5)
    assert checked["passed"] is True and checked["properties"]["gold_consistency"] == "skip"
    groups = [dict(row, completions=[str(row["ground_truth"]["target"]), "0"]) for row in rows]
    samples = write("countdown_groups.jsonl", "".join(json.dumps(group) + "\n" for group in groups))
    report = mcp.call("hygiene_report", samples_path=samples, reward=reward, score_range=[0, 1])
    assert report["num_groups"] == 2 and report["reward_mean"] == 0.5 and report["no_signal_fraction"] == 0.0
    summary = mcp.call("preflight", reward=reward, data_path=data, samples_path=samples, max_examples=5)
    result = json.loads(Path(summary["outputs"]["json"]).read_text())
    assert summary["items_by_severity"]["error"] == 0, result["items"]
    assert result["probes"]["skipped"] == 2 and result["report"]["num_groups"] == 2


def test_bad_paths_and_broken_rewards_are_tool_errors_and_the_server_keeps_serving(mcp, write):
    missing = str(GSM8K / "missing.jsonl")
    assert f"input_path {missing}: No such file or directory" in mcp.error("grade", reward=REWARD, input_path=missing)
    broken = write("broken.py", BROKEN)
    for tool, arguments in (
        ("lint_reward", {}),
        ("grade", {"input_path": str(GSM8K / "completions.jsonl")}),
        ("check_reward", {"max_examples": 5}),
    ):
        message = mcp.error(tool, reward=broken, **arguments)
        assert f"{broken}:3: " in message and "syntax" in message.lower(), (tool, message)
    assert f"{GSM8K / 'missing.py'}: no such reward file" in mcp.error("lint_reward", reward=str(GSM8K / "missing.py"))
    assert "max_examples" in mcp.error("check_reward", reward=REWARD, max_examples=0)
    assert mcp.call("lint_reward", reward=REWARD)["findings"] == 0


def test_every_call_writes_a_new_numbered_folder(mcp):
    first = Path(mcp.call("lint_reward", reward=REWARD)["outputs"]["json"]).parent
    second = Path(mcp.call("lint_reward", reward=REWARD)["outputs"]["json"]).parent
    assert first.parent == second.parent == mcp.outputs
    assert int(second.name[:4]) == int(first.name[:4]) + 1 and second.name.endswith("-lint")


def test_the_tools_are_plain_methods_too(tmp_path):
    tools = Tools(Outputs(str(tmp_path / "outputs")), {"workers": 2})
    summary = tools.grade(REWARD, str(GSM8K / "completions.jsonl"))
    assert summary.status_counts == {"ok": 300}
    assert Path(summary.outputs["graded"]) == tmp_path / "outputs" / "0001-grade" / "graded.jsonl"


def test_grade_takes_a_reward_in_verl_s_signature(mcp, write):
    reward = write("verl_reward.py", "def compute_score(data_source, solution_str, ground_truth, extra_info=None):\n    return {'score': float(solution_str.strip().endswith(str(ground_truth))), 'long': float(len(solution_str) > 5)}\n")
    data = write("rows.jsonl", '{"completion": "so 72", "reward_model": {"ground_truth": "72"}, "data_source": "gsm8k"}\n{"completion": "so 70", "ground_truth": "72"}\n')
    summary = mcp.call("grade", reward=f"{reward}:compute_score", input_path=data)
    assert summary["status_counts"] == {"ok": 2} and summary["score_mean"] == 0.5
    assert [line["components"] for line in read_jsonl(summary["outputs"]["graded"])] == [{"long": 0.0}, {"long": 0.0}]
