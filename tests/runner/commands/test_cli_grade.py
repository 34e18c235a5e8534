"""``rewardbox grade`` and ``rewardbox doctor`` as a user runs them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rewardbox.graders import Grader
from rewardbox.runner.cli import main

from sandbox_helpers import IS_LINUX_ROOT, wait_for

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gsm8k"
SLOW_REWARD = """
import time

def compute_reward(completion, ground_truth):
    time.sleep(0.2)
    return 1.0 if completion == ground_truth else 0.0
"""


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_grades_the_bundled_example_in_input_order(tmp_path):
    out = tmp_path / "graded.jsonl"
    code = main(["grade", str(EXAMPLE / "reward.py"), "-i", str(EXAMPLE / "completions.jsonl"), "-o", str(out), "--workers", "2"])
    assert code == 0
    inputs = read_jsonl(EXAMPLE / "completions.jsonl")
    outputs = read_jsonl(out)
    assert [o["id"] for o in outputs] == [i["id"] for i in inputs]
    assert {o["status"] for o in outputs} == {"ok"}
    assert all(o["completion"] == i["completion"] for o, i in zip(outputs, inputs))
    assert 0 < sum(o["score"] for o in outputs) < len(outputs)


def test_malformed_lines_get_error_records_with_line_numbers(tmp_path, capsys):
    data = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"completion": "7", "ground_truth": "7"},
            "{not json",
            {"ground_truth": "7"},
            {"completion": 7, "ground_truth": "7"},
            "[1, 2]",
            {"completion": "8", "ground_truth": "7"},
        ],
    )
    out = tmp_path / "out.jsonl"
    reward = tmp_path / "reward.py"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return float(completion == ground_truth)\n")
    assert main(["grade", str(reward), "-i", str(data), "-o", str(out)]) == 1
    records = read_jsonl(out)
    assert [r["status"] for r in records] == ["ok", "invalid_input", "invalid_input", "invalid_input", "invalid_input", "ok"]
    assert [r["score"] for r in records] == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert [r.get("line") for r in records] == [None, 2, 3, 4, 5, None]
    assert "line 3: 'completion' is missing" in records[2]["error"]
    assert "line 4: 'completion' is int, expected a string" in records[3]["error"]
    assert f"{data}:2: not valid JSON" in capsys.readouterr().err


def test_a_reward_that_cannot_load_stops_with_file_and_line(tmp_path, capsys):
    reward = tmp_path / "broken.py"
    reward.write_text("import math\n\nimport sympyy_does_not_exist\n\ndef compute_reward(c, g):\n    return 1.0\n")
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": "1", "ground_truth": "1"}])
    out = tmp_path / "out.jsonl"
    assert main(["grade", str(reward), "-i", str(data), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{reward}:3:" in err
    assert "sympyy_does_not_exist" in err
    assert not out.exists() or out.read_text() == ""


def test_range_and_usage_errors(tmp_path, capsys):
    reward = tmp_path / "reward.py"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return float(completion)\n")
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": c, "ground_truth": ""} for c in ("0.5", "2", "-1")])
    out = tmp_path / "out.jsonl"
    assert main(["grade", str(reward), "-i", str(data), "-o", str(out), "--range", "0,1"]) == 0
    assert [(r["status"], r["score"]) for r in read_jsonl(out)] == [("ok", 0.5), ("invalid_return", 0.0), ("invalid_return", 0.0)]
    assert main(["grade", str(reward), "-i", str(data), "-o", str(out), "--range", "0,1", "--out-of-range", "clamp"]) == 0
    assert [r["score"] for r in read_jsonl(out)] == [0.5, 1.0, 0.0]
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", str(reward), "-i", str(data), "-o", str(out), "--range", "1,0"])
    assert exit_info.value.code == 2
    assert "--range '1,0': LO must be below HI" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["grade", str(reward), "-i", str(tmp_path / "missing.jsonl"), "-o", str(out)])
    assert "--input" in capsys.readouterr().err


def test_stdout_output(tmp_path, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": "a", "ground_truth": "a", "id": 1}])
    assert main(["grade", "def compute_reward(c, g):\n    return 1.0\n", "-i", str(data), "-o", "-"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == 1 and record["score"] == 1.0 and record["status"] == "ok"


def test_ctrl_c_leaves_valid_partial_output_and_no_process(tmp_path):
    reward = tmp_path / "slow.py"
    reward.write_text(SLOW_REWARD)
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": str(i), "ground_truth": str(i)} for i in range(200)])
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "rewardbox.runner.cli", "grade", str(reward), "-i", str(data), "-o", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wait_for(lambda: out.exists() and out.read_text().count("\n") >= 4, timeout=20.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130, err.decode()
    records = read_jsonl(out)
    assert 4 <= len(records) < 200
    assert [r["completion"] for r in records] == [str(i) for i in range(len(records))]
    assert all(r["status"] == "ok" and r["score"] == 1.0 for r in records)
    assert b"interrupted" in err


@pytest.mark.skipif(not IS_LINUX_ROOT, reason="the full set of layers is only promised on Linux as root here")
def test_doctor_reports_every_layer_active(capsys):
    assert main(["doctor", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [layer["name"] for layer in report["layers"]] == [
        "environment", "kill", "rlimits", "result_channel", "privileges", "network", "seccomp", "landlock",
    ]
    assert all(layer["active"] for layer in report["layers"])
    assert report["probe_call"] == "ok"


def test_doctor_minimal_names_what_is_missing(capsys):
    assert main(["doctor", "--isolation", "minimal", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    missing = {layer["name"]: layer["detail"] for layer in report["layers"] if not layer["active"]}
    assert set(missing) == {"privileges", "network", "seccomp", "landlock"}
    assert all("minimal" in why for why in missing.values())


def test_grade_imports_only_what_it_runs(tmp_path):
    """``rewardbox grade`` starts fast: no hypothesis, plotting, MCP SDK, checks, advice, pydantic, asyncio, or
    rich's progress bar when its stderr is not a terminal."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"completion": "#### 4", "ground_truth": "4"}) + "\n")
    script = (
        "import sys\n"
        "from rewardbox.runner.cli import main\n"
        f"code = main(['grade', {str(EXAMPLE / 'reward.py')!r}, '-i', {str(source)!r}, '-o', {str(tmp_path / 'out.jsonl')!r}])\n"
        "heavy = ('hypothesis', 'matplotlib', 'mcp', 'rewardbox.runner.commands.advise', 'rewardbox.graders.checks', 'rewardbox.runner.training.grpo',\n"
        "         'pydantic', 'asyncio', 'rich.progress')\n"
        "print(code, sorted({m if m.startswith(('rewardbox', 'rich')) else m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr


def test_iter_ordered_reads_no_further_than_its_window_ahead_of_the_caller():
    read: list[int] = []

    def items():
        for i in range(200):
            read.append(i)
            yield ("fine", str(i))

    with Grader("def compute_reward(completion, ground_truth):\n    return float(ground_truth)\n", workers=2) as grader:
        results = grader.iter_ordered(items(), window=10)
        assert next(results).score == 0.0
        time.sleep(0.5)  # the caller is slow: the grader waits for it instead of reading on
        assert len(read) <= 11, len(read)
        assert [result.score for result in results] == [float(i) for i in range(1, 200)]
    assert len(read) == 200
