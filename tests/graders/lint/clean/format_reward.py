r"""A format-gated reward: full credit only for `<think>...</think><answer>...</answer>` with the right answer.

The format regex is anchored at both ends and refuses a second <think> block, as
TRL's think_format_reward does; the format gates correctness instead of adding to it.
"""

import re

FORMAT = re.compile(r"^<think>\n(?!.*<think>).*?\n</think>\n<answer>\n(.*?)\n</answer>\s*\Z", re.DOTALL)


def well_formatted(completion):
    return FORMAT.match(completion) is not None


def compute_reward(completion, ground_truth):
    match = FORMAT.fullmatch(completion)
    if match is None:
        return 0.0
    answer = match.group(1).strip()
    format_bonus = 0.1 if well_formatted(completion) else 0.0
    correct = 1.0 if answer == ground_truth.strip() else 0.0
    return 0.9 * correct + format_bonus
