"""``lint_source`` and ``lint_reward`` as rewardbox's other parts call them: specs, selection, locations, errors."""

from __future__ import annotations

import importlib.machinery
import re
import sys
from pathlib import Path

import pytest
from rewardbox.graders import RewardLoadError, RewardSource
from rewardbox.graders.lint import RULES, Finding, lint_reward, lint_source
from rewardbox.graders.lint.docs import rules_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CLEAN_REWARDS = sorted((HERE / "clean").glob("*.py")) + [ROOT / "examples" / "gsm8k" / "reward.py"]
CONTAINS = "def compute_reward(completion, ground_truth):\n    return float(ground_truth in completion)\n"


@pytest.mark.parametrize("path", CLEAN_REWARDS, ids=lambda p: p.name)
def test_correct_rewards_have_no_error_finding(path):
    findings = lint_reward(str(path))
    assert [str(f) for f in findings if f.severity == "error"] == []


def test_clean_rewards_warn_only_where_they_really_do_something_risky():
    found = {path.name: sorted({f.code for f in lint_reward(str(path))}) for path in CLEAN_REWARDS}
    assert found == {
        "format_reward.py": [],
        "math_verify_reward.py": [],
        "trl_boxed.py": [],
        "verl_gsm8k.py": ["RK110", "RK140"],  # verl prints one sample in 64, chosen with the global RNG
        "reward.py": [],
    }


def test_finding_renders_like_ruff_and_as_json():
    finding = lint_source(CONTAINS, "reward.py")[0]
    assert str(finding) == "reward.py:2:18: RK120 `ground_truth in completion` rewards any completion that contains the answer, hedges included"
    assert finding.model_dump() == {
        "code": "RK120", "severity": "error", "path": "reward.py", "line": 2, "col": 18,
        "message": "`ground_truth in completion` rewards any completion that contains the answer, hedges included",
    }


def test_columns_count_characters_not_bytes():
    source = 'def compute_reward(completion, ground_truth):\n    note = "é→"; ok = ground_truth in completion\n    return float(ok)\n'
    (finding,) = lint_source(source, select=["RK120"])
    assert (finding.line, finding.col) == (2, 23)  # 26 if the UTF-8 bytes of é→ were counted


def test_noqa_silences_one_line_by_code_or_entirely():
    source = (
        "import random\n\n"
        "def compute_reward(completion, ground_truth):\n"
        "    print(completion)  # noqa: RK140\n"
        "    print(ground_truth)  # noqa\n"
        "    noise = random.random()  # noqa: RK140\n"
        "    return float(ground_truth in completion) + noise\n"
    )
    assert [(f.line, f.code) for f in lint_source(source)] == [(6, "RK110"), (7, "RK120")]


def test_select_and_ignore_take_codes_and_prefixes():
    source = "import random\n\ndef compute_reward(completion, ground_truth):\n    print(completion)\n    return random.random()\n"
    assert {f.code for f in lint_source(source)} == {"RK110", "RK140"}
    assert {f.code for f in lint_source(source, select=["RK11"])} == {"RK110"}
    assert {f.code for f in lint_source(source, ignore=["rk14"])} == {"RK110"}
    assert lint_source(source, select=["RK1"], ignore=["RK110", "RK140"]) == []
    with pytest.raises(ValueError, match="unknown rule code 'RK999'"):
        lint_source(source, select=["RK999"])


def test_restricted_findings_only_when_asked():
    source = "def _helper(text):\n    return text\n\ndef compute_reward(completion, ground_truth):\n    return float(_helper(completion) == ground_truth)\n"
    assert lint_source(source) == []
    assert [str(f) for f in lint_source(source, restricted=True)] == [
        '<string>:1:1: RK190 RestrictedPython rejects this: "_helper" is an invalid variable name because it starts with "_"',
        '<string>:5:18: RK190 RestrictedPython rejects this: "_helper" is an invalid variable name because it starts with "_"',
    ]


def test_syntax_error_is_a_load_error_with_file_and_line(tmp_path):
    reward = tmp_path / "broken.py"
    reward.write_text("def compute_reward(completion, ground_truth):\n    return (1.0\n")
    with pytest.raises(RewardLoadError) as info:
        lint_reward(str(reward))
    assert (info.value.path, info.value.line) == (str(reward), 2)
    assert "syntax error" in str(info.value)


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(RewardLoadError, match="no such reward file"):
        lint_reward(str(tmp_path / "absent.py"))


def test_source_code_and_reward_source_specs():
    assert [f.path for f in lint_reward(CONTAINS)] == ["<string>"]
    assert [f.code for f in lint_reward(RewardSource.parse(CONTAINS))] == ["RK120"]


def test_file_spec_with_function_lints_that_function(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rewards.py").write_text("def score(completion, ground_truth):\n    return None\n")
    assert [str(f) for f in lint_reward("rewards.py:score")] == [
        "rewards.py:2:5: RK132 `score` returns None here: the grader scores it invalid_return (TRL: NaN); return 0.0"
    ]
    assert [f.code for f in lint_reward("rewards.py")] == ["RK134"]


def test_module_spec_is_found_without_importing_it(tmp_path, monkeypatch):
    package = tmp_path / "lintpkg_never_imported"
    package.mkdir()
    (package / "__init__.py").write_text("raise SystemExit('the package was imported')\n")
    (package / "rewards.py").write_text("raise SystemExit('the module was imported')\n\ndef score(c, g):\n    return float(g in c)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    findings = lint_reward("lintpkg_never_imported.rewards:score")
    assert [(f.path, f.line, f.code) for f in findings] == [("lintpkg_never_imported/rewards.py", 4, "RK120")]
    assert "lintpkg_never_imported" not in sys.modules


def test_unknown_module_and_modules_without_source_are_load_errors(tmp_path, monkeypatch):
    with pytest.raises(RewardLoadError, match="no module named 'no_such_module_xyz'"):
        lint_reward("no_such_module_xyz:compute_reward")
    with pytest.raises(RewardLoadError, match="'sys' is built into Python"):
        lint_reward("sys:compute_reward")
    (tmp_path / f"compiled_reward{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RewardLoadError, match="'compiled_reward' has no Python source file"):
        lint_reward("compiled_reward:compute_reward")


def test_library_rewards_give_no_findings():
    assert lint_reward("library:math") == []


def test_pickled_functions_have_no_source_to_lint():
    def compute_reward(completion, ground_truth):
        return 1.0

    with pytest.raises(RewardLoadError, match="no source file to lint"):
        lint_reward(RewardSource.from_function(compute_reward))


def test_committed_rules_page_is_up_to_date():
    page = (ROOT / "docs" / "lint-rules.md").read_text()
    assert page == rules_page(), "docs/lint-rules.md is stale: python -m rewardbox.graders.lint --docs > docs/lint-rules.md"


def test_findings_are_values():
    finding = Finding(code="RK120", severity="error", path="r.py", line=1, col=1, message="m")
    assert finding == Finding.model_validate(finding.model_dump())
    assert len({finding, finding}) == 1


def test_lint_command_page_names_every_rule_and_no_other():
    readme = (ROOT / "docs" / "commands" / "lint.md").read_text()
    assert set(re.findall(r"\bRK1\d\d\b", readme)) == set(RULES)


def test_code_under_a_main_guard_is_not_reported():
    source = (
        "def compute_reward(completion, ground_truth):\n    return float(completion == ground_truth)\n\n\n"
        'if __name__ == "__main__":\n    import requests\n    with open("out.txt", "w") as f:\n        f.write(str(compute_reward("a", "a")))\n'
    )
    assert lint_source(source) == []
    assert [f.code for f in lint_source(source.replace('__name__ == "__main__"', "True"))] == ["RK101", "RK103"]
