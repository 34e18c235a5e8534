"""Rows as datasets carry them: any JSON ground truth, extra fields by name, bad rows as ``invalid_input``.

Every test runs the reward in the real sandbox.
"""

from __future__ import annotations

import asyncio
import collections
import json
from pathlib import Path

import pytest
from rewardbox.graders import Grader, RewardLoadError, Status
from rewardbox.graders.runtime.binding import MAX_ROW_BYTES
from rewardbox.runner.cli import main

COUNTDOWN = '''
def compute_reward(completion, ground_truth):
    """Countdown: ground_truth = {"target": int, "numbers": [int, ...]}."""
    expression = completion.strip()
    used = sorted(int(token) for token in expression.replace("*", " ").replace("+", " ").replace("-", " ").split())
    if used != sorted(ground_truth["numbers"]):
        return 0.0
    return 1.0 if eval(expression, {"__builtins__": {}}) == ground_truth["target"] else 0.0
'''

ECHO_TYPE = '''
import json

def compute_reward(completion, ground_truth):
    """1.0 when the completion is the JSON text of the ground truth it was given, with its type."""
    return 1.0 if completion == json.dumps([type(ground_truth).__name__, ground_truth]) else 0.0
'''

WITH_FIELDS = '''
def compute_reward(completion, ground_truth, data_source, extra_info=None):
    bonus = 0.5 if (extra_info or {}).get("hard") else 0.0
    return (1.0 if data_source == "gsm8k" and completion == str(ground_truth) else 0.0) + bonus
'''

ANY_FIELD = '''
def compute_reward(completion, **row):
    """Every other field as a keyword (the ground truth too)."""
    return float(len(row)) + (1.0 if row.get("ground_truth") is None else 0.0)
'''

FORMAT_ONLY = '''
import re

def compute_reward(completion):
    return 1.0 if re.fullmatch(r"<think>.*</think>\\s*<answer>.*</answer>", completion, re.S) else 0.0
'''


def reward_file(tmp_path: Path, text: str, name: str = "reward.py") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def echo(value: object) -> str:
    return json.dumps([type(value).__name__, value])


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    "ground_truth",
    [{"target": 24, "numbers": [6, 4]}, [1, "two", None], 42, 2.5, True, False, "42", None, {"nested": {"deep": [[1], {"a": None}]}}],
    ids=lambda value: type(value).__name__,
)
def test_any_json_ground_truth_reaches_the_reward_unchanged(tmp_path, ground_truth):
    with Grader(reward_file(tmp_path, ECHO_TYPE), workers=1) as grader:
        result = grader.grade(echo(ground_truth), ground_truth)
        assert (result.status, result.score) == (Status.ok, 1.0), result.error
        # and a different value of the same shape does not match: the reward really saw this one
        assert grader.grade(echo([ground_truth]), ground_truth).score == 0.0


def test_countdown_dict_ground_truth_through_batch_stream_and_async(tmp_path):
    rows = [
        {"completion": "6 * 4", "ground_truth": {"target": 24, "numbers": [4, 6]}},
        {"completion": "6 + 4", "ground_truth": {"target": 24, "numbers": [4, 6]}},
        {"completion": "3 * 8", "ground_truth": {"target": 24, "numbers": [8, 3]}},
    ]
    with Grader(reward_file(tmp_path, COUNTDOWN), workers=2) as grader:
        assert [r.score for r in grader.grade_batch(rows)] == [1.0, 0.0, 1.0]
        assert [r.score for r in grader.iter_ordered(iter(rows))] == [1.0, 0.0, 1.0]
        assert sorted((i, r.score) for i, r in grader.iter_results(rows)) == [(0, 1.0), (1, 0.0), (2, 1.0)]
        assert [r.score for r in asyncio.run(grader.agrade_batch(rows))] == [1.0, 0.0, 1.0]
        assert grader.grade("6 * 4", {"target": 24, "numbers": [6, 4]}).score == 1.0


def test_python_values_that_are_json_in_spirit_arrive_as_plain_json(tmp_path):
    numpy = pytest.importorskip("numpy")
    with Grader(reward_file(tmp_path, ECHO_TYPE), workers=1) as grader:
        assert grader.grade(echo({"a": 3}), collections.OrderedDict(a=3)).score == 1.0
        assert grader.grade(echo(3), numpy.int64(3)).score == 1.0
        assert grader.grade(echo([1.5, 2.0]), numpy.array([1.5, 2.0])).score == 1.0
        assert grader.grade(echo([1, 2]), (1, 2)).score == 0.0  # a tuple stays a tuple: echo says "tuple"
        assert grader.grade(json.dumps(["tuple", [1, 2]]), (1, 2)).score == 1.0


def test_rows_that_cannot_be_graded_are_invalid_input_and_the_rest_still_grade(tmp_path):
    rows = [
        {"completion": "7", "ground_truth": 7},
        {"completion": "7", "ground_truth": {1: "int key"}},
        {"completion": "7", "ground_truth": object()},
        {"completion": 7, "ground_truth": 7},
        {"ground_truth": 7},
        ("7", {1, 2}),
        42,
        {"completion": "x" * 10, "ground_truth": "y" * (MAX_ROW_BYTES + 1)},
        {"completion": "7", "ground_truth": 7},
    ]
    with Grader(reward_file(tmp_path, "def compute_reward(c, g):\n    return float(c == str(g))\n"), workers=2, failure_score=-1.0) as grader:
        results = grader.grade_batch(rows)
    assert [r.status.value for r in results] == ["ok"] + ["invalid_input"] * 7 + ["ok"]
    assert [r.score for r in results] == [1.0] + [-1.0] * 7 + [1.0]
    errors = [r.error for r in results[1:-1]]
    assert "JSON object keys are strings" in errors[0]
    assert "of type object, not a JSON value" in errors[1]
    assert "'completion' is int, expected a string" in errors[2]
    assert "'completion' is missing" in errors[3]
    assert "of type set" in errors[4]
    assert "got int" in errors[5]
    assert f"over the limit of {MAX_ROW_BYTES} bytes (16 MiB)" in errors[6]


def test_extra_fields_reach_the_reward_by_name(tmp_path):
    rows = [
        {"completion": "7", "ground_truth": 7, "data_source": "gsm8k", "extra_info": {"hard": True}, "prompt": "ignored"},
        {"completion": "7", "ground_truth": 7, "data_source": "math"},
        {"completion": "7", "ground_truth": 7},  # no data_source: the reward requires it
    ]
    with Grader(reward_file(tmp_path, WITH_FIELDS), workers=2) as grader:
        assert grader.binding.fields == ("data_source", "extra_info") and grader.binding.required == ("data_source",)
        results = grader.grade_batch(rows)
        assert [(r.status.value, r.score) for r in results[:2]] == [("ok", 1.5), ("ok", 0.0)]
        assert results[2].status is Status.invalid_input
        assert "no 'data_source' field, which compute_reward(completion, ground_truth, data_source, extra_info=None) requires" in results[2].error
        assert grader.grade("7", 7, data_source="gsm8k").score == 1.0


def test_kwargs_reward_gets_every_other_field_and_a_format_reward_needs_no_ground_truth(tmp_path):
    with Grader(reward_file(tmp_path, ANY_FIELD), workers=1) as grader:
        # ground_truth, prompt, id; the ground truth is absent, so None (+1)
        assert grader.grade_batch([{"completion": "c", "prompt": "p", "id": 3}])[0].score == 4.0
        assert grader.grade("c", "gold").score == 1.0
    with Grader(reward_file(tmp_path, FORMAT_ONLY), workers=1) as grader:
        good, bad = "<think>x</think> <answer>4</answer>", "4"
        assert [r.score for r in grader.grade_batch([{"completion": good}, {"completion": bad, "ground_truth": None}, (good, "ignored")])] == [1.0, 0.0, 1.0]


def test_a_parameter_no_row_can_fill_is_a_load_error(tmp_path):
    path = reward_file(tmp_path, "\n\ndef compute_reward(completion, ground_truth, scale, /):\n    return 1.0\n")
    with pytest.raises(RewardLoadError) as caught:
        Grader(path, workers=1)
    assert f"{path}:3:" in str(caught.value)
    assert "positional-only parameter 'scale' can never be filled from a row" in str(caught.value)


def test_grade_cli_echoes_structured_ground_truths_and_fields(tmp_path):
    rows = [
        {"id": 1, "completion": "6 * 4", "ground_truth": {"target": 24, "numbers": [4, 6]}},
        {"id": 2, "completion": "6 + 4", "ground_truth": {"target": 24, "numbers": [4, 6]}},
        {"id": 3, "completion": "6 * 4"},  # no ground truth: this reward fails on None
    ]
    data, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    assert main(["grade", reward_file(tmp_path, COUNTDOWN), "-i", str(data), "-o", str(out), "--stop-after-failed-batches", "0"]) == 0
    records = read_jsonl(out)
    assert [r["ground_truth"] for r in records[:2]] == [rows[0]["ground_truth"], rows[1]["ground_truth"]]
    assert "ground_truth" not in records[2]
    assert [(r["id"], r["status"], r["score"]) for r in records] == [(1, "ok", 1.0), (2, "ok", 0.0), (3, "exception", 0.0)]
    assert "TypeError" in records[2]["error"]


def test_grade_cli_marks_a_row_missing_a_required_field_with_its_line(tmp_path, capsys):
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": "7", "ground_truth": 7, "data_source": "gsm8k"}, {"completion": "7", "ground_truth": 7}])
    out = tmp_path / "out.jsonl"
    assert main(["grade", reward_file(tmp_path, WITH_FIELDS), "-i", str(data), "-o", str(out)]) == 1
    records = read_jsonl(out)
    assert [r["status"] for r in records] == ["ok", "invalid_input"]
    assert records[1]["line"] == 2 and records[1]["error"].startswith("line 2: the row has no 'data_source' field")
    assert f"{data}:2: the row has no 'data_source' field" in capsys.readouterr().err


def test_grade_stops_loudly_when_the_reward_fails_on_every_line(tmp_path, capsys):
    reward = reward_file(tmp_path, "def compute_reward(completion, ground_truth):\n    return ground_truth['target'] == 1\n")
    data = write_jsonl(tmp_path / "in.jsonl", [{"completion": "x", "ground_truth": str(i)} for i in range(450)])
    out = tmp_path / "out.jsonl"
    assert main(["grade", reward, "-i", str(data), "-o", str(out), "--calls-per-process", "50"]) == 3
    err = capsys.readouterr().err
    assert "every item of a batch of reward" in err and "failed with status exception" in err  # said at once, with the traceback
    assert "TypeError: string indices must be integers" in err and "Traceback" in err
    assert "3 batches in a row" in err and "stopped: 300 of 450 lines written" in err
    assert len(read_jsonl(out)) == 300
    # with the stop off it grades every line, and still says so once
    assert main(["grade", reward, "-i", str(data), "-o", str(out), "--calls-per-process", "50", "--stop-after-failed-batches", "0"]) == 0
    err = capsys.readouterr().err
    assert err.count("every item of a batch") == 1 and "not stopping" in err
    assert len(read_jsonl(out)) == 450
