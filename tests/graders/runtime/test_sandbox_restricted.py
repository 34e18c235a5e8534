"""``Grader(..., restricted=True)``: RestrictedPython compilation and guards as an extra layer inside the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rewardbox.graders import RewardLoadError, Status
from rewardbox.runner.cli import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gsm8k" / "reward.py"
PLAIN = r'''
import re
from fractions import Fraction

ANSWER = re.compile(r"#### (-?\d+)")


def last_answer(text):
    found = ANSWER.findall(text)
    return found[-1] if found else None


def compute_reward(completion, ground_truth):
    words = {}
    for word in completion.split():
        words[word] = words.get(word, 0) + 1
    total = 0
    total += len(words)
    print("distinct words:", total)
    answer = last_answer(completion)
    return 1.0 if answer is not None and Fraction(answer) == Fraction(ground_truth) else 0.0
'''
PROBES = r'''
import fractions
import string


def compute_reward(completion, ground_truth):
    if completion == "module":
        return fractions.sys.modules["os"].system("true")
    if completion == "formatter":
        return string.Formatter().format("{0.__class__}", 1)
    if completion == "format":
        return "{0.__class__}".format(1)
    if completion == "getattr":
        return getattr(1, "__class__")
    if completion == "write":
        fractions.Fraction = None
    return 1.0
'''


def test_a_plain_reward_scores_as_without_restrictions(make_grader):
    grader = make_grader(PLAIN, restricted=True, workers=1)
    right, wrong = grader.grade_batch([("so #### 12 no, #### 42", "42"), ("#### 41", "42")])
    assert (right.status, right.score, right.stdout) == (Status.ok, 1.0, "distinct words: 5\n")
    assert (wrong.status, wrong.score) == (Status.ok, 0.0)
    assert grader.summary()["restricted"] is True


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("import os\n\ndef compute_reward(c, g):\n    return 1.0\n", 1, "ImportError: import of 'os' is not allowed with restricted=True"),
        ("def compute_reward(c, g):\n    return len(().__class__.__bases__)\n", 2, 'RestrictedPython rejects this reward: "__bases__" is an invalid attribute name'),
        ("def compute_reward(c, g):\n    return __import__('os').system('true')\n", 2, 'RestrictedPython rejects this reward: "__import__" is an invalid variable name'),
        ("def compute_reward(c, g):\n    return eval(c)\n", 2, "RestrictedPython rejects this reward: Eval calls are not allowed."),
    ],
)
def test_rejected_rewards_fail_to_load_naming_the_line(make_grader, source, line, message):
    with pytest.raises(RewardLoadError) as info:
        make_grader(source, restricted=True, workers=1)
    assert info.value.line == line
    assert message in str(info.value)


def test_the_example_reward_is_rejected_for_its_private_helpers(make_grader):
    with pytest.raises(RewardLoadError) as info:
        make_grader(str(EXAMPLE), restricted=True, workers=1)
    assert (info.value.path, info.value.line) == (str(EXAMPLE), 27)
    assert '"_NUMBER" is an invalid variable name because it starts with "_"' in str(info.value)
    assert "more: `rewardbox lint --restricted` lists them" in str(info.value)


def test_guards_stop_escapes_at_call_time(make_grader):
    grader = make_grader(PROBES, restricted=True, workers=1)
    results = grader.grade_batch([(probe, "") for probe in ("module", "formatter", "format", "getattr", "write", "fine")])
    errors = [r.error.strip().splitlines()[-1] if r.error else None for r in results]
    assert [r.status for r in results] == [Status.exception] * 5 + [Status.ok]
    assert errors[:5] == [
        "AttributeError: module 'fractions' has no attribute 'sys'",
        "AttributeError: module 'string' has no attribute 'Formatter'",
        "NotImplementedError: Using the format*() methods of `str` is not safe",
        "NameError: name 'getattr' is not defined",
        "TypeError: attribute-less object (assign or del)",
    ]


def test_restricted_needs_a_file_or_source(make_grader):
    with pytest.raises(ValueError, match="restricted=True applies to .py files and source code, not to 'library:math'"):
        make_grader("library:math", restricted=True)


def test_grade_command_takes_restricted(tmp_path, capsys):
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"completion": "#### 42", "ground_truth": "42"}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["grade", str(EXAMPLE), "-i", str(data), "-o", str(out), "--restricted", "--workers", "1"]) == 2
    assert f"{EXAMPLE}:27: RestrictedPython rejects this reward" in capsys.readouterr().err
    reward = tmp_path / "plain.py"
    reward.write_text(PLAIN)
    assert main(["grade", str(reward), "-i", str(data), "-o", str(out), "--restricted", "--workers", "1"]) == 0
    assert json.loads(out.read_text())["score"] == 1.0
