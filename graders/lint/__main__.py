"""``python -m rewardbox.graders.lint --docs``: print the rules page (docs/lint-rules.md)."""

from __future__ import annotations

import argparse

from .docs import rules_page

parser = argparse.ArgumentParser(prog="python -m rewardbox.graders.lint", description=__doc__)
parser.add_argument("--docs", action="store_true", required=True, help="print the rules page in Markdown")
parser.parse_args()
print(rules_page(), end="")
