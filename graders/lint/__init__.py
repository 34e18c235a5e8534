"""Static analysis of reward functions: ``RK1xx`` rules that find reward bugs before training, without running the reward.

    >>> [str(f) for f in lint_source("def compute_reward(completion, ground_truth):\\n    return ground_truth in completion\\n")]
    ['<string>:2:12: RK120 `ground_truth in completion` rewards any completion that contains the answer, hedges included']

The rules and their documentation: ``RULES`` and ``docs/lint-rules.md`` (rendered by ``python -m rewardbox.graders.lint --docs``).
"""

from __future__ import annotations

from .engine import Finding, lint_reward, lint_source, module_file, select_rules
from .registry import RULES, SEVERITIES, Rule, Severity

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "Severity", "lint_reward", "lint_source", "module_file", "select_rules"]
