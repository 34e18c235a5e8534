"""Each RK rule against its fixture (flagged cases above the clean marker, clean ones below), pinned by a snapshot.

Regenerate the snapshots after an intended change with ``REWARDBOX_UPDATE_SNAPSHOTS=1 pytest tests/graders/lint``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rewardbox.graders.lint import RULES, Finding, lint_source
from rewardbox.graders.lint.registry import SECTIONS

HERE = Path(__file__).resolve().parent
FIXTURES, SNAPSHOTS = HERE / "fixtures", HERE / "snapshots"
CLEAN_MARKER = "# --- clean ---"
UPDATE = os.environ.get("REWARDBOX_UPDATE_SNAPSHOTS") == "1"


def fixture_findings(code: str) -> list[Finding]:
    """The rule's findings on its fixture, linting each function the header names as the reward in turn."""
    text = (FIXTURES / f"{code}.py").read_text()
    header = re.match(r"# functions: (.*)", text)
    functions = [name.strip() for name in header.group(1).split(",")] if header else ["compute_reward"]
    found: dict[str, Finding] = {}
    for function in functions:
        for finding in lint_source(text, f"{code}.py", select=[code], function=function, restricted=code == "RK190"):
            found.setdefault(str(finding), finding)
    return sorted(found.values(), key=lambda f: (f.line, f.col, f.message))


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_output_matches_its_snapshot(code):
    output = "".join(f"{finding}\n" for finding in fixture_findings(code))
    snapshot = SNAPSHOTS / f"{code}.txt"
    if UPDATE:
        snapshot.write_text(output)
    assert output == snapshot.read_text()


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_flags_cases_above_the_clean_marker_and_none_below(code):
    lines = (FIXTURES / f"{code}.py").read_text().splitlines()
    marker = lines.index(CLEAN_MARKER) + 1 if CLEAN_MARKER in lines else len(lines) + 1
    findings = fixture_findings(code)
    assert findings, f"{code} flags nothing in its fixture"
    assert [str(f) for f in findings if f.line >= marker] == []
    assert {f.severity for f in findings} == {RULES[code].severity}


def test_every_rule_has_a_fixture_and_a_snapshot():
    assert {p.stem for p in FIXTURES.glob("*.py")} == set(RULES)
    assert {p.stem for p in SNAPSHOTS.glob("*.txt")} == set(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_docstring_has_every_section_in_order(code):
    doc = RULES[code].doc
    positions = [doc.find(f"\n{section}:\n") for section in SECTIONS]
    assert -1 not in positions, f"{code} lacks a section of {SECTIONS}"
    assert positions == sorted(positions)
    assert RULES[code].summary and not RULES[code].summary.endswith(":")


def test_codes_names_and_count():
    assert len([code for code, rule in RULES.items() if not rule.opt_in]) >= 15
    assert all(re.fullmatch(r"RK1\d\d", code) for code in RULES)
    assert len({rule.name for rule in RULES.values()}) == len(RULES)
