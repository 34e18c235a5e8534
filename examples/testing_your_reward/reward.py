r"""Multiple-choice reward: 1.0 when the completion's final choice (A-E) is the ground truth, else 0.0.

The final choice is the last letter written as an answer: after "answer is"/"Answer:", inside
\boxed{}, after "####", in bold, in parentheses, or a lone letter ending the completion. A hedge
that names several choices as the answer ("The answer is A or B") takes the first, so it cannot
collect credit for listing them all.

    >>> compute_reward("Only (C) fits both clues. The answer is (C).", "C")
    1.0
    >>> compute_reward("The answer is B or C.", "C")
    0.0
"""

from __future__ import annotations

import re

_MARKED = re.compile(r"(?:(?i:answer)(?: is)?\s*:?\s*\$?|\\boxed\{|####\s*|\*\*)\(?([A-E])\)?(?![A-Za-z])")
_LONE = re.compile(r"(?:^|\s)\(?([A-E])\)?\.?\s*$")


def compute_reward(completion: str, ground_truth: str) -> float:
    choices = _MARKED.findall(completion) or _LONE.findall(completion[-20:])
    return 1.0 if choices and choices[-1] == ground_truth.strip().upper() else 0.0
