"""The pytest plugin as a user meets it: the reward_grader fixture, ini/flag configuration, assertion messages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from check_helpers import ROOT, reward

pytest_plugins = ["pytester"]

USER_TESTS = '''
from hypothesis import given, settings
from rewardbox.graders import assert_ok, assert_score, correct_completions

CRASHING = "def compute_reward(completion, ground_truth):\\n    return 1 / 0\\n"
SLEEPY = "import time\\ndef compute_reward(completion, ground_truth):\\n    time.sleep(5)\\n"

def test_gold_answer(reward_grader):
    assert_score(reward_grader().grade("#### 42", "42"), 1.0)

@settings(max_examples=5, deadline=None)
@given(correct_completions("7"))
def test_every_format(reward_grader, completion):
    assert_score(reward_grader().grade(completion, "7"), 1.0)

def test_a_crash_is_shown(reward_grader):
    assert_score(reward_grader(CRASHING).grade("x", "1"), 1.0)

def test_a_timeout_is_shown(reward_grader):
    assert_ok(reward_grader(SLEEPY, timeout=0.3).grade("x", "1"))
'''


def copy_correct_reward(folder: Path, name: str) -> None:
    shutil.copy(reward("correct_last_number"), folder / name)
    shutil.copy(reward("_final_answer"), folder)


def test_fixture_loads_the_ini_reward_and_failures_show_status_and_error(pytester):
    copy_correct_reward(pytester.path, "reward.py")
    pytester.makeini("[pytest]\nrewardbox_reward = reward.py\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: score 0.0, expected 1.0; status=exception error=Traceback (most recent call last):",
            "E       ZeroDivisionError: division by zero",
            "test_user.py:16: AssertionError",  # the user's line: the helper hides its own frame
            "E       AssertionError: expected status ok; status=timeout error=the call exceeded the timeout of 0.3 s and was killed",
        ]
    )


def test_the_command_line_flag_wins_over_the_ini_option(pytester):
    copy_correct_reward(pytester.path, "good.py")
    pytester.makeini("[pytest]\nrewardbox_reward = missing.py\n")
    pytester.makepyfile(
        test_user="from rewardbox.graders import assert_score\n"
        "def test_it(reward_grader):\n    assert_score(reward_grader().grade('#### 3', '3'), 1.0)\n"
    )
    pytester.runpytest("-p", "no:cacheprovider", "--rewardbox-reward", str(pytester.path / "good.py")).assert_outcomes(passed=1)


def test_without_a_configured_reward_the_fixture_says_what_to_do(pytester):
    pytester.makepyfile(test_user="def test_it(reward_grader):\n    reward_grader()\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*reward_grader() needs a reward: pass one (reward_grader('reward.py')), or set --rewardbox-reward or the ini option rewardbox_reward*"])


def test_the_plugin_is_registered_and_cheap_for_projects_that_do_not_use_it(pytester):
    pytester.makepyfile(test_plain="def test_it():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--trace-config")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*rewardbox*pytest_plugin*"])
    code = "import sys, rewardbox.graders.pytest_plugin; print(sorted(m for m in ('pydantic', 'hypothesis', 'rewardbox.graders.runtime.grader') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_the_bundled_example_of_a_users_tests_passes(tmp_path):
    example = tmp_path / "testing_your_reward"
    shutil.copytree(ROOT / "examples" / "testing_your_reward", example)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=example, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.stdout.strip().splitlines()[-1].startswith("13 passed")
