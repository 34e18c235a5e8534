"""Exporting a reward as an OpenAI python grader: the source runs as OpenAI runs it, and what cannot run there is refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rewardbox.graders.adapters import ExportError, export_openai_grader
from rewardbox.runner.cli import main

GSM8K = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "gsm8k", "reward.py")


def run_exported(source: str, sample: dict, item: dict) -> float:
    """Run the exported grader in a fresh interpreter, as a separate file, the way the grader image does."""
    program = f"{source}\nprint(grade({sample!r}, {item!r}))\n"
    done = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return float(done.stdout)


def test_exported_gsm8k_reward_grades_samples_like_the_reward():
    source = export_openai_grader(GSM8K, answer_field="answer")
    assert source.count("def grade(") == 1
    assert run_exported(source, {"output_text": "so 6*7 = 42\n#### 42"}, {"answer": 42}) == 1.0
    assert run_exported(source, {"output_text": "#### 41"}, {"answer": "42"}) == 0.0


def test_exported_grader_passes_structured_answers_as_they_are_and_the_fields_the_reward_names():
    code = (
        "def compute_reward(completion: str, ground_truth: dict, difficulty: int = 1) -> float:\n"
        "    return float(eval(completion) == ground_truth['target']) * difficulty\n"
    )
    source = export_openai_grader(code)
    item = {"ground_truth": {"target": 24, "numbers": [6, 4]}, "difficulty": 3, "prompt": "make 24"}
    assert run_exported(source, {"output_text": "6 * 4"}, item) == 3.0
    assert run_exported(source, {"output_text": "6 + 4"}, item) == 0.0
    no_truth = export_openai_grader("def compute_reward(completion, **row):\n    return float(row['ground_truth'] is None and completion == row['hint'])\n")
    assert run_exported(no_truth, {"output_text": "x"}, {"hint": "x"}) == 1.0
    with pytest.raises(ExportError, match="positional-only parameter 'scale' can never be filled"):
        export_openai_grader("def compute_reward(c, g, scale, /):\n    return 1.0\n")


@pytest.mark.parametrize(
    "code, reason",
    [
        ("import math_verify\ndef compute_reward(c, g):\n    return 1.0\n", r"<code>:1: imports 'math_verify'"),
        ("def compute_reward(c, g):\n    from . import helper\n    return 1.0\n", r"<code>:2: a relative import"),
        ("def score(c, g):\n    return 1.0\n", "no top-level function 'compute_reward'"),
        ("def grade(s, i):\n    return 0.0\ndef compute_reward(c, g):\n    return 1.0\n", "its own top-level 'grade'"),
        ("X = '" + "x" * 300_000 + "'\ndef compute_reward(c, g):\n    return 1.0\n", "at most 256000"),
    ],
)
def test_rewards_that_cannot_run_in_the_grader_image_are_refused_with_the_reason(code, reason):
    with pytest.raises(ExportError, match=reason):
        export_openai_grader(code)


def test_library_rewards_are_refused():
    with pytest.raises(ExportError, match="library reward cannot be exported"):
        export_openai_grader("library:math")


def test_cli_writes_the_grader_or_says_why_not(tmp_path, capsys):
    out = tmp_path / "grader.py"
    assert main(["export-openai", GSM8K, "-o", str(out)]) == 0
    assert "def grade(sample: dict, item: dict) -> float:" in out.read_text()
    bad = tmp_path / "bad.py"
    bad.write_text("import requests\ndef compute_reward(c, g):\n    return 1.0\n")
    assert main(["export-openai", str(bad)]) == 1
    assert f"{bad}:1: imports 'requests'" in capsys.readouterr().err
    assert main(["export-openai", str(tmp_path / "missing.py")]) == 2
