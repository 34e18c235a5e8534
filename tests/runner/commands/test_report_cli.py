"""``rewardbox report`` as a user runs it: stored scores, grading in the sandbox, disagreements, bad lines, formats."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from rewardbox.runner.cli import main

from hygiene_samples import constant, group, healthy, write_jsonl

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gsm8k"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def gsm8k_reward():
    spec = importlib.util.spec_from_file_location("gsm8k_reward", EXAMPLE / "reward.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compute_reward


def gsm8k_groups() -> list[dict]:
    return [json.loads(line) for line in (EXAMPLE / "groups.jsonl").read_text().splitlines()]


def json_report(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(["report", *argv, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_stored_scores_give_the_figures_and_recommendations(tmp_path, capsys):
    samples = write_jsonl(tmp_path / "samples.jsonl", constant(0.0, 4, stop_reasons=["length"] * 4) + constant(0.0, 8) + healthy(8))
    code, report, _ = json_report(capsys, str(samples))
    assert code == 0
    assert (report["num_groups"], report["num_completions"], report["group_size"]) == (20, 80, 4)
    assert (report["all_min_fraction"], report["truncation_fraction"], report["score_source"]) == (12 / 20, 16 / 80, "stored")
    assert [item["code"] for item in report["recommendations"]] == ["mostly_all_min", "truncation"]
    assert report["malformed_lines"] == []


def test_the_bundled_gsm8k_groups_graded_in_the_sandbox(tmp_path, capsys):
    groups = gsm8k_groups()
    out = tmp_path / "report.json"
    assert main(["report", str(EXAMPLE / "groups.jsonl"), "--reward", str(EXAMPLE / "reward.py"), "--workers", "2", "-o", str(out)]) == 0
    report = json.loads(out.read_text())
    truncated = sum(reason == "length" for g in groups for reason in g["stop_reasons"])
    empty = sum(not text.strip() for g in groups for text in g["completions"])
    assert (report["num_groups"], report["num_completions"], report["group_size"]) == (60, 300, 5)
    assert report["reward_mean"] == pytest.approx(162 / 300)  # the example's README: 162 of 300 score 1.0
    assert (report["all_max_fraction"], report["all_min_fraction"]) == (10 / 60, 8 / 60)  # 10 all correct, 8 all wrong
    assert report["no_signal_fraction"] == 18 / 60 and report["other_constant_fraction"] == 0
    assert report["status_counts"]["ok"] == 300 and report["error_fraction"] == 0
    assert report["truncation_fraction"] == truncated / 300 and report["truncated_mean_score"] == 0.0
    assert report["empty_completion_fraction"] == empty / 300
    assert (report["distinct_values"], report["length_unit"], report["score_source"]) == (2, "tokens", "fresh")
    assert report["latency_ms"]["count"] == 300 and report["disagreement"] is None
    assert {item["code"] for item in report["recommendations"]} == {"truncation", "length_reward_correlation", "few_distinct_values"}


def test_stored_scores_that_a_fresh_grading_changes_are_listed(tmp_path, capsys):
    reward = gsm8k_reward()
    groups = gsm8k_groups()
    for g in groups:
        g["scores"] = [reward(text, g["ground_truth"]) for text in g["completions"]]
    flipped = [(2, 1), (10, 0), (41, 4)]  # (group index, completion index)
    for index, position in flipped:
        groups[index]["scores"][position] = 1.0 - groups[index]["scores"][position]
    samples = write_jsonl(tmp_path / "stored.jsonl", groups)
    code, report, _ = json_report(capsys, str(samples), "--reward", str(EXAMPLE / "reward.py"), "--workers", "2")
    assert code == 0
    found = report["disagreement"]
    assert (found["compared"], found["changed"]) == (300, 3)
    assert [(e["group"], e["completion"], e["stored"] != e["fresh"]) for e in found["examples"]] == [
        (f"{samples}:{index + 1}", position, True) for index, position in flipped
    ]
    assert report["reward_mean"] == pytest.approx(162 / 300)  # the figures use the fresh scores
    assert report["recommendations"][0]["code"] == "scores_changed"
    assert report["recommendations"][0]["severity"] == "error"


def test_malformed_lines_are_reported_with_their_numbers(tmp_path, capsys):
    good = healthy(1)[0]
    samples = write_jsonl(
        tmp_path / "samples.jsonl",
        [
            good,
            "{not json",
            {"prompt": "p", "ground_truth": "1", "completions": ["a", "b", "c", "d"], "scores": [0, 1, 0]},
            {"prompt": "p", "completions": ["a"], "scores": [1]},
            '{"prompt": "p", "ground_truth": "1", "completions": ["a", "b"], "scores": [0.5, NaN]}',
            "[1, 2]",
            "",
            good,
        ],
    )
    code, report, err = json_report(capsys, str(samples))
    assert code == 1
    assert report["num_groups"] == 3  # line 4 has no ground truth: a group of a reward that takes none
    assert [(m["line"], m["error"]) for m in report["malformed_lines"]] == [
        (2, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (3, "'scores' has 3 entries but 'completions' has 4"),
        (5, "'scores'[1]: Input should be a finite number"),
        (6, "expected a JSON object, got list"),
    ]
    for line in (2, 3, 5, 6):
        assert f"{samples}:{line}: " in err


def test_every_line_malformed_writes_no_report(tmp_path, capsys):
    samples = write_jsonl(tmp_path / "samples.jsonl", ["{oops", "42"])
    assert main(["report", str(samples)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "nothing to report" in captured.err


def test_usage_errors_exit_2_naming_the_culprit(tmp_path, capsys):
    unscored = write_jsonl(tmp_path / "unscored.jsonl", [*healthy(2), {"prompt": "p", "ground_truth": "1", "completions": ["a"]}])
    for argv, message in [
        ([str(unscored)], f"{unscored}:3: no 'scores' and no --reward to grade with"),
        ([str(write_jsonl(tmp_path / "empty.jsonl", []))], "holds no sample groups"),
        ([str(tmp_path / "missing.jsonl")], "missing.jsonl: No such file or directory"),
        ([str(unscored), "--range", "1,1"], "--range '1,1': LO must be below HI"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(["report", *argv])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


def test_a_reward_that_cannot_load_exits_2_with_file_and_line(tmp_path, capsys):
    reward = tmp_path / "broken.py"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return (\n")
    samples = write_jsonl(tmp_path / "samples.jsonl", healthy(1))
    assert main(["report", str(samples), "--reward", str(reward)]) == 2
    assert f"rewardbox report: cannot load the reward: {reward}:2:" in capsys.readouterr().err


def test_range_flag_sets_all_min_and_all_max(tmp_path, capsys):
    samples = write_jsonl(tmp_path / "judge.jsonl", constant(1.0, 3) + constant(5.0, 1) + [group([1.0, 2.0, 4.0, 5.0])])
    code, report, _ = json_report(capsys, str(samples), "--range", "1,5")
    assert code == 0
    assert (report["score_range"], report["score_range_source"]) == ([1.0, 5.0], "given")
    assert (report["all_min_fraction"], report["all_max_fraction"]) == (3 / 5, 1 / 5)


def test_every_format_renders(tmp_path, capsys):
    samples = write_jsonl(tmp_path / "steps.jsonl", constant(0.0, 6, step=0) + healthy(4, step=0) + constant(0.0, 2, step=1) + healthy(8, step=1))

    assert main(["report", str(samples)]) == 0
    text = capsys.readouterr().out
    assert "Reward hygiene report" in text and "ALL-min (all 0)" in text and "40.0%" in text and "per step" in text

    markdown = tmp_path / "out" / "report.md"
    markdown.parent.mkdir()
    assert main(["report", str(samples), "-o", str(markdown)]) == 0
    body = markdown.read_text()
    images = ["score_histogram", "group_spread", "group_outcomes", "steps"]
    for name in images:
        assert f"](report_plots/{name}.png)" in body
        assert (markdown.parent / "report_plots" / f"{name}.png").read_bytes().startswith(PNG_MAGIC)
    assert "| ALL-min (all 0) | 40.0% |" in body and "## Per step" in body

    assert main(["report", str(samples), "--format", "md"]) == 0
    assert capsys.readouterr().out.count("](data:image/png;base64,") == len(images)

    page = tmp_path / "report.html"
    assert main(["report", str(samples), "-o", str(page)]) == 0
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count('src="data:image/png;base64,') == len(images)
    assert "http" not in html  # one self-contained file
    assert "<th>ALL-min (all 0)</th><td>40.0%</td>" in html

    flat = write_jsonl(tmp_path / "flat.jsonl", healthy(3))
    assert main(["report", str(flat), "--format", "html", "-o", str(page)]) == 0
    assert page.read_text().count("data:image/png") == 3  # no steps: no trend plot
    assert "No problems found" in page.read_text()


COMPONENT_REWARD = '''
from rewardbox.graders.runtime.frames import record_components

def compute_reward(completion, ground_truth):
    if completion == "no":
        raise ValueError("cannot parse")
    correct = float(completion == ground_truth)
    record_components({"format": 1.0, "correct": correct})
    return correct
'''


def test_grading_here_counts_statuses_and_summarises_components(tmp_path, capsys):
    lines = [{"prompt": "p", "ground_truth": "42", "completions": ["42", "41", "42", "no"]} for _ in range(5)]
    samples = write_jsonl(tmp_path / "samples.jsonl", lines)
    code, report, _ = json_report(capsys, str(samples), "--reward", COMPONENT_REWARD, "--workers", "2")
    assert code == 0
    assert (report["status_counts"]["ok"], report["status_counts"]["exception"], report["error_fraction"]) == (15, 5, 5 / 20)
    assert report["components"]["format"] == {"count": 15, "mean": 1.0, "std": 0.0, "no_signal_fraction": 1.0}
    assert report["components"]["correct"]["mean"] == 10 / 15
    assert [item["code"] for item in report["recommendations"]] == ["reward_errors", "component_without_signal"]
    assert report["recommendations"][0]["finding"] == "25% of graded completions failed (exception 5)"


def test_plots_without_matplotlib_say_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes ``import matplotlib`` raise ImportError
    samples = write_jsonl(tmp_path / "samples.jsonl", healthy(2))
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(samples), "--format", "html", "--reward", "no_such_module:reward"])
    assert exit_info.value.code == 2
    assert "plots need matplotlib: pip install 'rewardbox[report]'" in capsys.readouterr().err
    assert main(["report", str(samples), "--format", "json"]) == 0


SOURCE_REWARD = """
def compute_reward(completion, ground_truth, data_source, **row):
    assert isinstance(ground_truth, dict) and row["prompt"].startswith("Make")
    return 1.0 if data_source == "countdown" and str(ground_truth["target"]) in completion else 0.0
"""


def test_graded_groups_pass_dict_ground_truths_and_the_lines_other_keys(tmp_path, capsys):
    reward = tmp_path / "by_source.py"
    reward.write_text(SOURCE_REWARD)
    samples = write_jsonl(tmp_path / "samples.jsonl", [
        {"prompt": "Make 24", "ground_truth": {"target": 24}, "data_source": "countdown", "completions": ["24", "25"]},
        {"prompt": "Make 10", "ground_truth": {"target": 10}, "data_source": "other", "completions": ["10", "10"]},
    ])
    code, report, _ = json_report(capsys, str(samples), "--reward", str(reward), "--workers", "2")
    assert report["num_groups"] == 2 and report["status_counts"]["ok"] == 4 and sum(report["status_counts"].values()) == 4
    assert report["reward_mean"] == pytest.approx(0.25) and report["all_min_fraction"] == pytest.approx(0.5)


def test_groups_without_a_ground_truth_for_a_reward_that_takes_one_are_a_usage_error(tmp_path, capsys):
    samples = write_jsonl(tmp_path / "samples.jsonl", [{"prompt": "p", "completions": ["a", "b"]}])
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(samples), "--reward", str(EXAMPLE / "reward.py")])
    assert exit_info.value.code == 2
    assert f"{samples}:1: no 'ground_truth', which compute_reward(" in capsys.readouterr().err
