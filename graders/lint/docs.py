"""The rules page (``docs/lint-rules.md``), rendered from the rule docstrings so the two cannot drift."""

from __future__ import annotations

import re
import textwrap

from .registry import RULES, SECTIONS, Rule

CODE_SECTIONS = {"Example"}
INTRO = """# rewardbox lint rules

Generated from the rule docstrings in `graders/lint/rules/` by
`python -m rewardbox.graders.lint --docs > docs/lint-rules.md`; a test fails when this page is out of date.

`rewardbox lint REWARD` prints `path:line:col: CODE message` for each finding and exits 1 when one of them is
an **error** (almost certainly a training bug), 0 when there are only **warnings** (likely bugs) and **info**
(style). Silence a line with `# noqa: CODE`; choose rules with `--select`/`--ignore` (codes or prefixes such as
`RK12`). "The code a call runs" means the reward function and the functions it refers to; module-level code
runs once, when the reward loads. Code under `if __name__ == "__main__":` is never reported (the grader never
runs it).
"""


def rules_page() -> str:
    """Markdown for every rule: a summary table, then each rule's sections."""
    rules = sorted(RULES.values(), key=lambda r: r.code)
    rows = [f"| [{r.code}](#{_anchor(r)}) | `{r.name}` | {r.severity} | {_escape(r.summary)} |" for r in rules]
    parts = [INTRO, "| code | name | severity | what it finds |", "|---|---|---|---|", *rows, ""]
    parts += [_rule_section(rule) for rule in rules]
    return "\n".join(parts).rstrip("\n") + "\n"


def _rule_section(rule: Rule) -> str:
    lines = [f"## {rule.code} {rule.name}", "", f"{rule.summary} Severity: **{rule.severity}**.", ""]
    for title, body in _sections(rule.doc):
        if title in CODE_SECTIONS:
            lines += [f"**{title}**", "", "```python", body, "```", ""]
        else:
            paragraphs = [" ".join(p.split()) for p in body.split("\n\n")]
            lines += [f"**{title}.** {paragraphs[0]}", "", *[f"{p}\n" for p in paragraphs[1:]]]
    return "\n".join(lines)


def _sections(doc: str) -> list[tuple[str, str]]:
    """The docstring's ``Title:`` sections with their dedented bodies, in ``SECTIONS`` order."""
    pattern = re.compile(rf"^({'|'.join(map(re.escape, SECTIONS))}):\n", re.MULTILINE)
    pieces = pattern.split(doc)[1:]
    return [(title, textwrap.dedent(body).strip("\n")) for title, body in zip(pieces[::2], pieces[1::2])]


def _anchor(rule: Rule) -> str:
    return f"{rule.code}-{rule.name}".lower()


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
