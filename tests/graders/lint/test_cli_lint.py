"""``rewardbox lint`` as a user runs it: output lines, JSON, exit codes, rule selection, --restricted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rewardbox.runner.cli import main

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[2] / "examples" / "gsm8k" / "reward.py"
HEDGING = """import re


def compute_reward(completion, ground_truth):
    print(completion)
    match = re.search(r"<answer>(.*?)</answer>", completion)
    return float(ground_truth in completion)
"""


@pytest.fixture
def hedging(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hedging.py").write_text(HEDGING)
    return "hedging.py"


def test_text_output_is_one_ruff_style_line_per_finding_and_exit_1_on_an_error(hedging, capsys):
    assert main(["lint", hedging]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "hedging.py:5:5: RK140 `print` runs on every call: output is captured per call (bounded by output_mb) and floods in-process training logs",
        "hedging.py:6:13: RK121 `re.search(r\"<answer>(.*?)</answer>\", completion)` returns the first match: a completion that writes several answers is graded on its first (take the last: `re.findall(...)[-1]`)",
        "hedging.py:7:18: RK120 `ground_truth in completion` rewards any completion that contains the answer, hedges included",
    ]
    assert captured.err.strip() == "3 findings: 1 error, 1 warning, 1 info"


def test_json_output_lists_every_field(hedging, capsys):
    assert main(["lint", hedging, "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"], f["line"], f["col"]) for f in findings] == [
        ("RK140", "info", 5, 5), ("RK121", "warning", 6, 13), ("RK120", "error", 7, 18),
    ]
    assert set(findings[0]) == {"code", "severity", "path", "line", "col", "message"}
    assert findings[0]["path"] == "hedging.py"


def test_exit_0_when_only_warnings_or_nothing(hedging, capsys):
    assert main(["lint", hedging, "--ignore", "RK120"]) == 0
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["RK140", "RK121"]
    assert main(["lint", str(EXAMPLE)]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err.strip()) == ("", "no findings")


def test_select_takes_codes_and_prefixes(hedging, capsys):
    assert main(["lint", hedging, "--select", "RK12", "--ignore", "rk120"]) == 0
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["RK121"]
    assert main(["lint", hedging, "--select", "RK140, RK120"]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["RK140", "RK120"]


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_codes_are_usage_errors_naming_flag_and_code(hedging, capsys, flag):
    with pytest.raises(SystemExit) as info:
        main(["lint", hedging, flag, "RK120,XY1"])
    assert info.value.code == 2
    assert f"rewardbox lint: error: {flag}: unknown rule code 'XY1'" in capsys.readouterr().err


def test_load_errors_exit_2_naming_file_and_line(tmp_path, capsys):
    broken = tmp_path / "broken.py"
    broken.write_text("def compute_reward(completion, ground_truth):\n    return 1.0 +\n")
    assert main(["lint", str(broken)]) == 2
    assert f"{broken}:2: syntax error" in capsys.readouterr().err
    assert main(["lint", str(tmp_path / "missing.py")]) == 2
    assert "no such reward file" in capsys.readouterr().err


def test_restricted_reports_what_restricted_python_rejects(tmp_path, capsys):
    reward = tmp_path / "private.py"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return float(completion.__len__() == 1)\n")
    assert main(["lint", str(reward)]) == 0
    capsys.readouterr()
    assert main(["lint", str(reward), "--restricted", "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding == {
        "code": "RK190", "severity": "error", "path": str(reward), "line": 2, "col": 18,
        "message": 'RestrictedPython rejects this: "__len__" is an invalid attribute name because it starts with "_".',
    }


def test_library_rewards_are_not_linted(capsys):
    assert main(["lint", "library:math"]) == 0
    assert "one of rewardbox's own rewards" in capsys.readouterr().err
