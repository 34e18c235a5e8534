"""The import paths users write keep working after graders/ was grouped into sub-packages (issue 16)."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import rewardbox.graders as graders


def test_every_name_rewardbox_graders_exports_resolves():
    for name in graders.__all__:
        assert getattr(graders, name) is not None, name


def test_the_paths_users_import_from():
    from rewardbox.graders import Grader, GradeResult, Scores, Status
    from rewardbox.graders.adapters import TRLReward
    from rewardbox.graders.checks import CheckReport, run_checks
    from rewardbox.graders.hygiene import HygieneReport, SampleGroup, build_report
    from rewardbox.graders.hygiene.recommendations import RULES, Recommendation
    from rewardbox.graders.lint import lint_source

    assert Grader.__module__ == "rewardbox.graders.runtime.grader"
    assert {GradeResult, Scores, Status, TRLReward, CheckReport, run_checks, HygieneReport, SampleGroup, build_report, lint_source}
    assert Recommendation is importlib.import_module("rewardbox.graders.hygiene").Recommendation and RULES


def test_the_pytest_plugin_entry_point_loads():
    (entry,) = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "rewardbox"]
    assert entry.value == "rewardbox.graders.pytest_plugin"
    plugin = entry.load()
    assert callable(plugin.assert_score) and callable(plugin.assert_ok)


def test_checks_and_hygiene_reports_load_without_hypothesis():
    code = (
        "import sys\n"
        "from rewardbox.graders.checks import CheckReport\n"
        "from rewardbox.graders.checks.probes import ANSWER_FORMATS\n"
        "print('hypothesis' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stdout + done.stderr
